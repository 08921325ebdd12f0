// Pattern compilation (and validation: everything EventBridge's PutRule would reject throws):
// a pattern becomes branches (one per `$or` combination) of leaves.

import { compileAnythingBut } from "./anything-but-operator";
import { compileCidr } from "./cidr-operator";
import { fail } from "./invalid-event-pattern";
import { compileNumeric } from "./numeric-operator";
import { displayPath, fieldKey, isPlainObject, isScalar } from "./pattern-helpers";
import type { Alternative, Branch, Leaf, ValueTest } from "./pattern-model";
import { compileAffix, compileEqualsIgnoreCase, compileExists, compileWildcard, equalsTest, singleEntry } from "./value-operators";

export function compilePattern(pattern: unknown): Branch[] {
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
