// The anything-but operator: any present value its inner matcher (a value, a list, or a
// prefix/suffix/equals-ignore-case/wildcard expression) rejects.

import { fail } from "./invalid-event-pattern";
import { isPlainObject } from "./pattern-helpers";
import type { ValueTest } from "./pattern-model";
import { anyOf, compileAffix, compileEqualsIgnoreCase, compileWildcard, equalsTest, requireString, singleEntry } from "./value-operators";

// anything-but is "any present value the inner matcher rejects": a missing field has no value,
// so anything-but never matches it, while an explicit null does (null is not "x").
export function compileAnythingBut(argument: unknown, path: string): ValueTest {
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
