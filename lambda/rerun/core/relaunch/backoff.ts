/** Rerun core: delays before the next rerun (a Step Functions Wait) and before retrying a throttled ECS call. */
import type { BackoffPolicy } from "../../config";

/** Cap of the n-th rerun's delay (n is 1-based): min(maxDelay, firstDelay * rate^(n-1)), whole seconds. */
export function backoffCapSeconds(n: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, n - 1);
  const raw = policy.firstDelaySeconds * Math.pow(policy.backoffRate, exponent);
  const capped = Math.min(policy.maxDelaySeconds, Number.isFinite(raw) ? raw : policy.maxDelaySeconds);
  return Math.max(0, Math.floor(capped));
}

/**
 * Delay before the n-th rerun. FULL jitter: a uniform integer in [0, cap]; NONE: the cap.
 * `random` returns [0, 1) like Math.random (injectable for tests).
 */
export function backoffSeconds(n: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = backoffCapSeconds(n, policy);
  if (policy.jitter === "NONE") return cap;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(cap, Math.floor(r * (cap + 1)));
}

export const THROTTLE_BASE_MS = 1000;
export const THROTTLE_CAP_MS = 16000;

/**
 * Sleep before the n-th in-handler retry of a throttled ECS call (n is 1-based): full jitter,
 * uniform in [0, min(8 s, 1 s * 2^(n-1))]. Full jitter spreads a storm of throttled callers
 * instead of having them all come back at the same instant.
 */
export function throttleDelayMs(n: number, random: () => number = Math.random): number {
  const cap = Math.min(THROTTLE_CAP_MS, THROTTLE_BASE_MS * Math.pow(2, Math.max(0, n - 1)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(cap, Math.floor(r * (cap + 1)));
}
