/** Rerun core: folding one RunTask/StartTask answer (tasks placed, failures) into a LaunchFailure. */
import type { FailureEntry, LaunchFailure } from "../../../shared/contract";
import { isRecord, lastSegment, nonEmptyString, shortfall } from "../../util";

/** One ECS answer (responseElements of RunTask/StartTask, or the SDK output). */
export interface EcsAnswer {
  tasks?: ReadonlyArray<{ taskArn?: string; containerInstanceArn?: string } | null | undefined> | null;
  failures?: ReadonlyArray<FailureEntry | null | undefined> | null;
}

export function normaliseFailures(failures: EcsAnswer["failures"]): FailureEntry[] {
  const out: FailureEntry[] = [];
  for (const f of failures ?? []) {
    if (!isRecord(f)) continue;
    const entry: FailureEntry = {};
    if (typeof f.arn === "string") entry.arn = f.arn;
    if (typeof f.reason === "string") entry.reason = f.reason;
    if (typeof f.detail === "string") entry.detail = f.detail;
    out.push(entry);
  }
  return out;
}

/** Distinct reasons, in order of first appearance. */
export function distinctReasons(failures: readonly FailureEntry[]): string[] {
  const seen = new Set<string>();
  for (const f of failures) if (nonEmptyString(f.reason)) seen.add(f.reason);
  return [...seen];
}

/** Tasks of an answer that carry an ARN. */
export function answerTasks(answer: EcsAnswer): Array<{ taskArn: string; containerInstanceArn?: string }> {
  const out: Array<{ taskArn: string; containerInstanceArn?: string }> = [];
  for (const t of answer.tasks ?? []) {
    if (!isRecord(t) || !nonEmptyString(t.taskArn)) continue;
    out.push({ taskArn: t.taskArn, ...(nonEmptyString(t.containerInstanceArn) ? { containerInstanceArn: t.containerInstanceArn } : {}) });
  }
  return out;
}

/**
 * Folds one launch answer into the failure: placed += tasks, taskArns appended, pending StartTask
 * instances reduced (matched by last ARN segment: callers may pass IDs or ARNs, tasks carry the
 * containerInstanceArn), remaining recomputed, reasons/failures replaced by this answer's.
 */
export function applyAnswer(failure: LaunchFailure, answer: EcsAnswer): LaunchFailure {
  const tasks = (answer.tasks ?? []).filter(isRecord) as Array<{ taskArn?: string; containerInstanceArn?: string }>;
  const failures = normaliseFailures(answer.failures);
  const placed = failure.placed + tasks.length;
  const next: LaunchFailure = {
    ...failure,
    placed,
    remaining: shortfall(failure.requested, placed),
    taskArns: [...failure.taskArns, ...tasks.map((t) => t.taskArn).filter(nonEmptyString)],
    reasons: distinctReasons(failures),
    reasonKind: "launch",
    failures,
  };
  if (failure.action === "StartTask") {
    const started = new Set(tasks.map((t) => t.containerInstanceArn).filter(nonEmptyString).map(lastSegment));
    next.pendingContainerInstances = (failure.pendingContainerInstances ?? []).filter(
      (instance) => !started.has(lastSegment(instance)),
    );
  }
  return next;
}
