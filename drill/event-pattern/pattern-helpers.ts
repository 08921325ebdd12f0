// Small helpers shared by pattern compilation, the operators and event flattening.

import type { Scalar } from "./pattern-model";

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}

/** JSON-encoded so that a key containing "." never collides with a nested path. */
export function fieldKey(segments: readonly string[]): string {
  return JSON.stringify(segments);
}

export function displayPath(segments: readonly string[]): string {
  return segments.join(".");
}

export function startsWith(value: string, affix: string): boolean {
  return value.startsWith(affix);
}

export function endsWith(value: string, affix: string): boolean {
  return value.endsWith(affix);
}

export function foldCase(text: string): string {
  return text.toLowerCase();
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
