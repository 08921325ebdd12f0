/** Rerun core: the ECS request of a rerun (the original request; count or instances and clientToken adjusted). */
import type { LaunchFailure } from "../../shared/contract";
import { nonEmptyString } from "../util";
import { clientToken } from "./client-token";

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
