/** Rerun core: which notice kind a decision gives, and the notice itself (what the notifier formats). */
import type { Decision, LaunchFailure, Notice, NoticeKind } from "../../../shared/contract";
import { openSeconds } from "./notify-policy";
import { hiddenValues, runTaskCommand } from "../failure/request-source";

/**
 * What a by-hand command rebuilt from `failure.request` leaves out, for a not-retryable notice
 * (whose request was not looked up at its schedule): values CloudTrail hid, or the members a task
 * record does not carry.
 */
export function commandLacks(failure: LaunchFailure): string[] {
  if (failure.source === "cloudtrail") return hiddenValues(failure.request).map((h) => `${h} (hidden by CloudTrail)`);
  return (failure.notCarriedOver ?? []).map((m) => `${m} (not in the task record)`);
}

/** Notice kind after classify: one message per event (not_retryable and program_failed say "a human must look"). */
export function noticeKindAfterClassify(decision: Decision): NoticeKind {
  switch (decision.next) {
    case "not_retryable":
      return "not_retryable";
    case "needs_human":
      return "needs_human";
    case "report":
      return "program_failed";
    case "gave_up":
      return "gave_up";
    case "retry":
    case "verify":
    case "later":
    case "recovered":
    case "already_handled":
      return "detected";
    case "self_test":
      return "self_test";
  }
}

/**
 * Notice kind after a rerun. `verify` maps to "retrying" only so that every output has a notice
 * of the same shape: the state machine does not publish notices of verification rounds.
 */
export function noticeKindAfterRerun(decision: Decision): NoticeKind {
  switch (decision.next) {
    case "retry":
    case "verify":
    case "later":
    case "already_handled":
      return "retrying";
    case "report":
      return "program_failed";
    case "recovered":
    case "gave_up":
    case "not_retryable":
    case "needs_human":
    case "self_test":
      return decision.next;
  }
}

/** Kinds that report where a failure stands after a while: they say how long it has been open. */
const TIMED_KINDS: ReadonlySet<NoticeKind> = new Set(["still_trying", "recovered", "gave_up", "not_retryable", "program_failed", "needs_human"]);

/**
 * The notice of one step. `nowMs` (the step's time) gives outcome notices `openSeconds`, the time
 * since the failure was detected; without it, or before detection was recorded, there is none.
 */
export function buildNotice(kind: NoticeKind, failure: LaunchFailure, decision: Decision, executionArn: string, nowMs?: number): Notice {
  const timed = nowMs !== undefined && failure.detectedAt !== undefined && TIMED_KINDS.has(kind);
  const first = failure.firstReasons;
  const firstDiffers = first !== undefined && first.length > 0 && first.join("\n") !== failure.reasons.join("\n");
  const firstLog = (failure.containers ?? []).find((c) => c.logGroup !== undefined && c.logStream !== undefined);
  return {
    kind,
    source: failure.source,
    failureType: failure.failureType,
    cluster: failure.cluster,
    clusterName: failure.clusterName,
    taskDefinition: failure.taskDefinition,
    action: failure.action,
    reasons: [...failure.reasons],
    attempt: decision.attempt,
    maxAttempts: decision.maxAttempts,
    requested: failure.requested,
    placed: failure.placed,
    remaining: failure.remaining,
    ...(decision.next === "retry" ? { nextDelaySeconds: decision.delaySeconds } : {}),
    ...(decision.message !== undefined ? { message: decision.message } : {}),
    eventId: failure.eventId,
    executionArn,
    region: failure.region,
    account: failure.account,
    ...(failure.startedBy !== undefined ? { startedBy: failure.startedBy } : {}),
    eventTime: failure.eventTime,
    taskArns: [...failure.taskArns],
    ...(failure.notCarriedOver !== undefined ? { notCarriedOver: [...failure.notCarriedOver] } : {}),
    ...(failure.stoppedReason !== undefined ? { stoppedReason: failure.stoppedReason } : {}),
    ...(failure.taskArn !== undefined ? { taskArn: failure.taskArn } : {}),
    ...(failure.containers !== undefined ? { containers: failure.containers.map((c) => ({ ...c })) } : {}),
    ...(firstLog
      ? { logGroup: firstLog.logGroup, logStream: firstLog.logStream, ...(firstLog.logRegion ? { logRegion: firstLog.logRegion } : {}) }
      : {}),
    ...(failure.requestSource !== undefined ? { requestSource: failure.requestSourceDetail ? `${failure.requestSource} (${failure.requestSourceDetail})` : failure.requestSource } : {}),
    ...(failure.stopCode !== undefined ? { stopCode: failure.stopCode } : {}),
    ...(failure.foundBy !== undefined ? { foundBy: failure.foundBy } : {}),
    ...(timed ? { openSeconds: openSeconds(failure, nowMs) } : {}),
    ...(firstDiffers ? { firstReasons: [...first] } : {}),
    // Nothing was launched for either: a human who launches the job by hand gets the command ready.
    ...(kind === "needs_human" ? { missing: [...(failure.unrecoverable ?? [])], runTaskCommand: runTaskCommand({ ...failure.request, count: failure.remaining }, failure.region) } : {}),
    ...(kind === "not_retryable" ? { missing: commandLacks(failure), runTaskCommand: runTaskCommand({ ...failure.request, count: failure.remaining }, failure.region) } : {}),
  };
}
