/**
 * The kinds of value a setting takes (one string, a list, a number, true/false, a choice, a map, a
 * list of objects), and how each is read from the three places a setting can be given: an
 * environment variable (always text), cdktf context (JSON: text or the value itself) and the typed
 * settings file `settings.ts` (the value itself, never text standing in for it: `enabled: "false"`
 * would be a string there, and is refused as one). A reader answers with the value, or a problem
 * saying what is allowed, or that the value looks like a secret (which is then never echoed).
 */
import { secretIn, secretKind, showValue } from "./show-value";
import { nearestName } from "./nearest-name";

/** Where a value was given: its kind decides whether text may stand for a number, a list or an object. */
export type SourceKind = "env" | "context" | "file";

/** What reading one value gave. */
export type ReadResult<T> = { readonly value: T } | { readonly problem: string } | { readonly secret: string };

/** A kind of value: what is allowed, and how a raw value is read. */
export interface ValueType<T> {
  /** What is allowed, after "expected" (the README and every error say it). */
  readonly allowed: string;
  /** How an environment variable spells it, for the README ("comma-separated", "JSON"). @default one value */
  readonly spelling?: string;
  /** Reads `raw` as given in a source of `kind`. */
  readonly read: (raw: unknown, kind: SourceKind) => ReadResult<T>;
}

/** What a single value must be: a test and how to say what it allows. */
export interface Rule {
  readonly test: (value: string) => boolean;
  readonly allowed: string;
}

/** `a number`, `a list`, ... for "this is X" messages. */
export const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** A rule from a pattern (a RegExp or RE2-compatible text, as INPUT_LIMITS holds them) and a length. */
export const pattern = (re: RegExp | string, allowed: string, maxLength = Infinity): Rule => {
  const r = typeof re === "string" ? new RegExp(re) : re;
  return { test: (v) => r.test(v) && v.length <= maxLength, allowed };
};

/** One string following `rule`. */
export function text(rule: Rule): ValueType<string> {
  return {
    allowed: rule.allowed,
    read: (raw) => {
      if (typeof raw !== "string") return { problem: `this is ${typeOf(raw)}, expected one string: ${rule.allowed}` };
      const secret = secretKind(raw);
      if (secret !== undefined) return { secret };
      return rule.test(raw) ? { value: raw } : { problem: `expected ${rule.allowed}` };
    },
  };
}

/**
 * A list of strings, each following `rule`: comma-separated (or a JSON array) in a variable, a JSON
 * array or one comma-separated string in context, an array in the settings file. A list given as
 * text that names nothing (`,,`) is refused: it is a slip, not a way to say "none".
 */
export function list(rule: Rule, options: { readonly min?: number } = {}): ValueType<readonly string[]> {
  const min = options.min ?? 0;
  const each = `a list of strings, each ${rule.allowed}`;
  return {
    allowed: rule.allowed,
    spelling: "comma-separated",
    read: (raw, kind) => {
      let items: string[];
      if (typeof raw === "string" && kind !== "file" && raw.trim().startsWith("[")) {
        const parsed = parseJson(raw);
        if (parsed === undefined || !Array.isArray(parsed)) return { problem: `expected a comma-separated list or a JSON array of strings, each ${rule.allowed}` };
        raw = parsed;
      }
      if (typeof raw === "string" && kind !== "file") {
        items = raw.split(",").map((x) => x.trim()).filter((x) => x !== "");
        if (items.length === 0) return { problem: `names nothing (only commas and spaces); expected ${each}` };
      } else if (Array.isArray(raw)) {
        const bad = raw.findIndex((x) => typeof x !== "string" || x.trim() === "");
        if (bad >= 0) return { problem: `item ${bad + 1} is ${typeOf(raw[bad])}${raw[bad] === "" ? " (empty)" : ""}; expected ${each}` };
        items = raw.map((x: string) => x.trim());
      } else {
        const wanted = kind === "file" ? "a list of strings" : "a list of strings (a JSON array, or one comma-separated string)";
        return { problem: `this is ${typeOf(raw)}, expected ${wanted}: ${rule.allowed}` };
      }
      const secret = items.map((x) => secretKind(x)).find((k) => k !== undefined);
      if (secret !== undefined) return { secret };
      const bad = items.find((x) => !rule.test(x));
      if (bad !== undefined) return { problem: items.length > 1 ? `${showValue(bad)} is not ${rule.allowed}` : `expected ${rule.allowed}` };
      if (items.length < min) return { problem: `expected at least ${min} item${min === 1 ? "" : "s"}, each ${rule.allowed}` };
      return { value: items };
    },
  };
}

