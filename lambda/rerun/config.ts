/** The rerun Lambda's settings and defaults, read and validated once from its environment at cold start. */
import { NOTIFY_MODES, type NotifyMode } from "../shared/contract";
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
  /** Launch failure reasons (`failures[].reason`) worth a rerun; a trailing `*` is a prefix match. */
  retryableReasons: string[];
  /** Stopped reasons worth a rerun: case-insensitive globs, `*` matches any run of characters. */
  retryableStoppedReasons: string[];
  /** Task definition families whose program failures (non-zero exit) are rerun anyway. */
  rerunProgramFailureFamilies: string[];
  /** Reruns per original failure (1..10). */
  maxAttempts: number;
  /** Seconds between checks that launched tasks started; 0 = placed counts as started. */
  verifyIntervalSeconds: number;
  /** Seconds after a launch within which its tasks must be seen started. */
  verifyTimeoutSeconds: number;
  /** Retries of a throttled ECS call inside the handler before EcsThrottledError. */
  throttleRetries: number;
  /** Seconds the handler itself watches a fresh launch start (every 5 s) before leaving it to the durable check; 0 = none. */
  quickCheckSeconds: number;
  /** ECS infrastructure roles of managed EBS volumes the rerun role may pass to ecs.amazonaws.com (core/failure/infrastructure-roles.ts). */
  infrastructureRoleArns: string[];
  /** Which steps are told (core/notices/notify-policy.ts). */
  notify: NotifyMode;
  /** Seconds a failure may stay open before its one "still trying" notice (outcomes, problems). */
  stillTryingAfterSeconds: number;
}

/** Range of STILL_TRYING_AFTER_SECONDS (construct `stillTryingAfterSeconds`, module `still_trying_after_seconds`). */
export const STILL_TRYING_AFTER_SECONDS = { min: 60, max: 86400, default: 600 } as const;

export const DEFAULT_RETRYABLE_REASONS: readonly string[] = Object.freeze([
  "AGENT",
  "RESOURCE:*",
  // Fargate: "Capacity is unavailable at this time. Please try again later or in a different availability zone"
  "Capacity is unavailable at this time*",
]);

/**
 * Stopped reasons of tasks that failed to start and are worth another launch: the cause is
 * capacity, the agent, or a network hiccup, not the task's configuration. An image that does not
 * exist, a denied pull or a missing secret fail again the same way: a human is told instead.
 */
export const DEFAULT_RETRYABLE_STOPPED_REASONS: readonly string[] = Object.freeze([
  // Capacity, agent, resources.
  "TaskFailedToStart: RESOURCE:*",
  "*RESOURCE:*",
  "*AGENT*",
  "*Capacity is unavailable at this time*",
  // The registry did not answer in time (a timeout, not "not found" or "access denied").
  "CannotPullContainerError:*timeout*",
  "CannotPullContainerError:*deadline exceeded*",
  "CannotPullContainerError:*request canceled*",
  // The ENI was not ready in time.
  "*Timeout waiting for network interface provisioning*",
  "ResourceInitializationError:*timeout*",
]);

export const DEFAULT_RERUN_CONFIG: Readonly<RerunConfig> = Object.freeze({
  retryableReasons: [...DEFAULT_RETRYABLE_REASONS],
  retryableStoppedReasons: [...DEFAULT_RETRYABLE_STOPPED_REASONS],
  rerunProgramFailureFamilies: [],
  maxAttempts: 3,
  firstDelaySeconds: 30,
  backoffRate: 2,
  maxDelaySeconds: 300,
  jitter: "FULL" as Jitter,
  verifyIntervalSeconds: 30,
  verifyTimeoutSeconds: 900,
  throttleRetries: 6,
  quickCheckSeconds: 20,
  infrastructureRoleArns: [],
  // Unset, the Lambda tells every step, as before: a state machine synthesized without the quiet route
  // publishes whatever it reaches, and the pipeline sets NOTIFY whenever it deploys that route.
  notify: "every-step" as NotifyMode,
  stillTryingAfterSeconds: STILL_TRYING_AFTER_SECONDS.default,
});

