// The numeric operator: one comparison or a range, matching JSON numbers only.

import { fail, show } from "./invalid-event-pattern";
import type { ValueTest } from "./pattern-model";

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
export function compileNumeric(argument: unknown, path: string): ValueTest {
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