/** A number in [min, max]: a whole one unless `decimals`; text in a variable or context, a number in context or the file. */
export function number(limit: { readonly min: number; readonly max: number }, what: string, options: { readonly decimals?: boolean; readonly orZero?: string } = {}): ValueType<number> {
  const whole = !options.decimals;
  const allowed = options.orZero
    ? `a whole number of ${what} from ${Math.max(limit.min, 1)} to ${limit.max}, or 0 ${options.orZero}`
    : `${whole ? "a whole number" : "a number"} ${what ? `of ${what} ` : ""}from ${limit.min} to ${limit.max}`;
  return {
    allowed,
    read: (raw, kind) => {
      let n: number;
      if (typeof raw === "number" && kind !== "env") n = raw;
      else if (typeof raw === "string" && kind !== "file" && (whole ? /^-?[0-9]{1,9}$/ : /^-?[0-9]{1,9}(\.[0-9]{1,6})?$/).test(raw.trim())) n = Number(raw.trim());
      else if (typeof raw === "string" && kind !== "file") return { problem: `expected ${allowed}` };
      else return { problem: `this is ${typeOf(raw)}, expected ${allowed}` };
      if ((whole && !Number.isInteger(n)) || !(n >= limit.min && n <= limit.max)) return { problem: `expected ${allowed}` };
      return { value: n };
    },
  };
}

/** One of a few numbers (log retention days). */
export function numberOneOf(values: readonly number[], what: string): ValueType<number> {
  const allowed = `one of ${values.join(", ")} (${what})`;
  const inner = number({ min: -Infinity, max: Infinity }, "");
  return {
    allowed,
    read: (raw, kind) => {
      const r = inner.read(raw, kind);
      if (!("value" in r)) return typeof raw === "number" || typeof raw === "string" ? { problem: `expected ${allowed}` } : { problem: `this is ${typeOf(raw)}, expected ${allowed}` };
      return values.includes(r.value) ? r : { problem: `expected ${allowed}` };
    },
  };
}

/** true or false: the words in a variable or context, the value itself in context or the file. */
export function flag(): ValueType<boolean> {
  const allowed = "true or false";
  return {
    allowed,
    read: (raw, kind) => {
      if (typeof raw === "boolean" && kind !== "env") return { value: raw };
      if (typeof raw === "string" && kind !== "file" && (raw === "true" || raw === "false")) return { value: raw === "true" };
      return typeof raw === "string" && kind !== "file" ? { problem: `expected ${allowed}` } : { problem: `this is ${typeOf(raw)}, expected ${allowed}` };
    },
  };
}

/** One of a few words. */
export function oneOf<T extends string>(values: readonly T[]): ValueType<T> {
  const rule: Rule = { test: (v) => (values as readonly string[]).includes(v), allowed: `one of ${values.join(", ")}` };
  return text(rule) as ValueType<T>;
}

