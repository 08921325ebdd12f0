// The error an event pattern EventBridge's PutRule would reject raises, and the helpers that
// raise and describe it.

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

export function fail(path: string, value: unknown, reason: string): never {
  throw new InvalidEventPatternError(path, value, reason);
}

export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 197)}...` : json;
}
