/** Pure pieces of the missed-run watch: expected runs, alarm shapes and the successful-run pattern. */
import type { IResolvable } from "cdktf";
import { hcl, type RawHcl } from "../../hcl/hcl-expression";
import { InputError } from "../../input-error";

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
export class ExpectedRunError extends InputError {
  constructor(message: string) {
    super("expectedRuns", message);
    this.name = "ExpectedRunError";
  }
}

/**
 * What an expected run may be. The construct checks literal runs against these; the Terraform module
 * turns them into `validation` blocks of `expected_runs`, so both refuse the same runs.
 */
export const EXPECTED_RUN_LIMITS = {
  /** A job's name: it ends up in alarm, filter and metric names. */
  namePattern: "^[a-zA-Z0-9-]{1,60}$",
  /** Shortest interval, in seconds. */
  minIntervalSeconds: 60,
  /** Grace when none is given, in seconds. */
  defaultGraceSeconds: 3600,
  /** CloudWatch evaluates at most 7 days of data for one alarm (period x evaluation periods). */
  maxWindowSeconds: 7 * 86400,
} as const;

const MAX_WINDOW_SECONDS = EXPECTED_RUN_LIMITS.maxWindowSeconds;
/** Windows at least this long are judged on hourly periods, shorter ones on five-minute periods. */
const LONG_WINDOW_SECONDS = 2 * 3600;
const LONG_PERIOD_SECONDS = 3600;
const SHORT_PERIOD_SECONDS = 300;

/**
 * The alarm's shape for a window of `interval + grace`: breaching when every period in the window
 * had no successful run. Periods are an hour for long windows (few datapoints, cheap) and five
 * minutes for short ones (so a 15-minute job is not judged on a one-hour grid).
 */
export function missedRunAlarmShape(intervalSeconds: number, graceSeconds: number): { period: number; evaluationPeriods: number } {
  const window = intervalSeconds + graceSeconds;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < EXPECTED_RUN_LIMITS.minIntervalSeconds) {
    throw new ExpectedRunError(`intervalSeconds = ${intervalSeconds} is invalid: expected a whole number of at least ${EXPECTED_RUN_LIMITS.minIntervalSeconds}`);
  }
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new ExpectedRunError(`graceSeconds = ${graceSeconds} is invalid: expected a whole number of at least 0`);
  if (window > MAX_WINDOW_SECONDS) {
    throw new ExpectedRunError(`interval + grace = ${window} s is invalid: CloudWatch alarms look back at most ${MAX_WINDOW_SECONDS} s (7 days)`);
  }
  const period = window >= LONG_WINDOW_SECONDS ? LONG_PERIOD_SECONDS : SHORT_PERIOD_SECONDS;
  return { period, evaluationPeriods: Math.ceil(window / period) };
}

/**
 * {@link missedRunAlarmShape} as Terraform expressions, for an interval and a grace only Terraform
 * knows (the module's validation blocks have checked them). The module's tests evaluate both and compare.
 */
export function missedRunAlarmShapeExpression(intervalSeconds: number, graceSeconds: number): { period: IResolvable; evaluationPeriods: IResolvable } {
  const period = hcl`${intervalSeconds} + ${graceSeconds} >= ${LONG_WINDOW_SECONDS} ? ${LONG_PERIOD_SECONDS} : ${SHORT_PERIOD_SECONDS}`;
  return { period, evaluationPeriods: hcl`ceil((${intervalSeconds} + ${graceSeconds}) / ${period})` };
}

/** Validates an expected run and applies its defaults. */
export function resolveExpectedRun(run: ExpectedRun): Required<Pick<ExpectedRun, "name" | "intervalSeconds" | "graceSeconds">> & ExpectedRun {
  if (!new RegExp(EXPECTED_RUN_LIMITS.namePattern).test(run.name)) throw new ExpectedRunError(`expectedRuns name = ${JSON.stringify(run.name)} is invalid: expected 1-60 letters, digits or dashes`);
  if ((run.family === undefined) === (run.startedBy === undefined)) {
    throw new ExpectedRunError(`expectedRuns "${run.name}" is invalid: give exactly one of family and startedBy`);
  }
  const graceSeconds = run.graceSeconds ?? EXPECTED_RUN_LIMITS.defaultGraceSeconds;
  missedRunAlarmShape(run.intervalSeconds, graceSeconds);
  return { ...run, graceSeconds };
}

