/** Rerun core: what to do next with a failure (verify, recovered, report, not_retryable, gave_up, retry) and why. */
import type { Decision, LaunchFailure } from "../../../shared/contract";
import type { RerunConfig } from "../../config";
import { backoffSeconds } from "./backoff";
import { isFailureRetryable } from "./reason-classification";

export type DecisionPolicy = Pick<
  RerunConfig,
  | "retryableReasons"
  | "retryableStoppedReasons"
  | "rerunProgramFailureFamilies"
  | "maxAttempts"
  | "firstDelaySeconds"
  | "backoffRate"
  | "maxDelaySeconds"
  | "jitter"
  | "verifyIntervalSeconds"
  | "verifyTimeoutSeconds"
>;

/**
 * A service's task: ECS groups them `service:<name>` and starts them `ecs-svc/...`. Its service
 * scheduler replaces a task that failed; a rerun from outside would run beside that replacement.
 */
export function isServiceTask(failure: Pick<LaunchFailure, "group" | "startedBy">): boolean {
  return (failure.group ?? "").startsWith("service:") || (failure.startedBy ?? "").startsWith("ecs-svc/");
}

/**
 * What to do now, `failure.attemptsLaunched` reruns having been launched (0 after classify),
 * at `nowMs` (ms since the epoch):
 * 0. a service's task -> already_handled (its service replaces it; never launched from here);
 * 1. tasks launched but not yet seen started: before verifyDeadline -> verify (check again after
 *    VERIFY_INTERVAL_SECONDS, no new launch); past it -> gave_up;
 * 2. no shortfall -> recovered ("recovered" means started, once verification is on);
 * 3. a program failure that may not be rerun -> report (a human reads the logs);
 * 4. no retryable reason -> not_retryable;
 * 5. attemptsLaunched >= maxAttempts -> gave_up;
 * 6. else retry after backoff(attemptsLaunched + 1).
 */
export function decide(failure: LaunchFailure, policy: DecisionPolicy, nowMs: number, random: () => number = Math.random): Decision {
  const launched = failure.attemptsLaunched;
  const retryable = isFailureRetryable(failure, policy);
  const base = { attempt: launched, nextAttempt: launched + 1, maxAttempts: policy.maxAttempts, delaySeconds: 0, retryable };

  if (isServiceTask(failure)) {
    return { ...base, next: "already_handled", retryable: false, message: `a service's task (group ${failure.group ?? "?"}, startedBy ${failure.startedBy ?? "?"}): its service scheduler replaces it; ecs-rerun never launches it` };
  }
  const unconfirmed = failure.unconfirmedTaskArns.length;
  if (unconfirmed > 0) {
    const deadline = failure.verifyDeadline === undefined ? Number.NaN : Date.parse(failure.verifyDeadline);
    if (Number.isFinite(deadline) && nowMs < deadline) {
      return {
        ...base,
        next: "verify",
        nextAttempt: launched,
        delaySeconds: policy.verifyIntervalSeconds,
        message: `waiting for ${unconfirmed} task(s) to start (until ${failure.verifyDeadline})`,
      };
    }
    return {
      ...base,
      next: "gave_up",
      message: `${unconfirmed} task(s) not started within VERIFY_TIMEOUT_SECONDS (${policy.verifyTimeoutSeconds} s)`,
    };
  }
  if (failure.remaining <= 0) {
    return {
      ...base,
      next: "recovered",
      message: launched === 0 ? "no shortfall" : `all ${failure.requested} task(s) started after ${launched} rerun(s)`,
    };
  }
  // Judged on the exit codes only: once an opted-in rerun was launched, its own rejections and
  // failures to start are judged like any other.
  if (failure.reasonKind === "program" && !retryable) {
    return {
      ...base,
      next: "report",
      message:
        failure.rerunOf !== undefined
          ? `the task was itself rerun ${failure.rerunOf.attempt} of event ${failure.rerunOf.eventId}; a program failure is not rerun again`
          : "the task ran and exited non-zero; not rerun (a program failure)",
    };
  }
  if (!retryable) {
    return {
      ...base,
      next: "not_retryable",
      message:
        failure.reasons.length === 0
          ? "no failure reason given; not rerun"
          : `no retryable reason among: ${failure.reasons.join(", ")}`,
    };
  }
  if (launched >= policy.maxAttempts) {
    return {
      ...base,
      next: "gave_up",
      message: `${failure.remaining} of ${failure.requested} task(s) still not started after ${launched} rerun(s)`,
    };
  }
  return { ...base, next: "retry", delaySeconds: backoffSeconds(launched + 1, policy, random) };
}
