/** Rerun core: validating the invocation payload, including the failure that comes back from the state machine. */
import { InvalidEventError } from "../../../shared/errors";
import type { FailureSource, FailureType, LaunchAction, LaunchFailure, ReasonKind, RerunLambdaInput } from "../../../shared/contract";
import { isRecord, isStringArray, nonEmptyString } from "../../util";
import { LAUNCH_ACTIONS } from "./cloudtrail-event";

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
