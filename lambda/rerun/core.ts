/**
 * Pure core of the rerun Lambda: no I/O, no clock, no global state (time and randomness are
 * passed in). The handler (handler.ts) wires these to the ECS client.
 */
import { createHash } from "node:crypto";
import { InvalidEventError } from "../shared/errors";
import type {
  Decision,
  FailureEntry,
  FailureSource,
  FailureType,
  LaunchAction,
  LaunchFailure,
  Notice,
  NoticeKind,
  ReasonKind,
  RerunLambdaInput,
} from "../shared/contract";
import type { BackoffPolicy, RerunConfig } from "./config";
import { clusterShortName, isRecord, isStringArray, lastSegment, nonEmptyString, shortfall, taskDefinitionFamily } from "./util";

export { clusterShortName, lastSegment, shortfall, taskDefinitionFamily } from "./util";

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

// ---------------------------------------------------------------------------------------------
// Idempotency token
// ---------------------------------------------------------------------------------------------

export const CLIENT_TOKEN_PREFIX = "ecs-rerun-";

/**
 * clientToken of the `attempt`-th rerun of the failure whose event is `eventId` (CloudTrail
 * eventID, or the envelope id of a task state change): "ecs-rerun-" + the first 40 hex characters
 * of sha256(`${eventId}:${attempt}`) (50 characters; ECS allows up to 64).
 *
 * Deterministic on purpose: event delivery is best effort and can duplicate an event, and
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

/** One ECS answer (responseElements of RunTask/StartTask, or the SDK output). */
export interface EcsAnswer {
  tasks?: ReadonlyArray<{ taskArn?: string; containerInstanceArn?: string } | null | undefined> | null;
  failures?: ReadonlyArray<FailureEntry | null | undefined> | null;
}

