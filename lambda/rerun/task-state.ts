/**
 * Pure parsing of "ECS Task State Change" events into the same LaunchFailure record the CloudTrail
 * path produces, so the rest of the pipeline (decide, rerun, verify, notices) is shared.
 */
import { InvalidEventError } from "../shared/errors";
import { OWNER_TAG_ATTEMPT, OWNER_TAG_EVENT_ID, type FailedContainer, type LaunchFailure } from "../shared/contract";
import { CLOUDTRAIL_DETAIL_TYPE, parseLaunchEvent } from "./core/failure/cloudtrail-event";
import { isGenericStoppedReason } from "./core/failure/essential";
import { clusterShortName, isRecord, lastSegment, nonEmptyString, trimReason } from "./util";

export const TASK_STATE_CHANGE_DETAIL_TYPE = "ECS Task State Change";
export const STOP_CODE_FAILED_TO_START = "TaskFailedToStart";
export const STOP_CODE_ESSENTIAL_EXITED = "EssentialContainerExited";

/**
 * RunTask members a task record never carries, so a rerun rebuilt from it goes without them.
 * The notice lists them: the human knows what the rerun lacked.
 */
export const ALWAYS_NOT_CARRIED_OVER: readonly string[] = Object.freeze([
  "tags",
  "propagateTags",
  "placementConstraints",
  "placementStrategy",
  "enableExecuteCommand",
  "enableECSManagedTags",
  "referenceId",
  "volumeConfigurations",
]);

/** awsvpc: the task's ENI names its subnet, but not the security groups or the public IP setting. */
export const AWSVPC_NOT_CARRIED_OVER: readonly string[] = Object.freeze([
  "networkConfiguration.securityGroups",
  "networkConfiguration.assignPublicIp",
]);

export const CAPACITY_PROVIDER_NOT_CARRIED_OVER = "capacityProviderStrategy (only the provider the task was placed with; other providers, base and weight)";

/** The subnet of the task's ENI attachment ("eni" in events, "ElasticNetworkInterface" in DescribeTasks). */
export function eniSubnet(attachments: unknown): string | undefined {
  if (!Array.isArray(attachments)) return undefined;
  for (const attachment of attachments) {
    if (!isRecord(attachment) || !Array.isArray(attachment.details)) continue;
    if (attachment.type !== "eni" && attachment.type !== "ElasticNetworkInterface") continue;
    for (const d of attachment.details) {
      if (isRecord(d) && d.name === "subnetId" && nonEmptyString(d.value)) return d.value;
    }
  }
  return undefined;
}

/**
 * The RunTask request rebuilt from what a task record carries:
 * cluster, taskDefinition, count 1, overrides, group, startedBy, the capacity provider the task
 * was placed with (else its launch type: the two exclude each other), platformVersion, and the
 * ENI's subnet. Everything else is named in `notCarriedOver`.
 */
export function reconstructRequest(detail: Record<string, unknown>): { request: Record<string, unknown>; notCarriedOver: string[] } {
  const request: Record<string, unknown> = {
    cluster: detail.clusterArn,
    taskDefinition: detail.taskDefinitionArn,
    count: 1,
  };
  const notCarriedOver = [...ALWAYS_NOT_CARRIED_OVER];
  // A JSON copy: the request travels in the state and must not alias the event.
  if (isRecord(detail.overrides)) request.overrides = JSON.parse(JSON.stringify(detail.overrides)) as unknown;
  if (nonEmptyString(detail.group)) request.group = detail.group;
  if (nonEmptyString(detail.startedBy)) request.startedBy = detail.startedBy;
  if (nonEmptyString(detail.capacityProviderName)) {
    request.capacityProviderStrategy = [{ capacityProvider: detail.capacityProviderName }];
    notCarriedOver.push(CAPACITY_PROVIDER_NOT_CARRIED_OVER);
  } else if (nonEmptyString(detail.launchType)) {
    request.launchType = detail.launchType;
  }
  if (nonEmptyString(detail.platformVersion)) request.platformVersion = detail.platformVersion;
  const subnet = eniSubnet(detail.attachments);
  if (subnet !== undefined) {
    request.networkConfiguration = { awsvpcConfiguration: { subnets: [subnet] } };
    notCarriedOver.push(...AWSVPC_NOT_CARRIED_OVER);
  }
  // Some task records do say whether ECS Exec was on; when they do, keep it.
  if (typeof detail.enableExecuteCommand === "boolean") {
    request.enableExecuteCommand = detail.enableExecuteCommand;
    notCarriedOver.splice(notCarriedOver.indexOf("enableExecuteCommand"), 1);
  }
  return { request, notCarriedOver };
}

