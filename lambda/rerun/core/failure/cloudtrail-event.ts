/** Rerun core: parsing a CloudTrail RunTask/StartTask record (EventBridge envelope) into a LaunchFailure. */
import { InvalidEventError } from "../../../shared/errors";
import type { LaunchAction, LaunchFailure } from "../../../shared/contract";
import { clusterShortName, isRecord, nonEmptyString } from "../../util";
import { applyAnswer, type EcsAnswer } from "../relaunch/launch-answer";

export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";
export const LAUNCH_ACTIONS: readonly LaunchAction[] = ["RunTask", "StartTask"];

type Fields = Record<string, unknown>;

/** The envelope's CloudTrail record of an ECS launch: its detail, action and event ID. */
function launchRecord(event: unknown): { envelope: Fields; detail: Fields; action: LaunchAction; eventId: string } {
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
  const eventVersion = detail.eventVersion;
  if (typeof eventVersion !== "string" || !/^1(\.\d+)*$/.test(eventVersion)) {
    throw new InvalidEventError(`detail.eventVersion: expected major version 1 (e.g. "1.08"), got ${JSON.stringify(eventVersion)}`);
  }
  const eventId = detail.eventID;
  if (!nonEmptyString(eventId)) throw new InvalidEventError("detail.eventID: missing or empty");
  return { envelope: event, detail, action: eventName as LaunchAction, eventId };
}

/** The recorded request and ECS's answer to it. */
function requestAndAnswer(detail: Fields): { request: Fields; taskDefinition: string; response: EcsAnswer } {
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
  return { request, taskDefinition, response: response as EcsAnswer };
}

/** How many tasks the request asked for, and a StartTask's container instances. */
function requestedTasks(action: LaunchAction, request: Fields): { requested: number; pendingContainerInstances?: string[] } {
  if (action === "RunTask") {
    const count = request.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
      throw new InvalidEventError(`detail.requestParameters.count: expected a positive integer, got ${JSON.stringify(request.count)}`);
    }
    return { requested: count };
  }
  const instances = request.containerInstances;
  if (!Array.isArray(instances) || instances.length === 0 || !instances.every(nonEmptyString)) {
    throw new InvalidEventError("detail.requestParameters.containerInstances: expected a non-empty array of strings (StartTask)");
  }
  return { requested: instances.length, pendingContainerInstances: [...(instances as string[])] };
}

/**
 * Validates the EventBridge envelope of a CloudTrail RunTask/StartTask record and turns it into a
 * LaunchFailure (nothing launched yet). Throws InvalidEventError naming the missing or bad field.
 */
export function parseLaunchEvent(event: unknown): LaunchFailure {
  const { envelope, detail, action, eventId } = launchRecord(event);
  const { request, taskDefinition, response } = requestAndAnswer(detail);

  const cluster = request.cluster === undefined || request.cluster === null ? "default" : request.cluster;
  if (!nonEmptyString(cluster)) throw new InvalidEventError("detail.requestParameters.cluster: not a non-empty string");
  const { requested, pendingContainerInstances } = requestedTasks(action, request);

  const region = nonEmptyString(detail.awsRegion) ? detail.awsRegion : envelope.region;
  if (!nonEmptyString(region)) throw new InvalidEventError("detail.awsRegion: missing (and no envelope region)");
  const account = nonEmptyString(detail.recipientAccountId) ? detail.recipientAccountId : envelope.account;
  if (!nonEmptyString(account)) throw new InvalidEventError("detail.recipientAccountId: missing (and no envelope account)");
  const eventTime = nonEmptyString(detail.eventTime) ? detail.eventTime : nonEmptyString(envelope.time) ? envelope.time : "";

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
  return applyAnswer(initial, response);
}
