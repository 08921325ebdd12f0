/**
 * Evaluates an EventBridge event pattern against an event, following AWS's documented
 * semantics ("Amazon EventBridge event patterns", "Comparison operators for use in event
 * patterns in Amazon EventBridge", "Arrays in Amazon EventBridge event patterns") and, where
 * the docs are silent, the behaviour of aws/event-ruler, the engine EventBridge runs.
 *
 * Model: the event is flattened into leaf fields (path -> scalar values), as the engine does.
 * The pattern is compiled into branches (one per `$or` combination); a branch matches when
 * every one of its leaves matches a field, and all chosen fields come from the same element
 * of any array they share.
 */

type Scalar = string | number | boolean | null;
type ValueTest = (value: Scalar) => boolean;
/** `{"exists": false}` is not a test on a value: it is satisfied by the lack of one. */
type Alternative = ValueTest | "absent";

interface Leaf {
  readonly key: string;
  readonly path: string;
  readonly tests: readonly ValueTest[];
  readonly allowsAbsence: boolean;
}
type Branch = readonly Leaf[];

/** Array id -> element index, for every array element (object or array) a field sits in. */
type Membership = ReadonlyMap<number, number>;
interface Field {
  readonly value: Scalar;
  readonly membership: Membership;
}
type Fields = Map<string, Field[]>;

export class InvalidEventPatternError extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`Invalid event pattern at ${path === "" ? "(root)" : path}: ${reason}; got ${show(value)}`);
    this.name = "InvalidEventPatternError";
  }
}

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  const branches = compilePattern(pattern);
  const fields = flattenEvent(event);
  return branches.some((branch) => branchMatches(branch, fields));
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation (and validation: everything EventBridge's PutRule would reject throws)
// ---------------------------------------------------------------------------------------------

function compilePattern(pattern: unknown): Branch[] {
  const root = typeof pattern === "string" ? parsePatternJson(pattern) : pattern;
  if (!isPlainObject(root)) fail("", root, "an event pattern must be a JSON object");
  return compileObject(root, [], [[]], false);
}

function parsePatternJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail("", text, "the pattern is not valid JSON");
  }
}

function compileObject(
  object: Record<string, unknown>,
  segments: readonly string[],
  branches: readonly Branch[],
  insideOr: boolean,
): Branch[] {
  const entries = Object.entries(object);
  if (entries.length === 0) fail(displayPath(segments), object, "empty objects are not allowed");
  let result: Branch[] = [...branches];
  for (const [name, value] of entries) {
    result = compileEntry(name, value, segments, result, insideOr);
  }
  return result;
}

function compileEntry(
  name: string,
  value: unknown,
  segments: readonly string[],
  branches: readonly Branch[],
  insideOr: boolean,
): Branch[] {
  // `$or` is not a path step: its alternatives continue the enclosing object's path.
  if (name === "$or") return compileOr(value, segments, branches);
  const childSegments = [...segments, name];
  if (insideOr && OPERATORS.has(name)) {
    fail(displayPath(childSegments), value, `"${name}" is an operator and cannot be a field name inside $or`);
  }
  if (Array.isArray(value)) {
    const leaf = compileLeaf(value, childSegments);
    return branches.map((branch) => [...branch, leaf]);
  }
  if (isPlainObject(value)) return compileObject(value, childSegments, branches, insideOr);
  return fail(displayPath(childSegments), value, "a field must be an object or an array of match values");
}

function compileOr(value: unknown, segments: readonly string[], branches: readonly Branch[]): Branch[] {
  const path = displayPath([...segments, "$or"]);
  if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
    fail(path, value, "$or must be an array of at least 2 objects");
  }
  return value.flatMap((alternative) => compileObject(alternative, segments, branches, true));
}

function compileLeaf(values: readonly unknown[], segments: readonly string[]): Leaf {
  const path = displayPath(segments);
  if (values.length === 0) fail(path, values, "empty arrays are not allowed");
  const alternatives = values.map((value, index) => compileAlternative(value, `${path}[${index}]`));
  return {
    key: fieldKey(segments),
    path,
    tests: alternatives.filter((a): a is ValueTest => a !== "absent"),
    allowsAbsence: alternatives.includes("absent"),
  };
}

function compileAlternative(value: unknown, path: string): Alternative {
  if (isScalar(value)) return equalsTest(value);
  if (isPlainObject(value)) return compileOperator(value, path);
  return fail(path, value, "a match value must be a string, number, boolean, null or an operator object");
}

type OperatorCompiler = (argument: unknown, path: string) => Alternative;