/** Containers that exited with a non-zero code (a missing exit code is not a failure we can name). */
export function failingContainers(containers: unknown): FailedContainer[] {
  if (!Array.isArray(containers)) return [];
  const out: FailedContainer[] = [];
  for (const c of containers) {
    if (!isRecord(c) || !nonEmptyString(c.name)) continue;
    if (typeof c.exitCode !== "number" || c.exitCode === 0) continue;
    out.push({ name: c.name, exitCode: c.exitCode, ...(nonEmptyString(c.reason) ? { reason: trimReason(c.reason) } : {}) });
  }
  return out;
}

/** The reason of a program failure that is rerun (RERUN_PROGRAM_FAILURE_FAMILIES). */
export function programFailureReason(container: FailedContainer): string {
  return `${STOP_CODE_ESSENTIAL_EXITED}: ${container.name} exited ${container.exitCode}`;
}

/**
 * What an event without `stopCode` stands for. Task events from before ECS recorded a stop code
 * (real ones from 2018 carry none: drill/events/published__julianghionoiu-dpnt-infra-events__*) are
 * judged by what they do carry: a container that exited non-zero is a program failure, as with
 * EssentialContainerExited; a task whose containers never ran (no exit code at all, no startedAt)
 * failed to start, its stoppedReason judged like TaskFailedToStart's; anything else (every exit 0)
 * is no failure. The rules never send such an event (their patterns name stopCode, README "The
 * other two ways a job goes missing"): this is for one that arrives by another way.
 */
export function stopCodeOfOldEvent(detail: Record<string, unknown>): typeof STOP_CODE_FAILED_TO_START | typeof STOP_CODE_ESSENTIAL_EXITED {
  const containers = Array.isArray(detail.containers) ? detail.containers.filter(isRecord) : [];
  if (failingContainers(containers).length > 0) return STOP_CODE_ESSENTIAL_EXITED;
  const ran = detail.startedAt !== undefined || containers.some((c) => typeof c.exitCode === "number");
  return ran ? STOP_CODE_ESSENTIAL_EXITED : STOP_CODE_FAILED_TO_START;
}

/** A stopped task's event, checked: the envelope's fields and the detail's, and the stop code ECS recorded (none in old events). */
function stoppedTaskRecord(event: unknown) {
  if (!isRecord(event)) throw new InvalidEventError("event: expected an EventBridge envelope object");
  if (event["detail-type"] !== TASK_STATE_CHANGE_DETAIL_TYPE) {
    throw new InvalidEventError(
      `detail-type: expected ${JSON.stringify(TASK_STATE_CHANGE_DETAIL_TYPE)}, got ${JSON.stringify(event["detail-type"])}`,
    );
  }
  if (event.source !== "aws.ecs") throw new InvalidEventError(`source: expected "aws.ecs", got ${JSON.stringify(event.source)}`);
  const eventId = event.id;
  if (!nonEmptyString(eventId)) throw new InvalidEventError("id: missing or empty");
  const region = event.region;
  if (!nonEmptyString(region)) throw new InvalidEventError("region: missing or empty");
  const account = event.account;
  if (!nonEmptyString(account)) throw new InvalidEventError("account: missing or empty");
  const detail = event.detail;
  if (!isRecord(detail)) throw new InvalidEventError("detail: missing or not an object");
  for (const key of ["clusterArn", "taskArn", "taskDefinitionArn"] as const) {
    if (!nonEmptyString(detail[key])) throw new InvalidEventError(`detail.${key}: missing or empty`);
  }
  if (detail.lastStatus !== "STOPPED") {
    throw new InvalidEventError(`detail.lastStatus: expected "STOPPED", got ${JSON.stringify(detail.lastStatus)}`);
  }
  const recorded = detail.stopCode;
  if (recorded !== undefined && recorded !== STOP_CODE_FAILED_TO_START && recorded !== STOP_CODE_ESSENTIAL_EXITED) {
    throw new InvalidEventError(
      `detail.stopCode: expected "${STOP_CODE_FAILED_TO_START}" or "${STOP_CODE_ESSENTIAL_EXITED}" (or none, in an event from before ECS recorded one), got ${JSON.stringify(recorded)}`,
    );
  }
  return { event, detail, eventId, region, account, cluster: detail.clusterArn as string, taskArn: detail.taskArn as string, taskDefinition: detail.taskDefinitionArn as string, recorded };
}

