/**
 * EventBridge schedule expressions (`rate(...)`, `cron(...)`), checked at synth time as EventBridge
 * checks them at apply time, so a typo fails in seconds with the field that is wrong rather than
 * minutes later in `terraform apply`. The grammar follows AWS's "Cron expressions reference"
 * (EventBridge user guide): six fields, with the values and wildcards of {@link CRON_FIELDS}.
 */

/** A parsed EventBridge schedule expression. */
export type Schedule =
  | { readonly kind: "rate"; readonly value: number; readonly unit: "minute" | "hour" | "day"; readonly seconds: number }
  | { readonly kind: "cron"; readonly fields: readonly string[] };

/** Thrown for a schedule expression EventBridge would reject. */
export class InvalidScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidScheduleError";
  }
}

const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86400 } as const;

/** One field of a cron expression: its values and the wildcards AWS documents for it. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names standing for min, min + 1, ... */
  readonly names?: readonly string[];
  /** The documented wildcards besides `,` `-` `*`. */
  readonly slash: boolean;
  readonly question: boolean;
  readonly last: boolean;
  readonly weekday: boolean;
  readonly nth: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const none = { slash: false, question: false, last: false, weekday: false, nth: false };

/** The six fields, in order, as the EventBridge user guide lists them. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: "minutes", min: 0, max: 59, ...none, slash: true },
  { name: "hours", min: 0, max: 23, ...none, slash: true },
  { name: "day-of-month", min: 1, max: 31, ...none, slash: true, question: true, last: true, weekday: true },
  { name: "month", min: 1, max: 12, names: MONTHS, ...none, slash: true },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, ...none, question: true, last: true, nth: true },
  { name: "year", min: 1970, max: 2199, ...none, slash: true },
];

/** What a field takes, for error messages: `minutes take 0-59 and the wildcards , - * /`. */
function allowed(f: CronField): string {
  const values = `${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ""}`;
  const wildcards = [",", "-", "*", f.slash && "/", f.question && "?", f.last && "L", f.weekday && "W", f.nth && "#"].filter(Boolean).join(" ");
  return `${f.name} takes ${values} and the wildcards ${wildcards}`;
}

/** Why one value of a field is wrong (undefined when it is a number or name in range). */
function valueProblem(v: string, f: CronField): string | undefined {
  if (f.names?.includes(v.toUpperCase())) return undefined;
  if (!/^\d+$/.test(v)) return `"${v}" is not a number${f.names ? " or a name" : ""}`;
  const n = Number(v);
  return n < f.min || n > f.max ? `${v} is out of range` : undefined;
}

/**
 * The one-day forms: `L`, `LW`, `L-N`, `NW` in day-of-month; `L`, `NL`, `N#K` in day-of-week.
 * Returns undefined when `item` is not one of them, else its problem ("" when it is fine).
 */
function oneDayProblem(item: string, f: CronField): string | undefined {
  const u = item.toUpperCase();
  if (f.name === "day-of-month") {
    if (u === "L" || u === "LW") return "";
    const offset = /^L-(\d+)$/.exec(u);
    if (offset) return Number(offset[1]) >= 1 && Number(offset[1]) <= 30 ? "" : `"${item}": the offset from the last day is 1-30`;
    if (/^\d+W$/.test(u)) return valueProblem(u.slice(0, -1), f) ?? "";
  }
  if (f.name === "day-of-week") {
    if (u === "L") return "";
    // Stryker disable next-line OptionalChaining: day-of-week always has its names (DAYS); the ?. only keeps the type checker content.
    if (u.endsWith("L") && !f.names?.includes(u)) return valueProblem(u.slice(0, -1), f) ?? "";
    if (u.includes("#")) {
      const [day, nth, extra] = u.split("#");
      if (extra !== undefined) return `"${item}": expected DAY#N`;
      const p = valueProblem(day, f);
      if (p) return p;
      return /^[1-5]$/.test(nth) ? "" : `"${item}": the week of the month after # is 1-5`;
    }
  }
  return undefined;
}