const OPERATORS: ReadonlyMap<string, OperatorCompiler> = new Map<string, OperatorCompiler>([
  ["prefix", (argument, path) => compileAffix(argument, path, "prefix")],
  ["suffix", (argument, path) => compileAffix(argument, path, "suffix")],
  ["equals-ignore-case", compileEqualsIgnoreCase],
  ["wildcard", compileWildcard],
  ["anything-but", compileAnythingBut],
  ["numeric", compileNumeric],
  ["cidr", compileCidr],
  ["exists", compileExists],
]);

function compileOperator(expression: Record<string, unknown>, path: string): Alternative {
  const [name, argument] = singleEntry(expression, path);
  const compiler = OPERATORS.get(name);
  if (compiler === undefined) return fail(path, expression, `unknown operator "${name}"`);
  return compiler(argument, `${path}.${name}`);
}

function singleEntry(expression: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(expression);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) {
    return fail(path, expression, "a match expression must have exactly one operator");
  }
  return entry;
}

function equalsTest(expected: Scalar): ValueTest {
  // Parsed JSON cannot tell 300 from 3.0e2, so numbers compare numerically (as event-ruler's
  // numeric-equals does), never across types: 300 does not match "300".
  return (value) => value === expected;
}

function compileAffix(argument: unknown, path: string, kind: "prefix" | "suffix"): ValueTest {
  const has = kind === "prefix" ? startsWith : endsWith;
  if (typeof argument === "string") return (value) => typeof value === "string" && has(value, argument);
  const folded = foldCase(ignoreCaseArgument(argument, path, kind));
  return (value) => typeof value === "string" && has(foldCase(value), folded);
}

function ignoreCaseArgument(argument: unknown, path: string, kind: string): string {
  if (isPlainObject(argument)) {
    const [name, inner] = singleEntry(argument, path);
    if (name === "equals-ignore-case" && typeof inner === "string") return inner;
  }
  return fail(path, argument, `${kind} takes a string or {"equals-ignore-case": string}`);
}

function compileEqualsIgnoreCase(argument: unknown, path: string): ValueTest {
  const folded = foldCase(requireString(argument, path, "equals-ignore-case"));
  return (value) => typeof value === "string" && foldCase(value) === folded;
}

function compileWildcard(argument: unknown, path: string): ValueTest {
  const regExp = wildcardRegExp(requireString(argument, path, "wildcard"), path);
  return (value) => typeof value === "string" && regExp.test(value);
}

/** `*` is any run of characters (possibly empty); `\*` and `\\` are a literal star and backslash. */
function wildcardRegExp(source: string, path: string): RegExp {
  let body = "";
  let previousWasStar = false;
  for (let i = 0; i < source.length; i++) {
    const char = source.charAt(i);
    if (char === "*") {
      if (previousWasStar) fail(path, source, "consecutive wildcard characters are not allowed");
      body += "[\\s\\S]*";
      previousWasStar = true;
      continue;
    }
    previousWasStar = false;
    if (char === "\\") {
      const escaped = source.charAt(i + 1);
      if (escaped !== "*" && escaped !== "\\") fail(path, source, "a backslash may only escape * or \\");
      body += escapeRegExp(escaped);
      i++;
      continue;
    }
    body += escapeRegExp(char);
  }
  return new RegExp(`^${body}$`);
}

// anything-but is "any present value the inner matcher rejects": a missing field has no value,
// so anything-but never matches it, while an explicit null does (null is not "x").
function compileAnythingBut(argument: unknown, path: string): ValueTest {
  const excluded = compileExclusion(argument, path);
  return (value) => !excluded(value);
}

function compileExclusion(argument: unknown, path: string): ValueTest {
  if (typeof argument === "string" || typeof argument === "number") return equalsTest(argument);
  if (Array.isArray(argument)) return compileExclusionList(argument, path);
  if (isPlainObject(argument)) return compileNestedExclusion(argument, path);
  return fail(path, argument, "anything-but takes a string, a number, a list, or a prefix/suffix/equals-ignore-case/wildcard object");
}

function compileExclusionList(list: readonly unknown[], path: string): ValueTest {
  if (list.length === 0) fail(path, list, "anything-but list must not be empty");
  const allStrings = list.every((item) => typeof item === "string");
  const allNumbers = list.every((item) => typeof item === "number");
  if (!allStrings && !allNumbers) fail(path, list, "anything-but list must contain only strings or only numbers");
  const excluded = new Set<unknown>(list);
  return (value) => excluded.has(value);
}