/**
 * EventBridge pattern for the tasks that may have been a successful run on a protected cluster:
 * stopped after an essential container exited, some container with exit code 0. Whether every
 * essential one did is for the run counter to judge (EventBridge cannot say "every", nor which
 * containers are essential).
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

/**
 * {@link successfulRunPattern} as a Terraform expression (a JSON string) of clusterArn matchers only
 * Terraform knows: `matchers` is the HCL list expression of the decoded matchers.
 */
export function successfulRunPatternExpression(matchers: RawHcl | IResolvable | readonly string[]): IResolvable {
  return hcl`jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["ECS Task State Change"]
  detail = {
    clusterArn = ${matchers}
    lastStatus = ["STOPPED"]
    stopCode   = ["EssentialContainerExited"]
    containers = { exitCode = [0] }
  }
})`;
}

/** What an expected run watches, by its family or its `startedBy` (exactly one is set). */
type Selection = { readonly family: string; readonly startedBy?: undefined } | { readonly family?: undefined; readonly startedBy: string };

const selectionOf = (run: ExpectedRun): Selection => (run.family !== undefined ? { family: run.family } : { startedBy: run.startedBy! });
/**
 * Selects one job's counted runs among the run counter's lines (lambda/run-counter): the counter has
 * judged every essential container, which no filter on the event itself could (events list
 * sidecars too, often first, and carry no `essential` flag).
 */
const filterPatternOf = (s: Selection) => `{ ($.msg = "successful run") && (${s.family !== undefined ? `$.group = "family:${s.family}"` : `$.startedBy = "${s.startedBy}"`}) }`;
const subjectOf = (s: Selection) => (s.family !== undefined ? `task definition family ${s.family}` : `tasks started by ${s.startedBy}`);

/** CloudWatch Logs filter pattern selecting one expected run's successes among the logged events. */
export function successFilterPattern(run: ExpectedRun): string {
  return filterPatternOf(selectionOf(run));
}

/** The words naming what an expected run watches, for its alarm's description. */
export function expectedRunSubject(run: ExpectedRun): string {
  return subjectOf(selectionOf(run));
}

/** The description of an expected run's alarm; values may be Terraform expressions (string tokens). */
export function missedRunAlarmDescription(subject: string, intervalSeconds: number | string, graceSeconds: number | string, windowSeconds: number | string): string {
  return `No successful run of ${subject} for ${windowSeconds} s (interval ${intervalSeconds} s + grace ${graceSeconds} s): the job was not invoked, or every run failed.`;
}

/**
 * An expected run as Terraform holds it: an element of the module's `expected_runs`, every attribute
 * present (null where unset, `grace_seconds` defaulted by the variable's type).
 */
export interface ExpectedRunObject {
  readonly name: string;
  readonly family: string | null;
  readonly started_by: string | null;
  readonly interval_seconds: number;
  readonly grace_seconds: number;
}

/** A literal expected run (which may hold Terraform expressions) as the object Terraform holds. */
export function expectedRunObject(run: ExpectedRun): ExpectedRunObject {
  return {
    name: run.name,
    family: run.family ?? null,
    started_by: run.startedBy ?? null,
    interval_seconds: run.intervalSeconds,
    grace_seconds: run.graceSeconds ?? EXPECTED_RUN_LIMITS.defaultGraceSeconds,
  };
}

/**
 * {@link successFilterPattern} and {@link expectedRunSubject} as Terraform expressions, for a run
 * whose `family` and `startedBy` only Terraform knows (string expressions, one of them null). Both are
 * the pure functions' own text with the expression in it; only the branch taken is evaluated, so the
 * null of the other never reaches a template.
 */
export function expectedRunTextsExpression(family: string, startedBy: string): { filterPattern: IResolvable; subject: IResolvable } {
  const byFamily: Selection = { family };
  const byStartedBy: Selection = { startedBy };
  return {
    filterPattern: hcl`${family} != null ? ${filterPatternOf(byFamily)} : ${filterPatternOf(byStartedBy)}`,
    subject: hcl`${family} != null ? ${subjectOf(byFamily)} : ${subjectOf(byStartedBy)}`,
  };
}
