/**
 * Rerun core: "later" — the same attempt again after a wait, when ECS gave no usable answer
 * (throttled, 5xx, a launch whose outcome is unknown) or the invocation ran out of time. Waiting in
 * Step Functions instead of sleeping in the Lambda keeps every invocation inside its timeout, and
 * returning the decision instead of throwing keeps the Lambda's Errors metric for real faults.
 */
import type { Decision, LaunchFailure } from "../../../shared/contract";

/** "Later" rounds in a row before giving up: with the delays below, about an hour of ECS trouble. */
export const MAX_DEFERRALS = 30;
/** Cap of the n-th deferral's delay: min(120 s, 5 s * 2^(n-1)), drawn with full jitter. */
export const DEFER_BASE_SECONDS = 5;
export const DEFER_CAP_SECONDS = 120;

/** Delay before the n-th "later" round (n is 1-based): full jitter, at least 1 s. */
export function deferDelaySeconds(n: number, random: () => number = Math.random): number {
  const cap = Math.min(DEFER_CAP_SECONDS, DEFER_BASE_SECONDS * Math.pow(2, Math.max(0, n - 1)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(1, Math.min(cap, Math.floor(r * (cap + 1))));
}

/**
 * The decision to try `attempt` again later, and the failure with one more deferral counted; past
 * MAX_DEFERRALS, gave_up with `why` (a human is told; nothing more is launched).
 */
export function deferDecision(
  failure: LaunchFailure,
  attempt: number,
  maxAttempts: number,
  why: string,
  random: () => number = Math.random,
): { failure: LaunchFailure; decision: Decision } {
  const deferrals = (failure.deferrals ?? 0) + 1;
  const next: LaunchFailure = { ...failure, deferrals };
  const base = { attempt: failure.attemptsLaunched, maxAttempts, retryable: true };
  if (deferrals > MAX_DEFERRALS) {
    return {
      failure: next,
      decision: { ...base, next: "gave_up", nextAttempt: attempt, delaySeconds: 0, message: `no usable answer from ECS after ${MAX_DEFERRALS} tries: ${why}` },
    };
  }
  return { failure: next, decision: { ...base, next: "later", nextAttempt: attempt, delaySeconds: deferDelaySeconds(deferrals, random), message: why } };
}
