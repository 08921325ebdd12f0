/** Typed readers of Lambda environment variables whose errors name the variable, the value and what is allowed. */
import { ConfigurationError } from "./errors";

/**
 * Helpers for `readConfig(env)`. An unset or blank variable means "use the default" (Terraform
 * often renders unset optional values as ""). Every error names the variable, the value and what
 * is allowed.
 */
export type Env = Record<string, string | undefined>;

export function envValue(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw.trim();
}

function invalid(name: string, raw: string, allowed: string): ConfigurationError {
  return new ConfigurationError(`${name}=${JSON.stringify(raw)} is invalid: expected ${allowed}`);
}

export function requiredString(env: Env, name: string, what: string): string {
  const value = envValue(env, name);
  if (value === undefined) {
    throw new ConfigurationError(`${name} is required (${what}) but is not set`);
  }
  return value;
}

export function intInRange(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const allowed = `an integer from ${min} to ${max}`;
  if (!/^-?\d+$/.test(raw)) throw invalid(name, raw, allowed);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(name, raw, allowed);
  return value;
}

export function numberInRange(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const allowed = `a number from ${min} to ${max}`;
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(raw)) throw invalid(name, raw, allowed);
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw invalid(name, raw, allowed);
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw invalid(name, raw, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  return raw as T;
}

export function jsonStringArray(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = envValue(env, name);
  if (raw === undefined) return [...fallback];
  const allowed = 'a JSON array of non-empty strings, e.g. ["AGENT","RESOURCE:*"]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(name, raw, allowed);
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string" && p.trim() !== "")) {
    throw invalid(name, raw, allowed);
  }
  return parsed as string[];
}
