/** The synthesized alarm settings the drill evaluates (Terraform attribute names). */
export interface AlarmSpec {
  readonly alarm_name: string;
  readonly alarm_description?: string;
  readonly metric_name: string;
  readonly period: number;
  readonly evaluation_periods: number;
  readonly datapoints_to_alarm?: number;
  readonly threshold: number;
  readonly comparison_operator: "LessThanThreshold" | "GreaterThanThreshold" | "LessThanOrEqualToThreshold" | "GreaterThanOrEqualToThreshold";
  readonly treat_missing_data?: "breaching" | "notBreaching" | "ignore" | "missing";
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/**
 * CloudWatch's verdict for a Sum alarm at `nowMs`, over the last `evaluation_periods` whole
 * periods: ALARM when at least `datapoints_to_alarm` of them breach. Periods without a datapoint
 * count as breaching, not breaching, or not at all, as `treat_missing_data` says.
 */
export function evaluateAlarm(spec: AlarmSpec, datapointsMs: readonly number[], nowMs: number): AlarmState {
  const periodMs = spec.period * 1000;
  const end = Math.floor(nowMs / periodMs) * periodMs;
  const m = spec.datapoints_to_alarm ?? spec.evaluation_periods;
  let breaching = 0;
  let present = 0;
  for (let i = 0; i < spec.evaluation_periods; i++) {
    const from = end - (i + 1) * periodMs;
    const to = end - i * periodMs;
    const inPeriod = datapointsMs.filter((t) => t >= from && t < to);
    if (inPeriod.length === 0) {
      const treat = spec.treat_missing_data ?? "missing";
      if (treat === "breaching") breaching++;
      else if (treat === "notBreaching") present++;
      continue;
    }
    present++;
    if (breaches(spec, inPeriod.length)) breaching++;
  }
  if (breaching >= m) return "ALARM";
  if (present === 0 && breaching === 0) return "INSUFFICIENT_DATA";
  return "OK";
}

function breaches(spec: AlarmSpec, sum: number): boolean {
  switch (spec.comparison_operator) {
    case "LessThanThreshold":
      return sum < spec.threshold;
    case "LessThanOrEqualToThreshold":
      return sum <= spec.threshold;
    case "GreaterThanThreshold":
      return sum > spec.threshold;
    case "GreaterThanOrEqualToThreshold":
      return sum >= spec.threshold;
  }
}

/** One `$.path = value` term of a CloudWatch Logs JSON filter pattern. */
interface Term {
  readonly path: (string | number)[];
  readonly value: string | number;
}

/**
 * Parses the subset of CloudWatch Logs JSON filter patterns this project writes:
 * `{ ($.a.b = "x") && ($.c[0].d = 0) }`. Anything else is refused, so the drill never
 * silently evaluates a pattern it does not understand.
 */
export function parseFilterPattern(pattern: string): Term[] {
  const body = /^\{\s*(.*?)\s*\}$/.exec(pattern.trim());
  if (!body) throw new Error(`unsupported filter pattern (expected { ... }): ${pattern}`);
  return body[1].split("&&").map((raw) => {
    const m = /^\(?\s*\$\.([A-Za-z0-9_.[\]]+)\s*=\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)\s*\)?$/.exec(raw.trim());
    if (!m) throw new Error(`unsupported filter term: ${raw.trim()}`);
    const path = m[1].split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const value = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : Number(m[2]);
    return { path, value };
  });
}

/** Whether a logged JSON event matches a filter pattern parsed by {@link parseFilterPattern}. */
export function matchesFilterPattern(terms: readonly Term[], event: unknown): boolean {
  return terms.every(({ path, value }) => {
    let v: unknown = event;
    for (const key of path) v = v === null || typeof v !== "object" ? undefined : (v as Record<string | number, unknown>)[key];
    return v === value;
  });
}

/**
 * A CloudWatch Logs filter pattern that is one quoted phrase (`"launch pacer unavailable"`): it
 * matches every log event containing the phrase exactly, whatever surrounds it (Lambda's Text
 * format puts a timestamp, the request id and the level before the JSON). Anything else is refused.
 */
export function phraseMatcher(pattern: string): (line: string) => boolean {
  const m = /^"((?:[^"\\]|\\.)+)"$/.exec(pattern.trim());
  if (!m) throw new Error(`unsupported filter pattern (expected one quoted phrase): ${pattern}`);
  const phrase = JSON.parse(`"${m[1]}"`) as string;
  return (line) => line.includes(phrase);
}
