/**
 * Reconciler core: is this stopped task (a DescribeTasks answer with its tags) a failure the
 * pipeline must handle? The same rules as the synthesized task-failure pattern
 * (modules/pipeline/detection/task-state-pattern.ts), plus the owner tags: a task the pipeline launched itself
 * is counted by the execution that launched it, never handed over again. Pure.
 */
import { OWNER_TAG_EVENT_ID } from "../../shared/contract";

export interface TaskRules {
  /** `startedBy` values left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Tasks that stopped with TaskFailedToStart are caught. */
  readonly catchFailedToStart: boolean;
  /** Tasks whose container exited non-zero (EssentialContainerExited) are caught. */
  readonly reportProgramFailures: boolean;
}

export type TaskSkipReason = "not-stopped" | "not-a-failure" | "service-task" | "ignored-started-by" | "own-rerun";
export type TaskVerdict = { readonly handOver: true; readonly kind: "failed_to_start" | "program_failed" } | { readonly handOver: false; readonly why: TaskSkipReason };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function judgeStoppedTask(task: Record<string, unknown>, rules: TaskRules): TaskVerdict {
  if (task.lastStatus !== "STOPPED") return { handOver: false, why: "not-stopped" };
  // A service's tasks are replaced by their service (group "service:<name>"): never launched from outside.
  if (typeof task.group === "string" && task.group.startsWith("service:")) return { handOver: false, why: "service-task" };
  if (typeof task.startedBy === "string" && rules.ignoreStartedBy.includes(task.startedBy)) return { handOver: false, why: "ignored-started-by" };
  const tags = Array.isArray(task.tags) ? task.tags : [];
  if (tags.some((t) => isObject(t) && t.key === OWNER_TAG_EVENT_ID)) return { handOver: false, why: "own-rerun" };
  if (rules.catchFailedToStart && task.stopCode === "TaskFailedToStart") return { handOver: true, kind: "failed_to_start" };
  const containers = Array.isArray(task.containers) ? task.containers : [];
  const nonZero = containers.some((c) => isObject(c) && typeof c.exitCode === "number" && c.exitCode !== 0);
  if (rules.reportProgramFailures && task.stopCode === "EssentialContainerExited" && nonZero) return { handOver: true, kind: "program_failed" };
  return { handOver: false, why: "not-a-failure" };
}

/** ms since the epoch of the task's stop (a Date from the SDK, an ISO string or epoch seconds otherwise), if known. */
export function stoppedAtMs(task: Record<string, unknown>): number | undefined {
  const v = task.stoppedAt ?? task.executionStoppedAt ?? task.stoppingAt;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") return Date.parse(v);
  if (typeof v === "number") return v * 1000;
  return undefined;
}
