/** Rerun core: mapping an error thrown by ecs.send to throttled, server or gave_up. */
import { isRecord } from "../../util";

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
 * - throttling (name, $retryable.throttling, HTTP 429) -> "throttled" (nothing executed: retry)
 * - server fault / 5xx / no HTTP answer at all (network, timeout: outcome unknown) -> "server":
 *   the same step later. Safe for every action: a read is safe to repeat, RunTask repeats its
 *   clientToken (ECS answers with the first answer), and StartTask, which has no token, is preceded
 *   by a look-up of the tasks its attempt tagged at launch.
 * - anything else (ClientException, InvalidParameterException, AccessDeniedException, ...) -> "gave_up"
 */
export function classifyEcsError(err: unknown): EcsErrorOutcome {
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
  if (serverSide || noAnswer) return { outcome: "server", message };
  return { outcome: "gave_up", message };
}
