/**
 * The pipeline's own metrics the dashboard draws, each with where it comes from: a metric filter on
 * the starter's or the rerun Lambda's log lines (the house pattern: launch-pacer.ts, the reconciler),
 * or a metric AWS or the state machine emits. Pure data, shared by the filters, the dashboard's body
 * and the tests that prove every metric is really emitted.
 */
import { LAUNCH_PACED } from "../../../lambda/rerun/pacer";
import { OUTCOME_MESSAGE, type Outcome } from "../../../lambda/rerun/core/notices/outcome";
import { EXECUTION_STARTED } from "../../../lambda/starter/messages";

/** Which log group a filter reads: the starter's (one line per execution it starts) or the rerun Lambda's. */
export type MetricSource = "starter" | "rerun";

/** One metric filter: its metric (in the pipeline's namespace `ECSRerun/<name>`), the log group, pattern and value. */
export interface MetricFilterSpec {
  /** The metric's name. */
  readonly metric: string;
  /** The log group it reads. */
  readonly source: MetricSource;
  /** The CloudWatch Logs filter pattern: one quoted phrase (the line's prefix may be anything), or JSON selectors on a bare JSON line. */
  readonly pattern: string;
  /** What each matching line adds: "1", or a JSON selector of the value. */
  readonly value: string;
  /** The metric's unit. */
  readonly unit: "Count" | "Seconds";
  /** Whether it exists only when reruns are paced (the launch pacer's table). */
  readonly pacedOnly?: boolean;
}

/** A JSON filter pattern on the rerun Lambda's outcome line (lambda/rerun/core/notices/outcome.ts) of one outcome. */
export const outcomePattern = (outcome: Outcome): string => `{ ($.msg = ${JSON.stringify(OUTCOME_MESSAGE)}) && ($.outcome = ${JSON.stringify(outcome)}) }`;

/** The metrics the dashboard adds, by key. */
export const PIPELINE_METRICS = {
  foundByEvent: { metric: "FoundByEvent", source: "starter", pattern: JSON.stringify(EXECUTION_STARTED), value: "1", unit: "Count" },
  recoveries: { metric: "Recoveries", source: "rerun", pattern: outcomePattern("recovered"), value: "1", unit: "Count" },
  secondsToRecovery: { metric: "SecondsToRecovery", source: "rerun", pattern: outcomePattern("recovered"), value: "$.secondsToRecovery", unit: "Seconds" },
  gaveUp: { metric: "GaveUp", source: "rerun", pattern: outcomePattern("gave_up"), value: "1", unit: "Count" },
  needsHuman: { metric: "NeedsHuman", source: "rerun", pattern: outcomePattern("needs_human"), value: "1", unit: "Count" },
  notRetryable: { metric: "NotRetryable", source: "rerun", pattern: outcomePattern("not_retryable"), value: "1", unit: "Count" },
  launchesPaced: { metric: "LaunchesPaced", source: "rerun", pattern: JSON.stringify(LAUNCH_PACED), value: "1", unit: "Count", pacedOnly: true },
} as const satisfies Record<string, MetricFilterSpec>;

/** The pipeline's own namespace, where its filters (these, the pacer's, the reconciler's, the missed runs') publish. */
export const pipelineNamespace = (name: string): string => `ECSRerun/${name}`;