function compileNestedExclusion(expression: Record<string, unknown>, path: string): ValueTest {
  const [name, argument] = singleEntry(expression, path);
  const innerPath = `${path}.${name}`;
  switch (name) {
    case "prefix":
    case "suffix": {
      // The docs: anything-but works with a single prefix (or suffix), not a list, and not "".
      const affix = requireString(argument, innerPath, `anything-but ${name}`);
      if (affix === "") fail(innerPath, argument, `anything-but ${name} must not be empty`);
      return compileAffix(affix, innerPath, name);
    }
    case "equals-ignore-case":
      return anyOf(stringOrStrings(argument, innerPath, name).map((s) => compileEqualsIgnoreCase(s, innerPath)));
    case "wildcard":
      return anyOf(stringOrStrings(argument, innerPath, name).map((s) => compileWildcard(s, innerPath)));
    default:
      return fail(path, expression, `anything-but does not support "${name}"`);
  }
}

function stringOrStrings(argument: unknown, path: string, name: string): string[] {
  if (typeof argument === "string") return [argument];
  if (Array.isArray(argument) && argument.length > 0 && argument.every((item) => typeof item === "string")) {
    return argument as string[];
  }
  return fail(path, argument, `anything-but ${name} takes a string or a non-empty list of strings`);
}

type Comparator = "=" | "<" | "<=" | ">" | ">=";
const COMPARATORS: Readonly<Record<Comparator, (value: number, operand: number) => boolean>> = {
  "=": (value, operand) => value === operand,
  "<": (value, operand) => value < operand,
  "<=": (value, operand) => value <= operand,
  ">": (value, operand) => value > operand,
  ">=": (value, operand) => value >= operand,
};

interface Comparison {
  readonly comparator: Comparator;
  readonly operand: number;
}

// numeric only ever matches JSON numbers: the string "5" is not in [">", 0].
function compileNumeric(argument: unknown, path: string): ValueTest {
  const comparisons = parseNumericExpression(argument, path);
  return (value) =>
    typeof value === "number" && comparisons.every(({ comparator, operand }) => COMPARATORS[comparator](value, operand));
}

function parseNumericExpression(argument: unknown, path: string): Comparison[] {
  if (!Array.isArray(argument)) return fail(path, argument, "numeric takes an array");
  const first = comparison(argument, 0, path);
  if (argument.length === 2) return [first];
  if (argument.length !== 4) return fail(path, argument, 'numeric takes [op, n] or [">"|">=", n, "<"|"<=", n]');
  const second = comparison(argument, 2, path);
  if (!isLowerBound(first.comparator) || !isUpperBound(second.comparator)) {
    return fail(path, argument, 'a numeric range must be [">"|">=", n, "<"|"<=", n]');
  }
  if (second.operand <= first.operand) fail(path, argument, "the bottom of a numeric range must be less than its top");
  return [first, second];
}

function comparison(expression: readonly unknown[], index: number, path: string): Comparison {
  const comparator = expression[index];
  const operand = expression[index + 1];
  if (!isComparator(comparator)) return fail(path, expression, `unknown numeric operator ${show(comparator)}`);
  if (typeof operand !== "number") return fail(path, expression, `the operand of "${comparator}" must be a number`);
  return { comparator, operand };
}

function isComparator(value: unknown): value is Comparator {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(COMPARATORS, value);
}

function isLowerBound(comparator: Comparator): boolean {
  return comparator === ">" || comparator === ">=";
}

function isUpperBound(comparator: Comparator): boolean {
  return comparator === "<" || comparator === "<=";
}

function compileCidr(argument: unknown, path: string): ValueTest {
  const block = parseCidr(requireString(argument, path, "cidr"));
  if (block === undefined) return fail(path, argument, "cidr takes an IPv4 or IPv6 block such as 10.0.0.0/24");
  return (value) => {
    if (typeof value !== "string") return false;
    const address = parseIp(value);
    return address !== undefined && address.bits === block.bits && (address.value & block.mask) === block.network;
  };
}

function compileExists(argument: unknown, path: string): Alternative {
  if (typeof argument !== "boolean") return fail(path, argument, "exists takes true or false");
  return argument ? () => true : "absent";
}

function requireString(argument: unknown, path: string, operator: string): string {
  if (typeof argument !== "string") return fail(path, argument, `${operator} takes a string`);
  return argument;
}

function anyOf(tests: readonly ValueTest[]): ValueTest {
  return (value) => tests.some((test) => test(value));
}

// ---------------------------------------------------------------------------------------------
// IP addresses (for cidr)
// ---------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}
interface IpBlock {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly mask: bigint;
}

function parseCidr(text: string): IpBlock | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const address = match === null ? undefined : parseIp(match[1] ?? "");
  const prefixLength = Number(match?.[2]);
  if (address === undefined || prefixLength > address.bits) return undefined;
  const width = BigInt(address.bits);
  const mask = ((1n << BigInt(prefixLength)) - 1n) << (width - BigInt(prefixLength));
  return { bits: address.bits, network: address.value & mask, mask };
}

