import { parseSchedule } from "./schedule";

/** A job that must succeed at least once per interval: the dead man's switch watches for its absence. */
export interface ExpectedRun {
  /** Name of the job, used in the alarm's name (letters, digits, dashes). */
  readonly name: string;
  /** Task definition family whose successful runs count. Exactly one of family and startedBy. */
  readonly family?: string;
  /** `startedBy` value whose successful runs count (e.g. "events-rule/nightly-report"). */
  readonly startedBy?: string;
  /** Longest normal gap between two successful runs, in seconds. */
  readonly intervalSeconds: number;
  /** Slack on top of the interval before alarming (runs take time; schedules drift). @default 3600 */
  readonly graceSeconds?: number;
}

/** Thrown for an expected run CloudWatch cannot alarm on. */
export class ExpectedRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpectedRunError";
  }
}

// CloudWatch evaluates at most 7 days of data for one alarm (period x evaluation periods).
const MAX_WINDOW_SECONDS = 7 * 86400;

/**
 * The alarm's shape for a window of `interval + grace`: breaching when every period in the window
 * had no successful run. Periods are an hour for long windows (few datapoints, cheap) and five
 * minutes for short ones (so a 15-minute job is not judged on a one-hour grid).
 */
export function missedRunAlarmShape(intervalSeconds: number, graceSeconds: number): { period: number; evaluationPeriods: number } {
  const window = intervalSeconds + graceSeconds;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 60) throw new ExpectedRunError(`intervalSeconds = ${intervalSeconds} is invalid: expected a whole number of at least 60`);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new ExpectedRunError(`graceSeconds = ${graceSeconds} is invalid: expected a whole number of at least 0`);
  if (window > MAX_WINDOW_SECONDS) {
    throw new ExpectedRunError(`interval + grace = ${window} s is invalid: CloudWatch alarms look back at most ${MAX_WINDOW_SECONDS} s (7 days)`);
  }
  const period = window >= 2 * 3600 ? 3600 : 300;
  return { period, evaluationPeriods: Math.ceil(window / period) };
}

/** Validates an expected run and applies its defaults. */
export function resolveExpectedRun(run: ExpectedRun): Required<Pick<ExpectedRun, "name" | "intervalSeconds" | "graceSeconds">> & ExpectedRun {
  if (!/^[a-zA-Z0-9-]{1,60}$/.test(run.name)) throw new ExpectedRunError(`expectedRuns name = ${JSON.stringify(run.name)} is invalid: expected 1-60 letters, digits or dashes`);
  if ((run.family === undefined) === (run.startedBy === undefined)) {
    throw new ExpectedRunError(`expectedRuns "${run.name}" is invalid: give exactly one of family and startedBy`);
  }
  const graceSeconds = run.graceSeconds ?? 3600;
  missedRunAlarmShape(run.intervalSeconds, graceSeconds);
  return { ...run, graceSeconds };
}

/** The interval a schedule implies: a rate's own; a cron's must be given (cron spacing varies). */
export function scheduleIntervalSeconds(schedule: string, cronIntervalSeconds: number | undefined, where: string): number {
  const parsed = parseSchedule(schedule);
  if (parsed.kind === "rate") return parsed.seconds;
  if (cronIntervalSeconds === undefined) {
    throw new ExpectedRunError(`${where}: schedule "${schedule}" is a cron expression; give expectedIntervalSeconds (the longest gap between two runs) so a missed run can be alarmed`);
  }
  return cronIntervalSeconds;
}

/**
 * EventBridge pattern for a task that stopped after its essential container exited 0 on a protected
 * cluster. EventBridge cannot say "every container exited 0", so the metric filter below also checks
 * the first container: exact for the one-container tasks the `ecs-cluster` stack defines.
 */
export function successfulRunPattern(clusterArnMatchers: readonly unknown[]): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [...clusterArnMatchers],
      lastStatus: ["STOPPED"],
      stopCode: ["EssentialContainerExited"],
      containers: { exitCode: [0] },
    },
  };
}

/** CloudWatch Logs filter pattern selecting one expected run's successes among the logged events. */
export function successFilterPattern(run: ExpectedRun): string {
  const selector = run.family !== undefined ? `$.detail.group = "family:${run.family}"` : `$.detail.startedBy = "${run.startedBy}"`;
  return `{ (${selector}) && ($.detail.containers[0].exitCode = 0) }`;
}