/** Why one field is wrong (undefined when EventBridge accepts it). */
export function cronFieldProblem(text: string, f: CronField): string | undefined {
  if (text === "?") return f.question ? undefined : `"?" is only for day-of-month and day-of-week`;
  const items = text.split(",");
  for (const item of items) {
    if (item === "") return "an empty value between commas";
    if (item === "?") return `"?" must be the field's only value`;
    const oneDay = f.last || f.weekday || f.nth ? oneDayProblem(item, f) : undefined;
    if (oneDay !== undefined) {
      if (oneDay !== "") return oneDay;
      // AWS (like Quartz, whose syntax this is) refuses these in a list ("3#1,6#3" is invalid).
      if (items.length > 1) return `"${item}" must be the field's only value, not part of a list`;
      continue;
    }
    const [range, step, extraStep] = item.split("/");
    if (step !== undefined) {
      if (!f.slash) return `"/" is not a ${f.name} wildcard`;
      if (extraStep !== undefined || !/^\d+$/.test(step) || Number(step) < 1 || Number(step) > f.max - f.min) {
        return `"${item}": the increment after / is a whole number from 1 to ${f.max - f.min}`;
      }
    }
    if (range === "*") continue;
    const [low, high, extra] = range.split("-");
    if (extra !== undefined) return `"${range}" is not a range (expected LOW-HIGH)`;
    for (const end of high === undefined ? [low] : [low, high]) {
      const p = valueProblem(end, f);
      if (p) return p;
    }
    // Other fields wrap around (22-2 in hours, FRI-MON); years cannot.
    if (high !== undefined && f.name === "year" && Number(low) > Number(high)) return `"${range}" runs backwards`;
  }
  return undefined;
}

function parseRate(expression: string, body: string): Schedule {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) {
    throw new InvalidScheduleError(`schedule "${expression}": expected rate(VALUE UNIT), VALUE a positive whole number and UNIT minute(s), hour(s) or day(s), e.g. rate(1 day) or rate(15 minutes)`);
  }
  const value = Number(m[1]);
  const word = m[2];
  const unit = word.replace(/s$/, "") as keyof typeof UNIT_SECONDS;
  if (value < 1) throw new InvalidScheduleError(`schedule "${expression}": the rate must be a positive whole number`);
  // EventBridge wants the singular unit for 1 ("rate(1 hour)") and the plural otherwise ("rate(5 hours)").
  if ((value === 1) !== (word === unit)) {
    throw new InvalidScheduleError(`schedule "${expression}": use "${unit}" for a value of 1 and "${unit}s" otherwise, e.g. rate(1 ${unit}) or rate(5 ${unit}s)`);
  }
  return { kind: "rate", value, unit, seconds: value * UNIT_SECONDS[unit] };
}

function parseCron(expression: string, body: string): Schedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new InvalidScheduleError(
      `schedule "${expression}": cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  fields.forEach((text, i) => {
    const problem = cronFieldProblem(text, CRON_FIELDS[i]);
    if (problem) throw new InvalidScheduleError(`schedule "${expression}": ${CRON_FIELDS[i].name} "${text}" is invalid: ${problem}; ${allowed(CRON_FIELDS[i])}`);
  });
  // EventBridge rejects a cron that sets both day fields, or neither: exactly one of them must be "?".
  if ((fields[2] === "?") === (fields[4] === "?")) {
    throw new InvalidScheduleError(`schedule "${expression}": exactly one of day-of-month and day-of-week must be "?"`);
  }
  return { kind: "cron", fields };
}

/** Parses `rate(...)` or `cron(...)` as EventBridge accepts them; throws naming the bad part. */
export function parseSchedule(expression: string): Schedule {
  const m = /^(rate|cron)\((.*)\)$/.exec(expression);
  if (m) return m[1] === "rate" ? parseRate(expression, m[2]) : parseCron(expression, m[2]);
  throw new InvalidScheduleError(
    `schedule "${expression}" is neither rate(...) nor cron(...); e.g. "rate(1 day)" or "cron(0 3 * * ? *)"`,
  );
}

/** The interval a schedule implies: a rate's own; a cron's must be given (cron spacing varies). */
export function scheduleIntervalSeconds(schedule: string, cronIntervalSeconds: number | undefined, where: string): number {
  const parsed = parseSchedule(schedule);
  if (parsed.kind === "rate") return parsed.seconds;
  if (cronIntervalSeconds === undefined) {
    throw new InvalidScheduleError(`${where}: schedule "${schedule}" is a cron expression; give expectedIntervalSeconds (the longest gap between two runs) so a missed run can be alarmed`);
  }
  return cronIntervalSeconds;
}
