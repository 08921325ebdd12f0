/**
 * Rerun core: the one line an ended failure logs, which the pipeline's metric filters count (the
 * dashboard's recoveries, time to recovery, gave-up and needs-a-human counts). It is written bare,
 * the whole log event, so that a filter's JSON selectors (`$.outcome`, `$.secondsToRecovery`) read
 * it; see the handler's `writeOutcome`.
 */
import type { Decision, DecisionNext, LaunchFailure, RerunLambdaOutput } from "../../../shared/contract";
import { buildNotice, noticeKindAfterClassify, noticeKindAfterRerun } from "./notice";
import { publication, type NotifyPolicy } from "./notify-policy";

/** The `msg` of every outcome line: the metric filters select on it. */
export const OUTCOME_MESSAGE = "failure ended";

/** How a failure ended, by the decision that ended it; a decision not listed leaves it open (or is no failure of its own). */
export const OUTCOME_OF_DECISION: Readonly<Partial<Record<DecisionNext, string>>> = {
  recovered: "recovered",
  gave_up: "gave_up",
  needs_human: "needs_human",
  not_retryable: "not_retryable",
  report: "program_failed",
};

/** The outcomes a line may carry. */
export const OUTCOMES = ["recovered", "gave_up", "needs_human", "not_retryable", "program_failed"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What an outcome line holds. */
export interface OutcomeRecord {
  readonly msg: typeof OUTCOME_MESSAGE;
  readonly outcome: Outcome;
  /** recovered only: seconds from the failed launch (its event's time) to its replacement seen started. */
  readonly secondsToRecovery?: number;
  readonly attempts: number;
  readonly foundBy: "event" | "reconciler";
  readonly eventId: string;
  readonly executionArn: string;
  readonly account: string;
  readonly region: string;
  readonly cluster: string;
  readonly taskDefinition: string;
}

/**
 * The outcome line of a decision that ends the failure, or undefined for one that leaves it open
 * (retry, verify, later) or is no failure of its own (already_handled: counted by the execution that
 * launched the task; self_test). A Lambda invocation retried after it died may log its line twice:
 * the counts are a close reading, the executions the ledger.
 */
export function outcomeLine(failure: LaunchFailure, decision: Decision, executionArn: string, nowMs: number): string | undefined {
  const outcome = OUTCOME_OF_DECISION[decision.next] as Outcome | undefined;
  if (outcome === undefined) return undefined;
  const started = Date.parse(failure.eventTime);
  const record: OutcomeRecord = {
    msg: OUTCOME_MESSAGE,
    outcome,
    ...(outcome === "recovered" && Number.isFinite(started) ? { secondsToRecovery: Math.max(0, Math.round((nowMs - started) / 1000)) } : {}),
    attempts: failure.attemptsLaunched,
    foundBy: failure.foundBy ?? "event",
    eventId: failure.eventId,
    executionArn,
    account: failure.account,
    region: failure.region,
    cluster: failure.cluster,
    taskDefinition: failure.taskDefinition,
  };
  return JSON.stringify(record);
}

/** What one step of the rerun Lambda hands the state machine, and the outcome line it writes when it ends the failure. */
export interface Answer {
  readonly output: RerunLambdaOutput;
  readonly outcomeLine?: string;
}

/**
 * The Lambda's answer to the state machine for `decision`, reached after `after`: which steps are
 * told is decided here by the notify policy (NOTIFY) and routed on by the state machine
 * (`decision.publish`); an execution that ends here is counted once, by its outcome line.
 */
export function answerFor(policy: NotifyPolicy, failure: LaunchFailure, decision: Decision, executionArn: string, after: "classify" | "rerun", nowMs: number): Answer {
  const kind = after === "classify" ? noticeKindAfterClassify(decision) : noticeKindAfterRerun(decision);
  const told = publication(policy, failure, decision, kind, nowMs);
  const notice = buildNotice(told.kind, told.failure, told.decision, executionArn, nowMs);
  return {
    output: { failure: told.failure, decision: told.decision, notice, noticeMessage: JSON.stringify(notice) },
    outcomeLine: outcomeLine(told.failure, told.decision, executionArn, nowMs),
  };
}
