/**
 * Pure core of the rerun Lambda: no I/O, no clock, no global state (randomness is injected).
 * The handler (handler.ts) wires these to the ECS client.
 */
import { createHash } from "node:crypto";
import { InvalidEventError } from "../shared/errors";
import type {
  Decision,
  FailureEntry,
  LaunchAction,
  LaunchFailure,
  Notice,
  NoticeKind,
  RerunLambdaInput,
} from "../shared/contract";
import type { BackoffPolicy, RerunConfig } from "./config";

// ---------------------------------------------------------------------------------------------
// Classification of failure reasons
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
// Backoff
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Idempotency token
// ---------------------------------------------------------------------------------------------

export const CLIENT_TOKEN_PREFIX = "ecs-rerun-";

/**
 * clientToken of the `attempt`-th rerun of the call recorded as CloudTrail event `eventId`:
 * "ecs-rerun-" + the first 40 hex characters of sha256(`${eventId}:${attempt}`) (50 characters;
 * ECS allows up to 64).
 *
 * Deterministic on purpose: CloudTrail delivery is best effort and can duplicate an event, and
 * Lambda / Step Functions retry steps. Any repeat of the same rerun sends the same token with the
 * same parameters, and ECS answers it with the first answer instead of launching again (tokens are
 * idempotent per cluster for 24 h). Different attempts and different events get different tokens,
 * so a real next attempt is never mistaken for a repeat. The caller's own clientToken is never
 * reused: same token + same parameters would return the original (failed) answer, same token +
 * other parameters is a ConflictException.
 */