/**
 * Reads and validates the rerun Lambda's environment. Every variable is optional; a missing or
 * blank one takes its default. Throws ConfigurationError naming the variable, the value and what
 * is allowed.
 *
 * RETRYABLE_REASONS              JSON array of strings   default ["AGENT","RESOURCE:*","Capacity is unavailable at this time*"]
 * RETRYABLE_STOPPED_REASONS      JSON array of globs     default DEFAULT_RETRYABLE_STOPPED_REASONS
 * RERUN_PROGRAM_FAILURE_FAMILIES JSON array of families  default []
 * MAX_ATTEMPTS                   integer 1..10           default 3
 * FIRST_DELAY_SECONDS            integer 0..3600         default 30
 * BACKOFF_RATE                   number 1..10            default 2
 * MAX_DELAY_SECONDS              integer 1..86400, >= FIRST_DELAY_SECONDS   default 300
 * JITTER                         "FULL" | "NONE"         default "FULL"
 * VERIFY_INTERVAL_SECONDS        integer 0..3600         default 30 (0 disables verification)
 * VERIFY_TIMEOUT_SECONDS         integer 60..86400, >= VERIFY_INTERVAL_SECONDS   default 900
 * THROTTLE_RETRIES               integer 0..10           default 6
 * QUICK_CHECK_SECONDS            integer 0..60           default 20 (0: leave every check to the state machine)
 * INFRASTRUCTURE_ROLE_ARNS       JSON array of role ARNs default [] (a rerun with managed EBS volumes needs a human)
 * NOTIFY                         "outcomes" | "problems" | "every-step"   default "every-step" (the pipeline sets it)
 * STILL_TRYING_AFTER_SECONDS     integer 60..86400       default 600
 */
export function readConfig(env: Env): RerunConfig {
  const d = DEFAULT_RERUN_CONFIG;
  const config: RerunConfig = {
    retryableReasons: jsonStringArray(env, "RETRYABLE_REASONS", d.retryableReasons),
    retryableStoppedReasons: jsonStringArray(env, "RETRYABLE_STOPPED_REASONS", d.retryableStoppedReasons),
    rerunProgramFailureFamilies: jsonStringArray(env, "RERUN_PROGRAM_FAILURE_FAMILIES", d.rerunProgramFailureFamilies),
    maxAttempts: intInRange(env, "MAX_ATTEMPTS", 1, 10, d.maxAttempts),
    firstDelaySeconds: intInRange(env, "FIRST_DELAY_SECONDS", 0, 3600, d.firstDelaySeconds),
    backoffRate: numberInRange(env, "BACKOFF_RATE", 1, 10, d.backoffRate),
    maxDelaySeconds: intInRange(env, "MAX_DELAY_SECONDS", 1, 86400, d.maxDelaySeconds),
    jitter: oneOf<Jitter>(env, "JITTER", ["FULL", "NONE"], d.jitter),
    verifyIntervalSeconds: intInRange(env, "VERIFY_INTERVAL_SECONDS", 0, 3600, d.verifyIntervalSeconds),
    verifyTimeoutSeconds: intInRange(env, "VERIFY_TIMEOUT_SECONDS", 60, 86400, d.verifyTimeoutSeconds),
    throttleRetries: intInRange(env, "THROTTLE_RETRIES", 0, 10, d.throttleRetries),
    quickCheckSeconds: intInRange(env, "QUICK_CHECK_SECONDS", 0, 60, d.quickCheckSeconds),
    infrastructureRoleArns: jsonStringArray(env, "INFRASTRUCTURE_ROLE_ARNS", d.infrastructureRoleArns),
    notify: oneOf<NotifyMode>(env, "NOTIFY", NOTIFY_MODES, d.notify),
    stillTryingAfterSeconds: intInRange(env, "STILL_TRYING_AFTER_SECONDS", STILL_TRYING_AFTER_SECONDS.min, STILL_TRYING_AFTER_SECONDS.max, d.stillTryingAfterSeconds),
  };
  if (config.maxDelaySeconds < config.firstDelaySeconds) {
    const maxSource = envValue(env, "MAX_DELAY_SECONDS") === undefined ? " (default)" : "";
    throw new ConfigurationError(
      `MAX_DELAY_SECONDS=${config.maxDelaySeconds}${maxSource} is invalid: expected a value >= FIRST_DELAY_SECONDS=${config.firstDelaySeconds}`,
    );
  }
  // A deadline shorter than one interval would give up at the first check of any task still pending.
  if (config.verifyTimeoutSeconds < config.verifyIntervalSeconds) {
    const timeoutSource = envValue(env, "VERIFY_TIMEOUT_SECONDS") === undefined ? " (default)" : "";
    throw new ConfigurationError(
      `VERIFY_TIMEOUT_SECONDS=${config.verifyTimeoutSeconds}${timeoutSource} is invalid: expected a value >= VERIFY_INTERVAL_SECONDS=${config.verifyIntervalSeconds}`,
    );
  }
  return config;
}