/** A map of strings (tags): `Key=Value,Key2=Value2` or a JSON object in a variable, an object in context or the file. */
export function stringMap(key: Rule, value: Rule, maxEntries = Infinity): ValueType<Readonly<Record<string, string>>> {
  const allowed = `keys ${key.allowed}, values ${value.allowed}`;
  return {
    allowed,
    spelling: "Key=Value,Key2=Value2 or a JSON object",
    read: (raw, kind) => {
      let entries: [string, unknown][];
      if (typeof raw === "string" && kind !== "file") {
        const parsed = raw.trim().startsWith("{") ? parseJson(raw) : undefined;
        if (parsed !== undefined && typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) entries = Object.entries(parsed);
        else {
          const pairs = raw.split(",").map((p) => p.trim()).filter((p) => p !== "");
          if (pairs.length === 0 || pairs.some((p) => !p.includes("="))) return { problem: `expected Key=Value pairs separated by commas (or a JSON object): ${allowed}` };
          entries = pairs.map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()]);
        }
      } else if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) entries = Object.entries(raw);
      else return { problem: `this is ${typeOf(raw)}, expected an object of strings: ${allowed}` };
      const secret = secretIn(Object.fromEntries(entries));
      if (secret !== undefined) return { secret };
      if (entries.length > maxEntries) return { problem: `holds ${entries.length} entries, expected at most ${maxEntries}` };
      for (const [k, v] of entries) {
        if (!key.test(k)) return { problem: `key ${showValue(k)} is not ${key.allowed}` };
        if (typeof v !== "string") return { problem: `${showValue(k)} is ${typeOf(v)}, expected a string: ${value.allowed}` };
        if (!value.test(v)) return { problem: `the value of ${showValue(k)} is not ${value.allowed}` };
      }
      return { value: Object.fromEntries(entries) as Record<string, string> };
    },
  };
}

/** A field of an object in a list of objects: its kind, and whether it must be given. */
export interface FieldSpec {
  readonly kind: "string" | "number" | "boolean" | "strings" | "record";
  readonly required?: boolean;
}

/**
 * The problem with one object's fields, or undefined: a field that is no field (suggesting the
 * nearest), a field of the wrong kind, a required one missing. Shared by the settings' lists of
 * objects and by the jobs of jobs.ts, which `tsx` runs without checking their types.
 */
export function fieldProblem(value: unknown, fields: Readonly<Record<string, FieldSpec>>): { field?: string; problem: string } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: `this is ${typeOf(value)}, expected an object with the fields ${Object.keys(fields).join(", ")}` };
  const names = Object.keys(fields);
  for (const [k, v] of Object.entries(value)) {
    const spec = fields[k];
    if (spec === undefined) {
      const near = nearestName(k, names);
      return { field: k, problem: `there is no field ${k}${near ? `; did you mean ${near}?` : `; the fields are ${names.join(", ")}`}` };
    }
    if (v === undefined) continue;
    const ok =
      spec.kind === "strings"
        ? Array.isArray(v) && v.every((x) => typeof x === "string")
        : spec.kind === "record"
          ? typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string")
          : typeof v === spec.kind;
    if (!ok) {
      const wanted = { string: "a string", number: "a number", boolean: "true or false (not in quotes)", strings: "a list of strings", record: "an object of strings" }[spec.kind];
      return { field: k, problem: `${k} = ${showValue(v)} is ${typeOf(v)}, expected ${wanted}` };
    }
  }
  const missing = names.find((n) => fields[n].required && (value as Record<string, unknown>)[n] === undefined);
  if (missing !== undefined) return { field: missing, problem: `${missing} is missing: it is required` };
  return undefined;
}

/**
 * A list of objects with `fields` (expected runs): a JSON array in a variable or context, an array
 * in the settings file; each object's fields checked, then `check` (the construct's own rules),
 * which throws to refuse.
 */
export function objects<T>(fields: Readonly<Record<string, FieldSpec>>, allowed: string, check: (item: T) => void): ValueType<readonly T[]> {
  return {
    allowed,
    spelling: "a JSON array",
    read: (raw, kind) => {
      let items: unknown = raw;
      if (typeof raw === "string" && kind !== "file") {
        items = parseJson(raw);
        if (items === undefined) return { problem: `expected a JSON array of objects: ${allowed}` };
      }
      if (!Array.isArray(items)) return { problem: `this is ${typeOf(items)}, expected a list of objects: ${allowed}` };
      const secret = secretIn(items);
      if (secret !== undefined) return { secret };
      for (const [i, item] of items.entries()) {
        const p = fieldProblem(item, fields);
        if (p) return { problem: `item ${i + 1}: ${p.problem}` };
        try {
          check(item as T);
        } catch (e) {
          return { problem: `item ${i + 1}: ${(e as Error).message}` };
        }
      }
      return { value: items as T[] };
    },
  };
}

/** JSON text parsed, or undefined when it is not JSON. */
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
