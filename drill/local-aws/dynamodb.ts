// The local DynamoDB endpoint: UpdateItem (the launch pacer's and the notifier's), GetItem (the notifier's threads, the reconciler's cursors) and PutItem (the reconciler's cursors), on in-memory
// tables; UpdateItem with the subset of update and condition expressions DynamoDB documents that the pacer
// writes: SET with + and - and if_not_exists, conditions with comparisons, AND, OR, NOT, parentheses,
// attribute_exists and attribute_not_exists. Anything outside the subset is refused with a
// ValidationException naming it, so the drill never evaluates an expression it does not understand.
import { ApiError, isObject, type LocalService, type Reply } from "./protocol";

export const DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810";

/** An attribute value as the wire carries it: {"N": "12.5"}, {"S": "x"}, {"BOOL": true}. */
type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** A table: its partition key attribute (all the pacer's table has) and its items by key value. */
interface Table {
  readonly hashKey: string;
  readonly items: Map<string, Item>;
}

// DynamoDB names its errors with the service's namespace; the SDK keeps the part after "#".
const ERROR_NAMESPACE = "com.amazonaws.dynamodb.v20120810#";

function validation(message: string): ApiError {
  return new ApiError(`${ERROR_NAMESPACE}ValidationException`, message);
}

export class LocalDynamoDb implements LocalService {
  readonly operations = new Set<string | undefined>(["UpdateItem", "GetItem", "PutItem"]);
  private readonly tables = new Map<string, Table>();

  /** `tables`: table name -> its partition key attribute. */
  constructor(tables: Readonly<Record<string, { hashKey: string }>> = {}) {
    for (const [name, { hashKey }] of Object.entries(tables)) this.tables.set(name, { hashKey, items: new Map() });
  }

  /** Forgets every item (the tables stay). */
  reset(): void {
    for (const t of this.tables.values()) t.items.clear();
  }

  /** A copy of one item, for tests and reports. */
  item(table: string, key: string): Item | undefined {
    const found = this.tables.get(table)?.items.get(key);
    return found === undefined ? undefined : structuredClone(found);
  }

  answer(op: string, request: Record<string, unknown>): Reply {
    const name = request.TableName;
    const table = typeof name === "string" ? this.tables.get(name) : undefined;
    if (table === undefined) throw new ApiError(`${ERROR_NAMESPACE}ResourceNotFoundException`, "Requested resource not found");
    if (op === "PutItem") return this.putItem(table, request);
    const keyValue = keyOf(table, request.Key);
    // GetItem: the item, or no Item at all when there is none (DynamoDB API Reference, "GetItem").
    // Every read here is as consistent as ConsistentRead asks: one copy, no replicas.
    if (op === "GetItem") {
      const item = table.items.get(keyValue);
      return { status: 200, answer: "ok", body: item === undefined ? {} : { Item: structuredClone(item) } };
    }
    const names = isObject(request.ExpressionAttributeNames) ? (request.ExpressionAttributeNames as Record<string, string>) : {};
    const values = isObject(request.ExpressionAttributeValues) ? (request.ExpressionAttributeValues as Record<string, AttributeValue>) : {};
    const used = new Set<string>();
    const scope: Scope = { names, values, used };
    if (typeof request.UpdateExpression !== "string") throw validation("UpdateExpression is required by this local endpoint");
    const actions = parseUpdate(request.UpdateExpression, scope);
    const condition = typeof request.ConditionExpression === "string" ? parseCondition(request.ConditionExpression, scope) : undefined;
    for (const placeholder of [...Object.keys(names), ...Object.keys(values)]) {
      if (!used.has(placeholder)) throw validation(`Value provided in ExpressionAttribute${placeholder.startsWith("#") ? "Names" : "Values"} unused in expressions: keys: {${placeholder}}`);
    }

    const old = table.items.get(keyValue);
    const current: Item = old ?? { [table.hashKey]: { S: keyValue } };
    if (condition !== undefined && !condition(current)) {
      const extra = request.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && old !== undefined ? { Item: structuredClone(old) } : {};
      throw new ApiError(`${ERROR_NAMESPACE}ConditionalCheckFailedException`, "The conditional request failed", extra);
    }
    // Every right-hand side is evaluated on the item as it was, then all are applied, as DynamoDB does.
    const next: Item = structuredClone(current);
    const updated: Item = {};
    for (const { attribute, value } of actions) {
      if (attribute === table.hashKey) throw validation(`Cannot update attribute ${attribute}. This attribute is part of the key`);
      const v = value(current);
      if (v === undefined) throw validation("The provided expression refers to an attribute that does not exist in the item");
      updated[attribute] = v;
    }
    Object.assign(next, updated);
    table.items.set(keyValue, next);

    const returnValues = request.ReturnValues ?? "NONE";
    const pick = (from: Item | undefined) => Object.fromEntries(Object.keys(updated).filter((a) => from?.[a] !== undefined).map((a) => [a, from![a]]));
    let attributes: Item | undefined;
    if (returnValues === "ALL_NEW") attributes = next;
    else if (returnValues === "UPDATED_NEW") attributes = pick(next);
    else if (returnValues === "ALL_OLD") attributes = old;
    else if (returnValues === "UPDATED_OLD") attributes = pick(old);
    else if (returnValues !== "NONE") throw validation(`ReturnValues ${JSON.stringify(returnValues)} is not one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW`);
    return { status: 200, answer: "ok", body: attributes && Object.keys(attributes).length > 0 ? { Attributes: structuredClone(attributes) } : {} };
  }

  /** PutItem without a condition (the reconciler's cursor): the item replaces any of the same key. */
  private putItem(table: Table, request: Record<string, unknown>): Reply {
    const item = request.Item;
    if (!isObject(item)) throw validation("Item is required");
    const keyValue = keyOf(table, { [table.hashKey]: item[table.hashKey] });
    if (request.ConditionExpression !== undefined) throw validation("ConditionExpression on PutItem is not supported by this local endpoint");
    for (const [attribute, value] of Object.entries(item)) {
      if (!isObject(value) || Object.keys(value).length !== 1) throw validation(`Supplied AttributeValue of ${attribute} is empty or has more than one datatype`);
    }
    table.items.set(keyValue, structuredClone(item) as Item);
    return { status: 200, answer: "ok", body: {} };
  }
}

/** The partition key value a request's Key names; ValidationException unless it is exactly the table's string key. */
function keyOf(table: Table, key: unknown): string {
  const keyAttribute = isObject(key) && Object.keys(key).length === 1 ? key[table.hashKey] : undefined;
  if (!isObject(keyAttribute) || typeof keyAttribute.S !== "string") throw validation("The provided key element does not match the schema");
  return keyAttribute.S;
}

// ---------------------------------------------------------------------------------------------
// Expressions

interface Scope {
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  readonly used: Set<string>;
}

type Operand = (item: Item) => AttributeValue | undefined;
type Condition = (item: Item) => boolean;

/** Splits an expression into tokens: names, #names, :values, operators, parentheses, commas. */
function tokenize(text: string): string[] {
  const tokens = text.match(/\s*(<>|<=|>=|[=<>(),+-]|[#:]?[A-Za-z_][A-Za-z0-9_]*|\S)/g) ?? [];
  return tokens.map((t) => t.trim()).filter((t) => t !== "");
}

class Tokens {
  private i = 0;
  constructor(
    private readonly list: string[],
    private readonly text: string,
  ) {}
  peek(): string | undefined {
    return this.list[this.i];
  }
  next(): string {
    const t = this.list[this.i++];
    if (t === undefined) throw validation(`Invalid expression: unexpected end of input: ${this.text}`);
    return t;
  }
  expect(token: string): void {
    const t = this.next();
    if (t !== token) throw validation(`Invalid expression: expected "${token}", found "${t}": ${this.text}`);
  }
  peekWord(word: string): boolean {
    return this.peek()?.toUpperCase() === word;
  }
  done(): void {
    if (this.peek() !== undefined) throw validation(`Invalid expression: unexpected "${this.peek()}" (not supported by the local endpoint): ${this.text}`);
  }
}

/** A top-level attribute name, direct or through a #placeholder (nested paths are outside the subset). */
function attributeName(token: string, scope: Scope): string {
  if (token.startsWith("#")) {
    const name = scope.names[token];
    if (name === undefined) throw validation(`An expression attribute name used in the document path is not defined; attribute name: ${token}`);
    scope.used.add(token);
    return name;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) throw validation(`Invalid expression: "${token}" is not an attribute name`);
  return token;
}

function operand(tokens: Tokens, scope: Scope): Operand {
  const t = tokens.next();
  if (t.startsWith(":")) {
    const value = scope.values[t];
    if (value === undefined) throw validation(`An expression attribute value used in expression is not defined; attribute value: ${t}`);
    scope.used.add(t);
    return () => value;
  }
  if (t.toLowerCase() === "if_not_exists") {
    tokens.expect("(");
    const name = attributeName(tokens.next(), scope);
    tokens.expect(",");
    const fallback = sum(tokens, scope);
    tokens.expect(")");
    return (item) => item[name] ?? fallback(item);
  }
  const name = attributeName(t, scope);
  return (item) => item[name];
}

function numberOf(v: AttributeValue | undefined): number {
  if (v === undefined) throw validation("The provided expression refers to an attribute that does not exist in the item");
  if (typeof v.N !== "string") throw validation("An operand in the update expression has an incorrect data type");
  return Number(v.N);
}

/** operand [(+|-) operand]: SET's arithmetic, on numbers only. */
function sum(tokens: Tokens, scope: Scope): Operand {
  const left = operand(tokens, scope);
  const op = tokens.peek();
  if (op !== "+" && op !== "-") return left;
  tokens.next();
  const right = operand(tokens, scope);
  return (item) => {
    const a = numberOf(left(item));
    const b = numberOf(right(item));
    return { N: String(op === "+" ? a + b : a - b) };
  };
}

function parseUpdate(text: string, scope: Scope): { attribute: string; value: Operand }[] {
  const tokens = new Tokens(tokenize(text), text);
  if (!tokens.peekWord("SET")) throw validation(`Invalid UpdateExpression: only SET is supported by the local endpoint: ${text}`);
  tokens.next();
  const actions: { attribute: string; value: Operand }[] = [];
  for (;;) {
    const attribute = attributeName(tokens.next(), scope);
    tokens.expect("=");
    actions.push({ attribute, value: sum(tokens, scope) });
    if (tokens.peek() !== ",") break;
    tokens.next();
  }
  tokens.done();
  if (new Set(actions.map((a) => a.attribute)).size !== actions.length) throw validation(`Invalid UpdateExpression: Two document paths overlap: ${text}`);
  return actions;
}

function compare(a: AttributeValue | undefined, op: string, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  let x: number | string;
  let y: number | string;
  if (typeof a.N === "string" && typeof b.N === "string") [x, y] = [Number(a.N), Number(b.N)];
  else if (typeof a.S === "string" && typeof b.S === "string") [x, y] = [a.S, b.S];
  else return op === "<>";
  switch (op) {
    case "=":
      return x === y;
    case "<>":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

function parseCondition(text: string, scope: Scope): Condition {
  const tokens = new Tokens(tokenize(text), text);
  const primary = (): Condition => {
    if (tokens.peekWord("NOT")) {
      tokens.next();
      const inner = primary();
      return (item) => !inner(item);
    }
    if (tokens.peek() === "(") {
      tokens.next();
      const inner = or();
      tokens.expect(")");
      return inner;
    }
    const word = tokens.peek()?.toLowerCase();
    if (word === "attribute_exists" || word === "attribute_not_exists") {
      tokens.next();
      tokens.expect("(");
      const name = attributeName(tokens.next(), scope);
      tokens.expect(")");
      return word === "attribute_exists" ? (item) => item[name] !== undefined : (item) => item[name] === undefined;
    }
    const left = operand(tokens, scope);
    const op = tokens.next();
    if (!["=", "<>", "<", "<=", ">", ">="].includes(op)) throw validation(`Invalid ConditionExpression: "${op}" is not supported by the local endpoint: ${text}`);
    const right = operand(tokens, scope);
    return (item) => compare(left(item), op, right(item));
  };
  const and = (): Condition => {
    let c = primary();
    while (tokens.peekWord("AND")) {
      tokens.next();
      const [a, b] = [c, primary()];
      c = (item) => a(item) && b(item);
    }
    return c;
  };
  const or = (): Condition => {
    let c = and();
    while (tokens.peekWord("OR")) {
      tokens.next();
      const [a, b] = [c, and()];
      c = (item) => a(item) || b(item);
    }
    return c;
  };
  const condition = or();
  tokens.done();
  return condition;
}
