/** EventBridge schedule expressions: parsing rate(...) and cron(...) as EventBridge accepts them. */
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

/**
 * Parses `rate(...)` or `cron(...)` as EventBridge accepts them.
 * EventBridge wants the singular unit for 1 ("rate(1 hour)") and the plural otherwise ("rate(5 hours)").
 */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const word = rate[2];
    const unit = word.replace(/s$/, "") as keyof typeof UNIT_SECONDS;
    if (value < 1) throw new InvalidScheduleError(`schedule "${expression}": the rate must be a positive whole number`);
    if ((value === 1) !== (word === unit)) {
      throw new InvalidScheduleError(
        `schedule "${expression}": use "${unit}" for a value of 1 and "${unit}s" otherwise, e.g. rate(1 ${unit}) or rate(5 ${unit}s)`,
      );
    }
    return { kind: "rate", value, unit, seconds: value * UNIT_SECONDS[unit] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new InvalidScheduleError(
        `schedule "${expression}": cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
      );
    }
    // EventBridge rejects a cron that sets both day fields: one of them must be "?".
    if ((fields[2] === "?") === (fields[4] === "?")) {
      throw new InvalidScheduleError(
        `schedule "${expression}": exactly one of day-of-month and day-of-week must be "?"`,
      );
    }
    return { kind: "cron", fields };
  }
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
