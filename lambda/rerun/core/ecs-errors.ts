/** Rerun core: mapping an error thrown by ecs.send to throttled, server or gave_up. */
import type { LaunchAction } from "../../shared/contract";
import { isRecord } from "../util";

/** Error names that mean "throttled, nothing executed". ECS's LimitExceededException is a quota, not throttling. */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);

/** Throttled (by name, by the SDK's $retryable.throttling, or HTTP 429): the call was not executed. */
export function isThrottlingError(err: unknown): boolean {
  const e = (isRecord(err) || err instanceof Error ? err : {}) as {
    name?: unknown;
    $retryable?: { throttling?: unknown };
    $metadata?: { httpStatusCode?: unknown };
  };
  return (
    (typeof e.name === "string" && THROTTLING_ERROR_NAMES.has(e.name)) ||
    e.$retryable?.throttling === true ||
    e.$metadata?.httpStatusCode === 429
  );
}

export type EcsErrorOutcome =
  | { outcome: "throttled"; message: string }
  | { outcome: "server"; message: string }
  | { outcome: "gave_up"; message: string };

/**
 * Maps an error thrown by ecs.send:
 * - throttling (name, $retryable.throttling, HTTP 429) -> "throttled" (throw EcsThrottledError; safe for both actions)
 * - server fault / 5xx / no HTTP answer at all (network, timeout: outcome unknown) ->
 *   RunTask: "server" (throw EcsServerError; the retry is idempotent thanks to the clientToken);
 *   "read" (DescribeTasks while verifying): "server" (a read is safe to repeat);
 *   StartTask: "gave_up" (no idempotency token: the task may have started, a retry could run it twice)
 * - anything else (ClientException, InvalidParameterException, AccessDeniedException, ...) -> "gave_up"
 */
export function classifyEcsError(err: unknown, action: LaunchAction | "read"): EcsErrorOutcome {
  const e = (isRecord(err) || err instanceof Error ? err : {}) as {
    name?: unknown;
    message?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof e.name === "string" ? e.name : "Error";
  const text = typeof e.message === "string" ? e.message : String(err);
  const message = `${name}: ${text}`;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;

  if (isThrottlingError(err)) return { outcome: "throttled", message };
  const serverSide = e.$fault === "server" || name === "ServerException" || (status !== undefined && status >= 500);
  const noAnswer = status === undefined && e.$fault === undefined;
  if (serverSide || noAnswer) {
    if (action !== "StartTask") return { outcome: "server", message };
    return {
      outcome: "gave_up",
      message: `${message} (StartTask has no idempotency token and the task may have started; not retried to avoid running it twice)`,
    };
  }
  return { outcome: "gave_up", message };
}
