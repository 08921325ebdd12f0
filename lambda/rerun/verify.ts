/**
 * Pure bookkeeping of launch verification: a rerun counts as recovered only once its tasks are
 * seen started. With capacity providers RunTask answers with tasks in PROVISIONING that can still
 * stop with TaskFailedToStart; such a task is a failed attempt of the SAME execution.
 */
import type { FailureEntry, LaunchFailure } from "../shared/contract";
import { answerTasks, applyAnswer, type EcsAnswer } from "./core/relaunch/launch-answer";
import { STOP_CODE_FAILED_TO_START } from "./task-state";
import { isRecord, lastSegment, nonEmptyString, shortfall, trimReason } from "./util";

/** The members of a DescribeTasks task that verification reads. */
export interface DescribedTask {
  taskArn?: string;
  lastStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  startedAt?: unknown;
  containerInstanceArn?: string;
}

export interface DescribeTasksAnswer {
  tasks?: ReadonlyArray<DescribedTask | null | undefined> | null;
  failures?: ReadonlyArray<FailureEntry | null | undefined> | null;
}

export type LaunchState = "started" | "failed_to_start" | "pending";

const PENDING_STATUSES = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);
const WINDING_DOWN_STATUSES = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING"]);

/** The reason recorded for a launched task that DescribeTasks no longer (or never) knows. */
export const MISSING_REASON = "MISSING";

/**
 * Where a launched task stands:
 * - RUNNING -> started;
 * - stopCode TaskFailedToStart, in any status -> failed_to_start (it will never run);
 * - STOPPED with another stop code -> started (it ran, or was stopped on purpose);
 * - DEACTIVATING/STOPPING/DEPROVISIONING after running (startedAt, or another stop code) -> started;
 * - PROVISIONING/PENDING/ACTIVATING, or anything unknown -> pending (the deadline bounds the wait).
 */
export function launchState(task: DescribedTask): LaunchState {
  if (task.stopCode === STOP_CODE_FAILED_TO_START) return "failed_to_start";
  const status = task.lastStatus ?? "";
  if (status === "RUNNING") return "started";
  if (status === "STOPPED") return "started";
  if (WINDING_DOWN_STATUSES.has(status) && (task.startedAt !== undefined || nonEmptyString(task.stopCode))) return "started";
  if (PENDING_STATUSES.has(status)) return "pending";
  return "pending";
}

export interface VerificationResult {
  failure: LaunchFailure;
  started: string[];
  failedToStart: Array<{ taskArn: string; reason: string }>;
  pending: string[];
}

/**
 * Folds DescribeTasks answers about `failure.unconfirmedTaskArns` into the failure:
 * started -> no longer unconfirmed; failed to start (or MISSING) -> removed from unconfirmed AND
 * taskArns, placed - 1, remaining + 1 (StartTask: its container instance is pending again), and
 * reasons = their stopped reasons (judged by RETRYABLE_STOPPED_REASONS); pending -> unconfirmed.
 * A task ECS does not know is counted as failed to start with reason MISSING, which the default
 * patterns do not retry: a human is asked rather than risking a second run of a task that did run
 * and has since aged out of DescribeTasks.
 */
export function applyVerification(failure: LaunchFailure, answers: readonly DescribeTasksAnswer[]): VerificationResult {
  const byId = new Map<string, DescribedTask>();
  for (const answer of answers) {
    for (const t of answer.tasks ?? []) {
      if (isRecord(t) && nonEmptyString(t.taskArn)) byId.set(lastSegment(t.taskArn), t);
    }
  }
  const started: string[] = [];
  const pending: string[] = [];
  const failedToStart: Array<{ taskArn: string; reason: string; containerInstanceArn?: string }> = [];
  for (const taskArn of failure.unconfirmedTaskArns) {
    const task = byId.get(lastSegment(taskArn));
    if (task === undefined) {
      failedToStart.push({ taskArn, reason: MISSING_REASON });
      continue;
    }
    const state = launchState(task);
    if (state === "started") started.push(taskArn);
    else if (state === "pending") pending.push(taskArn);
    else {
      failedToStart.push({
        taskArn,
        reason: nonEmptyString(task.stoppedReason) ? trimReason(task.stoppedReason) : STOP_CODE_FAILED_TO_START,
        ...(nonEmptyString(task.containerInstanceArn) ? { containerInstanceArn: task.containerInstanceArn } : {}),
      });
    }
  }

  const next: LaunchFailure = { ...failure, unconfirmedTaskArns: pending };
  if (pending.length === 0) delete next.verifyDeadline;
  if (failedToStart.length > 0) {
    const gone = new Set(failedToStart.map((f) => lastSegment(f.taskArn)));
    next.taskArns = failure.taskArns.filter((arn) => !gone.has(lastSegment(arn)));
    next.placed = Math.max(0, failure.placed - failedToStart.length);
    next.remaining = shortfall(failure.requested, next.placed);
    next.reasons = [...new Set(failedToStart.map((f) => f.reason))];
    next.reasonKind = "stopped";
    next.failures = failedToStart.map((f) => ({ arn: f.taskArn, reason: f.reason }));
    if (failure.action === "StartTask") {
      const pendingInstances = [...(failure.pendingContainerInstances ?? [])];
      for (const f of failedToStart) {
        const instance = f.containerInstanceArn;
        if (instance !== undefined && !pendingInstances.some((p) => lastSegment(p) === lastSegment(instance))) pendingInstances.push(instance);
      }
      next.pendingContainerInstances = pendingInstances;
    }
  }
  return { failure: next, started, failedToStart: failedToStart.map(({ taskArn, reason }) => ({ taskArn, reason })), pending };
}

export interface LaunchBookkeeping {
  /** false when VERIFY_INTERVAL_SECONDS is 0: placed counts as started at once. */
  verify: boolean;
  nowMs: number;
  verifyTimeoutSeconds: number;
}

/**
 * Folds the answer of the `attempt`-th launch into the failure: applyAnswer, attemptsLaunched =
 * attempt, and (when verifying) the placed tasks become unconfirmed with a deadline of
 * now + VERIFY_TIMEOUT_SECONDS.
 */
export function applyLaunch(
  failure: LaunchFailure,
  answer: EcsAnswer,
  attempt: number,
  options: LaunchBookkeeping,
): { failure: LaunchFailure; launchedTaskArns: string[] } {
  const next = applyAnswer(failure, answer);
  next.attemptsLaunched = attempt;
  const launchedTaskArns = answerTasks(answer).map((t) => t.taskArn);
  if (options.verify && launchedTaskArns.length > 0) {
    next.unconfirmedTaskArns = [...failure.unconfirmedTaskArns, ...launchedTaskArns];
    next.verifyDeadline = new Date(options.nowMs + options.verifyTimeoutSeconds * 1000).toISOString();
  }
  return { failure: next, launchedTaskArns };
}

/** The failure with its launched tasks counted as started (VERIFY_INTERVAL_SECONDS = 0). */
export function withoutVerification(failure: LaunchFailure): LaunchFailure {
  const next: LaunchFailure = { ...failure, unconfirmedTaskArns: [] };
  delete next.verifyDeadline;
  return next;
}

/** DescribeTasks takes at most 100 tasks per call. */
export function chunks<T>(items: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