/**
 * Validates an "ECS Task State Change" envelope of a stopped task and normalises it:
 * TaskFailedToStart -> failed_to_start (reason: the stoppedReason); EssentialContainerExited with a
 * non-zero exit -> program_failed. Throws InvalidEventError naming the bad field; an event whose
 * containers all exited 0 is not a failure (the rule's pattern never sends one).
 */
export function parseTaskStateChangeEvent(event: unknown): LaunchFailure {
  const { event: envelope, detail, eventId, region, account, cluster, taskArn, taskDefinition, recorded } = stoppedTaskRecord(event);
  const stopCode = recorded ?? stopCodeOfOldEvent(detail);
  const stoppedReason = nonEmptyString(detail.stoppedReason) ? trimReason(detail.stoppedReason) : undefined;
  const { request, notCarriedOver } = reconstructRequest(detail);
  const eventTime = nonEmptyString(envelope.time) ? envelope.time : nonEmptyString(detail.stoppedAt) ? detail.stoppedAt : "";
  const common = {
    source: "task-state-change" as const,
    eventId,
    action: "RunTask" as const,
    region,
    account,
    cluster,
    clusterName: clusterShortName(cluster),
    taskDefinition,
    ...(nonEmptyString(detail.startedBy) ? { startedBy: detail.startedBy } : {}),
    ...(nonEmptyString(detail.group) ? { group: detail.group } : {}),
    eventTime,
    request,
    // Each task has its own event: one task went missing, one is owed.
    requested: 1,
    placed: 0,
    remaining: 1,
    taskArns: [],
    attemptsLaunched: 0,
    unconfirmedTaskArns: [],
    notCarriedOver,
    ...(stoppedReason !== undefined ? { stoppedReason } : {}),
    ...(recorded !== undefined ? { stopCode: recorded } : {}),
    taskArn,
  };

  if (stopCode === STOP_CODE_FAILED_TO_START) {
    // "Task failed to start" says nothing; the containers' own reasons say why (a pull error, ...):
    // those are judged and told instead.
    const containerReasons = [...new Set((Array.isArray(detail.containers) ? detail.containers : []).flatMap((c) => (isRecord(c) && nonEmptyString(c.reason) ? [trimReason(c.reason)] : [])))];
    if (isGenericStoppedReason(stoppedReason) && containerReasons.length > 0) {
      const told = trimReason(`${stoppedReason ?? STOP_CODE_FAILED_TO_START}: ${containerReasons.join("; ")}`);
      return { ...common, stoppedReason: told, failureType: "failed_to_start", reasons: containerReasons, reasonKind: "stopped", failures: containerReasons.map((reason) => ({ arn: taskArn, reason })) };
    }
    const reason = stoppedReason ?? STOP_CODE_FAILED_TO_START;
    return { ...common, failureType: "failed_to_start", reasons: [reason], reasonKind: "stopped", failures: [{ arn: taskArn, reason }] };
  }
  const containers = failingContainers(detail.containers);
  if (containers.length === 0) {
    throw new InvalidEventError(
      `not a failure: no container of ${lastSegment(taskArn)} exited with a non-zero code (stopCode ${STOP_CODE_ESSENTIAL_EXITED})`,
    );
  }
  const reasons = containers.map(programFailureReason);
  return { ...common, failureType: "program_failed", reasons, reasonKind: "program", failures: reasons.map((reason) => ({ arn: taskArn, reason })), containers };
}