export function clientToken(eventId: string, attempt: number): string {
  const digest = createHash("sha256").update(`${eventId}:${attempt}`).digest("hex");
  return `${CLIENT_TOKEN_PREFIX}${digest.slice(0, 40)}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing the CloudTrail record
// ---------------------------------------------------------------------------------------------

export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";
const LAUNCH_ACTIONS: readonly LaunchAction[] = ["RunTask", "StartTask"];

/** Last path segment of an ARN ("arn:...:cluster/batch" -> "batch"); a plain name is returned as is. */
export function lastSegment(arnOrName: string): string {
  const slash = arnOrName.lastIndexOf("/");
  return slash >= 0 ? arnOrName.slice(slash + 1) : arnOrName;
}

/** Short cluster name: last segment of an ARN, or the name as written. */
export function clusterShortName(cluster: string): string {
  return lastSegment(cluster);
}

/** The shortfall: requested - placed, never negative. */
export function shortfall(requested: number, placed: number): number {
  return Math.max(0, requested - placed);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** One ECS answer (responseElements of RunTask/StartTask, or the SDK output). */
export interface EcsAnswer {
  tasks?: ReadonlyArray<{ taskArn?: string; containerInstanceArn?: string } | null | undefined> | null;
  failures?: ReadonlyArray<FailureEntry | null | undefined> | null;
}

function normaliseFailures(failures: EcsAnswer["failures"]): FailureEntry[] {
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

/**
 * Folds one ECS answer into the failure: placed += tasks, taskArns appended, pending StartTask
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

/**
 * Validates the EventBridge envelope of a CloudTrail RunTask/StartTask record and turns it into a
 * LaunchFailure (attempt 0). Throws InvalidEventError naming the missing or bad field.
 */
export function parseLaunchEvent(event: unknown): LaunchFailure {
  if (!isRecord(event)) throw new InvalidEventError("event: expected an EventBridge envelope object");
  const detailType = event["detail-type"];
  if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
    throw new InvalidEventError(
      `detail-type: expected ${JSON.stringify(CLOUDTRAIL_DETAIL_TYPE)}, got ${JSON.stringify(detailType)}`,
    );
  }
  const detail = event.detail;
  if (!isRecord(detail)) throw new InvalidEventError("detail: missing or not an object");
  if (detail.eventSource !== undefined && detail.eventSource !== "ecs.amazonaws.com") {
    throw new InvalidEventError(
      `detail.eventSource: expected "ecs.amazonaws.com", got ${JSON.stringify(detail.eventSource)}`,
    );
  }
  const eventName = detail.eventName;
  if (!LAUNCH_ACTIONS.includes(eventName as LaunchAction)) {
    throw new InvalidEventError(`detail.eventName: expected "RunTask" or "StartTask", got ${JSON.stringify(eventName)}`);
  }
  const action = eventName as LaunchAction;
  const eventVersion = detail.eventVersion;
  if (typeof eventVersion !== "string" || !/^1(\.\d+)*$/.test(eventVersion)) {
    throw new InvalidEventError(`detail.eventVersion: expected major version 1 (e.g. "1.08"), got ${JSON.stringify(eventVersion)}`);
  }
  const eventId = detail.eventID;
  if (!nonEmptyString(eventId)) throw new InvalidEventError("detail.eventID: missing or empty");

  const request = detail.requestParameters;
  if (!isRecord(request)) throw new InvalidEventError("detail.requestParameters: missing or not an object");
  const taskDefinition = request.taskDefinition;
  if (!nonEmptyString(taskDefinition)) throw new InvalidEventError("detail.requestParameters.taskDefinition: missing or empty");

  const response = detail.responseElements;
  if (!isRecord(response)) {
    const errorCode = nonEmptyString(detail.errorCode) ? ` (the call failed with errorCode ${detail.errorCode})` : "";
    throw new InvalidEventError(`detail.responseElements: missing or not an object${errorCode}`);
  }
  if (response.tasks !== undefined && response.tasks !== null && !Array.isArray(response.tasks)) {
    throw new InvalidEventError("detail.responseElements.tasks: not an array");
  }
  if (response.failures !== undefined && response.failures !== null && !Array.isArray(response.failures)) {
    throw new InvalidEventError("detail.responseElements.failures: not an array");
  }

  const cluster = request.cluster === undefined || request.cluster === null ? "default" : request.cluster;
  if (!nonEmptyString(cluster)) throw new InvalidEventError("detail.requestParameters.cluster: not a non-empty string");

  let requested: number;
  let pendingContainerInstances: string[] | undefined;
  if (action === "RunTask") {
    const count = request.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
      throw new InvalidEventError(`detail.requestParameters.count: expected a positive integer, got ${JSON.stringify(request.count)}`);
    }
    requested = count;
  } else {
    const instances = request.containerInstances;
    if (!Array.isArray(instances) || instances.length === 0 || !instances.every(nonEmptyString)) {
      throw new InvalidEventError("detail.requestParameters.containerInstances: expected a non-empty array of strings (StartTask)");
    }
    requested = instances.length;
    pendingContainerInstances = [...(instances as string[])];
  }

  const region = nonEmptyString(detail.awsRegion) ? detail.awsRegion : event.region;
  if (!nonEmptyString(region)) throw new InvalidEventError("detail.awsRegion: missing (and no envelope region)");
  const account = nonEmptyString(detail.recipientAccountId) ? detail.recipientAccountId : event.account;
  if (!nonEmptyString(account)) throw new InvalidEventError("detail.recipientAccountId: missing (and no envelope account)");
  const eventTime = nonEmptyString(detail.eventTime) ? detail.eventTime : nonEmptyString(event.time) ? event.time : "";

  const initial: LaunchFailure = {
    source: "cloudtrail",
    eventId,
    action,
    region,
    account,
    cluster,
    clusterName: clusterShortName(cluster),
    taskDefinition,
    ...(nonEmptyString(request.startedBy) ? { startedBy: request.startedBy } : {}),
    ...(nonEmptyString(request.group) ? { group: request.group } : {}),
    eventTime,
    request,
    requested,
    placed: 0,
    remaining: requested,
    ...(pendingContainerInstances ? { pendingContainerInstances } : {}),
    reasons: [],
    failures: [],
    taskArns: [],
  };
  return applyAnswer(initial, response as EcsAnswer);
}

// ---------------------------------------------------------------------------------------------
// Validating the rerun input (it comes back from the state machine)
// ---------------------------------------------------------------------------------------------

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Checks the fields the rerun relies on; throws InvalidEventError naming the bad one. */
export function validateLaunchFailure(value: unknown, path = "failure"): LaunchFailure {
  if (!isRecord(value)) throw new InvalidEventError(`${path}: missing or not an object`);
  if (!LAUNCH_ACTIONS.includes(value.action as LaunchAction)) {
    throw new InvalidEventError(`${path}.action: expected "RunTask" or "StartTask", got ${JSON.stringify(value.action)}`);
  }
  for (const key of ["eventId", "cluster", "clusterName", "taskDefinition", "region", "account"] as const) {
    if (!nonEmptyString(value[key])) throw new InvalidEventError(`${path}.${key}: missing or empty`);
  }
  if (!isRecord(value.request)) throw new InvalidEventError(`${path}.request: missing or not an object`);
  if (!nonEmptyString(value.request.taskDefinition)) {
    throw new InvalidEventError(`${path}.request.taskDefinition: missing or empty`);
  }
  for (const key of ["requested", "placed", "remaining"] as const) {
    if (!isNonNegativeInt(value[key])) throw new InvalidEventError(`${path}.${key}: expected an integer >= 0`);
  }
  for (const key of ["reasons", "taskArns"] as const) {
    if (!isStringArray(value[key])) throw new InvalidEventError(`${path}.${key}: expected an array of strings`);
  }
  if (!Array.isArray(value.failures)) throw new InvalidEventError(`${path}.failures: expected an array`);
  if (value.action === "StartTask" && !isStringArray(value.pendingContainerInstances)) {
    throw new InvalidEventError(`${path}.pendingContainerInstances: expected an array of strings (StartTask)`);
  }
  return value as unknown as LaunchFailure;
}

/** Validates the invocation payload of the rerun Lambda. */
export function parseInvocation(payload: unknown): RerunLambdaInput {
  if (!isRecord(payload)) throw new InvalidEventError("payload: expected an object with an action");
  if (!nonEmptyString(payload.executionArn)) throw new InvalidEventError("executionArn: missing or empty");
  if (payload.action === "classify") {
    if (payload.event === undefined) throw new InvalidEventError("event: missing");
    return { action: "classify", event: payload.event, executionArn: payload.executionArn };
  }
  if (payload.action === "rerun") {
    const attempt = payload.attempt;
    if (typeof attempt !== "number" || !Number.isInteger(attempt) || attempt < 1) {
      throw new InvalidEventError(`attempt: expected an integer >= 1, got ${JSON.stringify(attempt)}`);
    }
    return { action: "rerun", failure: validateLaunchFailure(payload.failure), attempt, executionArn: payload.executionArn };
  }
  throw new InvalidEventError(`action: expected "classify" or "rerun", got ${JSON.stringify(payload.action)}`);
}

// ---------------------------------------------------------------------------------------------
// Decision and notice
// ---------------------------------------------------------------------------------------------

export type DecisionPolicy = Pick<
  RerunConfig,
  "retryableReasons" | "maxAttempts" | "firstDelaySeconds" | "backoffRate" | "maxDelaySeconds" | "jitter"
>;

/**
 * What to do after an answer, `attempt` reruns having been made (0 after classify):
 * remaining == 0 -> recovered; no retryable reason -> not_retryable; attempt >= maxAttempts ->
 * gave_up; else retry after backoff(attempt + 1).
 */
export function decide(
  failure: LaunchFailure,
  attempt: number,
  policy: DecisionPolicy,
  random: () => number = Math.random,
): Decision {
  const retryable = isRetryable(failure.reasons, policy.retryableReasons);
  const base = { attempt, nextAttempt: attempt + 1, maxAttempts: policy.maxAttempts, delaySeconds: 0, retryable };
  if (failure.remaining <= 0) {
    return {
      ...base,
      next: "recovered",
      message:
        attempt === 0
          ? "no shortfall"
          : `all ${failure.requested} task(s) placed after ${attempt} rerun(s)`,
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
  if (attempt >= policy.maxAttempts) {
    return {
      ...base,
      next: "gave_up",
      message: `${failure.remaining} of ${failure.requested} task(s) still not placed after ${attempt} rerun(s)`,
    };
  }
  return { ...base, next: "retry", delaySeconds: backoffSeconds(attempt + 1, policy, random) };
}

/** Notice kind after a rerun: recovered | retrying | gave_up | not_retryable. */
export function noticeKindAfterRerun(decision: Decision): NoticeKind {
  return decision.next === "retry" ? "retrying" : decision.next;
}

export function buildNotice(kind: NoticeKind, failure: LaunchFailure, decision: Decision, executionArn: string): Notice {
  return {
    kind,
    cluster: failure.cluster,
    clusterName: failure.clusterName,
    taskDefinition: failure.taskDefinition,
    action: failure.action,
    reasons: [...failure.reasons],
    attempt: decision.attempt,
    maxAttempts: decision.maxAttempts,
    requested: failure.requested,
    placed: failure.placed,
    remaining: failure.remaining,
    ...(decision.next === "retry" ? { nextDelaySeconds: decision.delaySeconds } : {}),
    ...(decision.message !== undefined ? { message: decision.message } : {}),
    eventId: failure.eventId,
    executionArn,
    region: failure.region,
    account: failure.account,
    ...(failure.startedBy !== undefined ? { startedBy: failure.startedBy } : {}),
    eventTime: failure.eventTime,
    taskArns: [...failure.taskArns],
  };
}

// ---------------------------------------------------------------------------------------------
// The rerun request
// ---------------------------------------------------------------------------------------------

/**
 * The ECS request of the `attempt`-th rerun: the ORIGINAL requestParameters, unchanged, except
 * RunTask: count = the shortfall, clientToken = clientToken(eventId, attempt) (never the caller's);
 * StartTask: containerInstances = the instances still without a task (StartTask has no clientToken).
 */
export function buildRerunRequest(failure: LaunchFailure, attempt: number): Record<string, unknown> {
  if (failure.action === "RunTask") {
    return { ...failure.request, count: failure.remaining, clientToken: clientToken(failure.eventId, attempt) };
  }
  const { clientToken: _ignored, ...rest } = failure.request;
  void _ignored;
  return { ...rest, containerInstances: [...(failure.pendingContainerInstances ?? [])] };
}

// ---------------------------------------------------------------------------------------------
// ECS error mapping
// ---------------------------------------------------------------------------------------------

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

export type EcsErrorOutcome =
  | { outcome: "throttled"; message: string }
  | { outcome: "server"; message: string }
  | { outcome: "gave_up"; message: string };

/**
 * Maps an error thrown by ecs.send:
 * - throttling (name, $retryable.throttling, HTTP 429) -> "throttled" (throw EcsThrottledError; safe for both actions)
 * - server fault / 5xx / no HTTP answer at all (network, timeout: outcome unknown) ->
 *   RunTask: "server" (throw EcsServerError; the retry is idempotent thanks to the clientToken);
 *   StartTask: "gave_up" (no idempotency token: the task may have started, a retry could run it twice)
 * - anything else (ClientException, InvalidParameterException, AccessDeniedException, ...) -> "gave_up"
 */
export function classifyEcsError(err: unknown, action: LaunchAction): EcsErrorOutcome {
  const e = (isRecord(err) || err instanceof Error ? err : {}) as {
    name?: unknown;
    message?: unknown;
    $fault?: unknown;
    $retryable?: { throttling?: unknown };
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof e.name === "string" ? e.name : "Error";
  const text = typeof e.message === "string" ? e.message : String(err);
  const message = `${name}: ${text}`;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;

  if (THROTTLING_ERROR_NAMES.has(name) || e.$retryable?.throttling === true || status === 429) {
    return { outcome: "throttled", message };
  }
  const serverSide = e.$fault === "server" || name === "ServerException" || (status !== undefined && status >= 500);
  const noAnswer = status === undefined && e.$fault === undefined;
  if (serverSide || noAnswer) {
    if (action === "RunTask") return { outcome: "server", message };
    return {
      outcome: "gave_up",
      message: `${message} (StartTask has no idempotency token and the task may have started; not retried to avoid running it twice)`,
    };
  }
  return { outcome: "gave_up", message };
}
