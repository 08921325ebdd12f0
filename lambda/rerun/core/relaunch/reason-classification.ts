/** Rerun core: whether another launch could help, judged by launch failure reason, stopped reason or program failure. */
import type { LaunchFailure } from "../../../shared/contract";
import type { RerunConfig } from "../../config";
import { taskDefinitionFamily } from "../../util";

// ---------------------------------------------------------------------------------------------
// Classification of launch failure reasons (failures[].reason of RunTask/StartTask)
// ---------------------------------------------------------------------------------------------

/** A pattern ending in `*` is a prefix match ("RESOURCE:*" matches "RESOURCE:MEMORY"); otherwise exact. */
export function reasonMatches(reason: string, pattern: string): boolean {
  if (pattern.endsWith("*")) return reason.startsWith(pattern.slice(0, -1));
  return reason === pattern;
}

export function isRetryableReason(reason: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => reasonMatches(reason, pattern));
}

/**
 * An answer is retryable when AT LEAST ONE of its reasons is: a task rejected by one instance for
 * AGENT can land there once the agent reconnects, even if another instance lacks an attribute.
 * No reasons at all: not retryable (nothing tells us a rerun would help).
 */
export function isRetryable(reasons: readonly string[], patterns: readonly string[]): boolean {
  return reasons.some((reason) => isRetryableReason(reason, patterns));
}

// ---------------------------------------------------------------------------------------------
// Classification of stopped reasons (stoppedReason of a task that failed to start)
// ---------------------------------------------------------------------------------------------

/**
 * Case-insensitive glob over the WHOLE text: `*` matches any run of characters (also none), every
 * other character matches itself. Stopped reasons are free text whose wording and case vary by
 * agent and platform version ("Timeout" / "timeout"), so patterns are loose on case only.
 */
export function globMatches(text: string, pattern: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`, "i").test(text);
}

export function isRetryableStoppedReason(reason: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globMatches(reason, pattern));
}

export type RetryPolicy = Pick<RerunConfig, "retryableReasons" | "retryableStoppedReasons" | "rerunProgramFailureFamilies">;

/** Whether the program failures of this task definition's family are rerun (RERUN_PROGRAM_FAILURE_FAMILIES). */
export function programFailureRerunAllowed(taskDefinition: string, families: readonly string[]): boolean {
  return families.includes(taskDefinitionFamily(taskDefinition));
}

/**
 * Whether another launch could help, judged by the patterns that fit the reasons' kind. A program
 * failure is rerun only for an opted-in family, and never when the failed task was itself a rerun:
 * each rerun's failure would otherwise start a new execution with fresh attempts, without end.
 */
export function isFailureRetryable(failure: LaunchFailure, policy: RetryPolicy): boolean {
  switch (failure.reasonKind) {
    case "launch":
      return isRetryable(failure.reasons, policy.retryableReasons);
    case "stopped":
      return failure.reasons.some((reason) => isRetryableStoppedReason(reason, policy.retryableStoppedReasons));
    case "program":
      return failure.rerunOf === undefined && programFailureRerunAllowed(failure.taskDefinition, policy.rerunProgramFailureFamilies);
  }
}
