// The operators that test one value: equality, prefix/suffix, equals-ignore-case, wildcard and
// exists, with the helpers every operator compiler shares.

import { fail } from "./invalid-event-pattern";
import { endsWith, escapeRegExp, foldCase, isPlainObject, startsWith } from "./pattern-helpers";
import type { Alternative, Scalar, ValueTest } from "./pattern-model";

export function singleEntry(expression: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(expression);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) {
    return fail(path, expression, "a match expression must have exactly one operator");
  }
  return entry;
}

export function equalsTest(expected: Scalar): ValueTest {
  // Parsed JSON cannot tell 300 from 3.0e2, so numbers compare numerically (as event-ruler's
  // numeric-equals does), never across types: 300 does not match "300".
  return (value) => value === expected;
}

export function compileAffix(argument: unknown, path: string, kind: "prefix" | "suffix"): ValueTest {
  const has = kind === "prefix" ? startsWith : endsWith;
  if (typeof argument === "string") return (value) => typeof value === "string" && has(value, argument);
  const folded = foldCase(ignoreCaseArgument(argument, path, kind));
  return (value) => typeof value === "string" && has(foldCase(value), folded);
}

export function ignoreCaseArgument(argument: unknown, path: string, kind: string): string {
  if (isPlainObject(argument)) {
    const [name, inner] = singleEntry(argument, path);
    if (name === "equals-ignore-case" && typeof inner === "string") return inner;
  }
  return fail(path, argument, `${kind} takes a string or {"equals-ignore-case": string}`);
}

export function compileEqualsIgnoreCase(argument: unknown, path: string): ValueTest {
  const folded = foldCase(requireString(argument, path, "equals-ignore-case"));
  return (value) => typeof value === "string" && foldCase(value) === folded;
}

export function compileWildcard(argument: unknown, path: string): ValueTest {
  const regExp = wildcardRegExp(requireString(argument, path, "wildcard"), path);
  return (value) => typeof value === "string" && regExp.test(value);
}

/** `*` is any run of characters (possibly empty); `\*` and `\\` are a literal star and backslash. */
export function wildcardRegExp(source: string, path: string): RegExp {
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

export function compileExists(argument: unknown, path: string): Alternative {
  if (typeof argument !== "boolean") return fail(path, argument, "exists takes true or false");
  return argument ? () => true : "absent";
}

export function requireString(argument: unknown, path: string, operator: string): string {
  if (typeof argument !== "string") return fail(path, argument, `${operator} takes a string`);
  return argument;
}

export function anyOf(tests: readonly ValueTest[]): ValueTest {
  return (value) => tests.some((test) => test(value));
}