export function normaliseFailures(failures: EcsAnswer["failures"]): FailureEntry[] {
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

/** Tasks of an answer that carry an ARN. */
export function answerTasks(answer: EcsAnswer): Array<{ taskArn: string; containerInstanceArn?: string }> {
  const out: Array<{ taskArn: string; containerInstanceArn?: string }> = [];
  for (const t of answer.tasks ?? []) {
    if (!isRecord(t) || !nonEmptyString(t.taskArn)) continue;
    out.push({ taskArn: t.taskArn, ...(nonEmptyString(t.containerInstanceArn) ? { containerInstanceArn: t.containerInstanceArn } : {}) });
  }
  return out;
}

/**
 * Folds one launch answer into the failure: placed += tasks, taskArns appended, pending StartTask
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
    reasonKind: "launch",
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
 * LaunchFailure (nothing launched yet). Throws InvalidEventError naming the missing or bad field.
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
    failureType: "rejected",
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
    reasonKind: "launch",
    failures: [],
    taskArns: [],
    attemptsLaunched: 0,
    unconfirmedTaskArns: [],
  };
  return applyAnswer(initial, response as EcsAnswer);
}

// ---------------------------------------------------------------------------------------------
// Validating the rerun input (it comes back from the state machine)
// ---------------------------------------------------------------------------------------------

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

const SOURCES: readonly FailureSource[] = ["cloudtrail", "task-state-change"];
const FAILURE_TYPES: readonly FailureType[] = ["rejected", "failed_to_start", "program_failed"];
const REASON_KINDS: readonly ReasonKind[] = ["launch", "stopped", "program"];

/**
 * Checks the fields the rerun relies on; throws InvalidEventError naming the bad one.
 *
 * Members added with task-state events and launch verification (source, failureType, reasonKind,
 * attemptsLaunched, unconfirmedTaskArns) may be absent: an execution started before they existed
 * can still be in a Wait when the new code is deployed. Absent, they take the values that make
 * the old meaning hold (a CloudTrail rejection, `attempt - 1` reruns launched, nothing to verify).
 */
export function validateLaunchFailure(value: unknown, path = "failure", attempt = 1): LaunchFailure {
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

  const oneOfOr = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) {
      throw new InvalidEventError(`${path}.${key}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  };
  const source = oneOfOr("source", SOURCES, "cloudtrail");
  const failureType = oneOfOr("failureType", FAILURE_TYPES, "rejected");
  const reasonKind = oneOfOr("reasonKind", REASON_KINDS, "launch");
  const attemptsLaunched = value.attemptsLaunched ?? Math.max(0, attempt - 1);
  if (!isNonNegativeInt(attemptsLaunched)) throw new InvalidEventError(`${path}.attemptsLaunched: expected an integer >= 0`);
  const unconfirmedTaskArns = value.unconfirmedTaskArns ?? [];
  if (!isStringArray(unconfirmedTaskArns)) throw new InvalidEventError(`${path}.unconfirmedTaskArns: expected an array of strings`);
  if (unconfirmedTaskArns.length > 0 && !(nonEmptyString(value.verifyDeadline) && Number.isFinite(Date.parse(value.verifyDeadline)))) {
    throw new InvalidEventError(`${path}.verifyDeadline: expected an ISO time while unconfirmedTaskArns is not empty`);
  }
  return { ...(value as unknown as LaunchFailure), source, failureType, reasonKind, attemptsLaunched, unconfirmedTaskArns };
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
    return { action: "rerun", failure: validateLaunchFailure(payload.failure, "failure", attempt), attempt, executionArn: payload.executionArn };
  }
  throw new InvalidEventError(`action: expected "classify" or "rerun", got ${JSON.stringify(payload.action)}`);
}

// ---------------------------------------------------------------------------------------------
// Decision and notice
// ---------------------------------------------------------------------------------------------

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
 * What to do now, `failure.attemptsLaunched` reruns having been launched (0 after classify),
 * at `nowMs` (ms since the epoch):
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

/** Notice kind after classify: one message per event (not_retryable and program_failed say "a human must look"). */
export function noticeKindAfterClassify(decision: Decision): NoticeKind {
  switch (decision.next) {
    case "not_retryable":
      return "not_retryable";
    case "report":
      return "program_failed";
    case "gave_up":
      return "gave_up";
    case "retry":
    case "verify":
    case "recovered":
      return "detected";
  }
}

/**
 * Notice kind after a rerun. `verify` maps to "retrying" only so that every output has a notice
 * of the same shape: the state machine does not publish notices of verification rounds.
 */
export function noticeKindAfterRerun(decision: Decision): NoticeKind {
  switch (decision.next) {
    case "retry":
    case "verify":
      return "retrying";
    case "report":
      return "program_failed";
    case "recovered":
    case "gave_up":
    case "not_retryable":
      return decision.next;
  }
}

export function buildNotice(kind: NoticeKind, failure: LaunchFailure, decision: Decision, executionArn: string): Notice {
  const firstLog = (failure.containers ?? []).find((c) => c.logGroup !== undefined && c.logStream !== undefined);
  return {
    kind,
    source: failure.source,
    failureType: failure.failureType,
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
    ...(failure.notCarriedOver !== undefined ? { notCarriedOver: [...failure.notCarriedOver] } : {}),
    ...(failure.stoppedReason !== undefined ? { stoppedReason: failure.stoppedReason } : {}),
    ...(failure.taskArn !== undefined ? { taskArn: failure.taskArn } : {}),
    ...(failure.containers !== undefined ? { containers: failure.containers.map((c) => ({ ...c })) } : {}),
    ...(firstLog
      ? { logGroup: firstLog.logGroup, logStream: firstLog.logStream, ...(firstLog.logRegion ? { logRegion: firstLog.logRegion } : {}) }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The rerun request
// ---------------------------------------------------------------------------------------------

/**
 * What the clientToken of a rerun is derived from. CloudTrail: the eventID of the original call.
 * Task state change: the stopped task's ARN, not the envelope id: ECS can report the same stopped
 * task in more than one event (each with its own id), and every execution about that one task must
 * send the same token, so that ECS launches its replacement once.
 */
export function idempotencyKey(failure: LaunchFailure): string {
  return failure.source === "task-state-change" && nonEmptyString(failure.taskArn) ? failure.taskArn : failure.eventId;
}

/** clientToken of the `attempt`-th rerun of this failure. */
export function rerunClientToken(failure: LaunchFailure, attempt: number): string {
  return clientToken(idempotencyKey(failure), attempt);
}

/**
 * The ECS request of the `attempt`-th rerun: the original request, unchanged, except
 * RunTask: count = the shortfall, clientToken = rerunClientToken(failure, attempt) (never the caller's);
 * StartTask: containerInstances = the instances still without a task (StartTask has no clientToken).
 */
export function buildRerunRequest(failure: LaunchFailure, attempt: number): Record<string, unknown> {
  if (failure.action === "RunTask") {
    return { ...failure.request, count: failure.remaining, clientToken: rerunClientToken(failure, attempt) };
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