function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0] ?? "");
  const tail = halves.length === 2 ? ipv6Groups(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

function ipv6Groups(part: string): number[] | undefined {
  if (part === "") return [];
  const groups: number[] = [];
  const pieces = part.split(":");
  for (const [index, piece] of pieces.entries()) {
    const embeddedV4 = index === pieces.length - 1 && piece.includes(".") ? parseIpv4(piece) : undefined;
    if (embeddedV4 !== undefined) {
      groups.push(Number(embeddedV4 >> 16n), Number(embeddedV4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Event flattening
// ---------------------------------------------------------------------------------------------

// Only scalars become fields, exactly as the engine flattens events: an empty array, an empty
// object or an object sitting where the pattern expects a leaf leaves no field behind, so
// `exists: true` fails on them and `exists: false` matches them.
function flattenEvent(event: unknown): Fields {
  const fields: Fields = new Map();
  if (isPlainObject(event)) {
    visit(event, [], new Map(), { fields, nextArrayId: 0 });
  }
  return fields;
}

interface FlattenState {
  readonly fields: Fields;
  nextArrayId: number;
}

function visit(value: unknown, segments: readonly string[], membership: Membership, state: FlattenState): void {
  if (Array.isArray(value)) {
    visitArray(value, segments, membership, state);
  } else if (isPlainObject(value)) {
    for (const [name, child] of Object.entries(value)) visit(child, [...segments, name], membership, state);
  } else if (isScalar(value)) {
    recordField(state.fields, fieldKey(segments), { value, membership });
  }
}

function visitArray(array: readonly unknown[], segments: readonly string[], membership: Membership, state: FlattenState): void {
  const arrayId = state.nextArrayId++;
  array.forEach((element, index) => {
    // Scalars of one array share a path, so only container elements need to be told apart.
    const elementMembership = isScalar(element) ? membership : new Map(membership).set(arrayId, index);
    visit(element, segments, elementMembership, state);
  });
}

function recordField(fields: Fields, key: string, field: Field): void {
  const existing = fields.get(key);
  if (existing === undefined) fields.set(key, [field]);
  else existing.push(field);
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

const NO_CONSTRAINT: Membership = new Map();

function branchMatches(branch: Branch, fields: Fields): boolean {
  const options: Membership[][] = [];
  for (const leaf of branch) {
    const leafOptions = matchingMemberships(leaf, fields.get(leaf.key) ?? []);
    if (leafOptions.length === 0) return false;
    options.push(leafOptions);
  }
  options.sort((a, b) => a.length - b.length);
  return consistentChoiceExists(options, 0, NO_CONSTRAINT);
}

// exists:false is checked against the whole event, not per array element, like the engine's
// absence check: a field present in any element is present.
function matchingMemberships(leaf: Leaf, candidates: readonly Field[]): Membership[] {
  if (candidates.length === 0) return leaf.allowsAbsence ? [NO_CONSTRAINT] : [];
  const unique = new Map<string, Membership>();
  for (const field of candidates) {
    if (leaf.tests.some((test) => test(field.value))) unique.set(membershipKey(field.membership), field.membership);
  }
  return [...unique.values()];
}

// Fields from different elements of the same array never combine: {"firstName": ["Anna"],
// "lastName": ["Jones"]} does not match Anna Smith and Peter Jones (event-ruler's
// "array-consistent matching").
function consistentChoiceExists(options: readonly Membership[][], index: number, chosen: Membership): boolean {
  const current = options[index];
  if (current === undefined) return true;
  return current.some((membership) => {
    const merged = mergeMemberships(chosen, membership);
    return merged !== undefined && consistentChoiceExists(options, index + 1, merged);
  });
}

function mergeMemberships(a: Membership, b: Membership): Membership | undefined {
  const merged = new Map(a);
  for (const [arrayId, elementIndex] of b) {
    const existing = merged.get(arrayId);
    if (existing !== undefined && existing !== elementIndex) return undefined;
    merged.set(arrayId, elementIndex);
  }
  return merged;
}

function membershipKey(membership: Membership): string {
  return [...membership].map(([arrayId, elementIndex]) => `${arrayId}:${elementIndex}`).join(",");
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function fail(path: string, value: unknown, reason: string): never {
  throw new InvalidEventPatternError(path, value, reason);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}

/** JSON-encoded so that a key containing "." never collides with a nested path. */
function fieldKey(segments: readonly string[]): string {
  return JSON.stringify(segments);
}

function displayPath(segments: readonly string[]): string {
  return segments.join(".");
}

function startsWith(value: string, affix: string): boolean {
  return value.startsWith(affix);
}

function endsWith(value: string, affix: string): boolean {
  return value.endsWith(affix);
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function show(value: unknown): string {
  if (value === undefined) return "undefined";
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 197)}...` : json;
}
