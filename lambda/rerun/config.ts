import { ConfigurationError } from "../shared/errors";
import { type Env, envValue, intInRange, jsonStringArray, numberInRange, oneOf } from "../shared/env";

export type Jitter = "FULL" | "NONE";

export interface BackoffPolicy {
  /** Cap of the first rerun's delay, seconds. */
  firstDelaySeconds: number;
  /** Multiplier of the cap per rerun. */
  backoffRate: number;
  /** Upper bound of any delay, seconds. */
  maxDelaySeconds: number;
  /** FULL: uniform in [0, cap]; NONE: exactly the cap. */
  jitter: Jitter;
}

export interface RerunConfig extends BackoffPolicy {
  /** Reason patterns that are worth a rerun; a trailing `*` is a prefix match. */
  retryableReasons: string[];
  /** Reruns per original call (1..10). */
  maxAttempts: number;
}

export const DEFAULT_RETRYABLE_REASONS: readonly string[] = Object.freeze([
  "AGENT",
  "RESOURCE:*",
  // Fargate: "Capacity is unavailable at this time. Please try again later or in a different availability zone"
  "Capacity is unavailable at this time*",
]);

export const DEFAULT_RERUN_CONFIG: Readonly<RerunConfig> = Object.freeze({
  retryableReasons: [...DEFAULT_RETRYABLE_REASONS],
  maxAttempts: 3,
  firstDelaySeconds: 30,
  backoffRate: 2,
  maxDelaySeconds: 300,
  jitter: "FULL" as Jitter,
});

/**
 * Reads and validates the rerun Lambda's environment. Every variable is optional; a missing or
 * blank one takes its default. Throws ConfigurationError naming the variable, the value and what
 * is allowed.
 *
 * RETRYABLE_REASONS   JSON array of strings   default ["AGENT","RESOURCE:*","Capacity is unavailable at this time*"]
 * MAX_ATTEMPTS        integer 1..10           default 3
 * FIRST_DELAY_SECONDS integer 0..3600         default 30
 * BACKOFF_RATE        number 1..10            default 2
 * MAX_DELAY_SECONDS   integer 1..86400, >= FIRST_DELAY_SECONDS   default 300
 * JITTER              "FULL" | "NONE"         default "FULL"
 */
export function readConfig(env: Env): RerunConfig {
  const d = DEFAULT_RERUN_CONFIG;
  const config: RerunConfig = {
    retryableReasons: jsonStringArray(env, "RETRYABLE_REASONS", d.retryableReasons),
    maxAttempts: intInRange(env, "MAX_ATTEMPTS", 1, 10, d.maxAttempts),
    firstDelaySeconds: intInRange(env, "FIRST_DELAY_SECONDS", 0, 3600, d.firstDelaySeconds),
    backoffRate: numberInRange(env, "BACKOFF_RATE", 1, 10, d.backoffRate),
    maxDelaySeconds: intInRange(env, "MAX_DELAY_SECONDS", 1, 86400, d.maxDelaySeconds),
    jitter: oneOf<Jitter>(env, "JITTER", ["FULL", "NONE"], d.jitter),
  };
  if (config.maxDelaySeconds < config.firstDelaySeconds) {
    const maxSource = envValue(env, "MAX_DELAY_SECONDS") === undefined ? " (default)" : "";
    throw new ConfigurationError(
      `MAX_DELAY_SECONDS=${config.maxDelaySeconds}${maxSource} is invalid: expected a value >= FIRST_DELAY_SECONDS=${config.firstDelaySeconds}`,
    );
  }
  return config;
}
