/** Rerun core: the ECS request of a rerun (the original request; count or instances and clientToken adjusted). */
import { OWNER_TAG_ATTEMPT, OWNER_TAG_EVENT_ID, type LaunchFailure } from "../../../shared/contract";
import { nonEmptyString } from "../../util";
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

/** An ECS resource tag. */
export interface ResourceTag {
  key: string;
  value?: string;
}

/**
 * The request's own tags, then the owner tags of this attempt (replacing any owner tags the original
 * carried, e.g. when another pipeline launched it). ECS applies request tags atomically with the
 * launch (RunTask/StartTask `tags`, allowed by ecs:TagResource with ecs:CreateAction).
 */
export function ownerTags(failure: LaunchFailure, attempt: number): ResourceTag[] {
  const own = new Set([OWNER_TAG_EVENT_ID, OWNER_TAG_ATTEMPT]);
  const original = Array.isArray(failure.request.tags) ? (failure.request.tags as ResourceTag[]) : [];
  return [
    ...original.filter((t) => !own.has(t?.key)),
    { key: OWNER_TAG_EVENT_ID, value: failure.eventId },
    { key: OWNER_TAG_ATTEMPT, value: String(attempt) },
  ];
}

/**
 * The ECS request of the `attempt`-th rerun: the original request, unchanged, except
 * RunTask: count = the shortfall, clientToken = rerunClientToken(failure, attempt) (never the caller's);
 * StartTask: containerInstances = the instances still without a task (StartTask has no clientToken);
 * both: tags = the original's plus the owner tags of this attempt.
 */
export function buildRerunRequest(failure: LaunchFailure, attempt: number): Record<string, unknown> {
  const tags = ownerTags(failure, attempt);
  if (failure.action === "RunTask") {
    return { ...failure.request, count: failure.remaining, clientToken: rerunClientToken(failure, attempt), tags };
  }
  const { clientToken: _ignored, ...rest } = failure.request;
  void _ignored;
  return { ...rest, containerInstances: [...(failure.pendingContainerInstances ?? [])], tags };
}
