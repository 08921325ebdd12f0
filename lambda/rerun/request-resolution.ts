/**
 * Which request a rerun replays, tried in order (README, "What is guaranteed"): the schedule that
 * launched the task, the CloudTrail record when nothing in it is hidden, the task record when it
 * can be faithful. When none will do, nothing is launched: the failure comes back `unrecoverable`
 * with what is missing, for a needs-human notice.
 */
import type { LaunchFailure } from "../shared/contract";
import { logJson } from "../shared/log";
import { hiddenValues, taskRecordUnfaithful } from "./core/failure/request-source";
import type { ScheduleAccess } from "./schedule-access";

export type Resolution = { readonly kind: "found" | "unrecoverable"; readonly failure: LaunchFailure };

/** Resolves `failure.request`; throws Deferred when the schedule cannot be read for now. */
export async function resolveRequest(failure: LaunchFailure, schedules: ScheduleAccess, ctx: Record<string, unknown>): Promise<Resolution> {
  const scheduled = await schedules.requestOf(failure, ctx);
  if (scheduled !== undefined) {
    const found: LaunchFailure = { ...failure, request: scheduled.request, requestSource: "schedule", requestSourceDetail: scheduled.where };
    // The schedule's target holds everything a task record could not.
    delete found.notCarriedOver;
    logJson("INFO", "original request read from its schedule", { ...ctx, schedule: scheduled.where });
    return { kind: "found", failure: found };
  }
  if (failure.source === "cloudtrail") {
    const hidden = hiddenValues(failure.request);
    if (hidden.length === 0) return { kind: "found", failure: { ...failure, requestSource: "cloudtrail" } };
    logJson("WARN", "the CloudTrail record hides part of the request and no schedule holds it: not relaunched", { ...ctx, hidden });
    return { kind: "unrecoverable", failure: { ...failure, requestSource: "cloudtrail", unrecoverable: hidden.map((h) => `${h} (hidden by CloudTrail)`) } };
  }
  const unfaithful = taskRecordUnfaithful(failure.notCarriedOver);
  if (unfaithful.length === 0) return { kind: "found", failure: { ...failure, requestSource: "task-record" } };
  logJson("WARN", "the task record cannot say the task's network and no schedule holds it: not relaunched", { ...ctx, unfaithful });
  return { kind: "unrecoverable", failure: { ...failure, requestSource: "task-record", unrecoverable: unfaithful.map((m) => `${m} (not in the task record)`) } };
}