/** Parses either source by its detail-type. */
export function parseFailureEvent(event: unknown): LaunchFailure {
  const detailType = isRecord(event) ? event["detail-type"] : undefined;
  if (detailType === CLOUDTRAIL_DETAIL_TYPE) return parseLaunchEvent(event);
  if (detailType === TASK_STATE_CHANGE_DETAIL_TYPE) return parseTaskStateChangeEvent(event);
  if (!isRecord(event)) throw new InvalidEventError("event: expected an EventBridge envelope object");
  throw new InvalidEventError(
    `detail-type: expected ${JSON.stringify(CLOUDTRAIL_DETAIL_TYPE)} or ${JSON.stringify(TASK_STATE_CHANGE_DETAIL_TYPE)}, got ${JSON.stringify(detailType)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Ownership: tasks the pipeline launched carry its tags
// ---------------------------------------------------------------------------------------------

/** The owning event and attempt from a task's tags (DescribeTasks with include TAGS), if the pipeline launched it. */
export function ownerFromTags(tags: unknown): { eventId: string; attempt: number } | undefined {
  if (!Array.isArray(tags)) return undefined;
  const value = (key: string) => {
    const tag = tags.find((t) => isRecord(t) && t.key === key) as { value?: unknown } | undefined;
    return typeof tag?.value === "string" ? tag.value : undefined;
  };
  const eventId = value(OWNER_TAG_EVENT_ID);
  if (!nonEmptyString(eventId)) return undefined;
  const attempt = Number.parseInt(value(OWNER_TAG_ATTEMPT) ?? "", 10);
  return { eventId, attempt: Number.isInteger(attempt) && attempt >= 0 ? attempt : 0 };
}

/** The tags of `taskArn` in a DescribeTasks answer (matched by ARN or task ID). */
export function tagsOfTask(answer: { tasks?: unknown }, taskArn: string): unknown {
  const tasks = Array.isArray(answer.tasks) ? answer.tasks : [];
  const task = tasks.find((t) => isRecord(t) && nonEmptyString(t.taskArn) && lastSegment(t.taskArn) === lastSegment(taskArn));
  return isRecord(task) ? task.tags : undefined;
}

// ---------------------------------------------------------------------------------------------
// Log links of a program failure
// ---------------------------------------------------------------------------------------------

/**
 * Adds the awslogs group/stream/region of each failing container, read from the task
 * definition's container definitions. The stream name is `<prefix>/<container>/<task id>` only
 * when awslogs-stream-prefix is set; without a prefix the stream is named after the runtime
 * container ID, which no record here carries, so no link is made.
 */
export function withLogLinks(containers: readonly FailedContainer[], containerDefinitions: unknown, taskArn: string): FailedContainer[] {
  const definitions = Array.isArray(containerDefinitions) ? containerDefinitions : [];
  const taskId = lastSegment(taskArn);
  return containers.map((c) => {
    const definition = definitions.find((d) => isRecord(d) && d.name === c.name) as Record<string, unknown> | undefined;
    const logConfiguration = definition?.logConfiguration;
    if (!isRecord(logConfiguration) || logConfiguration.logDriver !== "awslogs" || !isRecord(logConfiguration.options)) return { ...c };
    const options = logConfiguration.options;
    const group = options["awslogs-group"];
    const prefix = options["awslogs-stream-prefix"];
    if (!nonEmptyString(group) || !nonEmptyString(prefix)) return { ...c };
    const region = options["awslogs-region"];
    return {
      ...c,
      logGroup: group,
      logStream: `${prefix}/${c.name}/${taskId}`,
      ...(nonEmptyString(region) ? { logRegion: region } : {}),
    };
  });
}
