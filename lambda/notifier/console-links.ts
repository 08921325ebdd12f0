// Links into the AWS console for a notice or an alarm: clusters, task definitions, tasks, executions,
// CloudTrail events, log streams and alarms, in the region they belong to.

function safeRegion(region: string): string {
  return /^[a-z0-9-]+$/.test(region) ? region : encodeURIComponent(region);
}

function consoleBase(region: string): string {
  const r = safeRegion(region);
  return `https://${r}.console.aws.amazon.com`;
}

export function clusterUrl(region: string, clusterName: string): string {
  return `${consoleBase(region)}/ecs/v2/clusters/${encodeURIComponent(clusterName)}?region=${safeRegion(region)}`;
}

/** family and revision from "family", "family:12" or "arn:aws:ecs:...:task-definition/family:12". */
export function parseTaskDefinition(taskDefinition: string): { family: string; revision?: string } {
  const marker = "task-definition/";
  const at = taskDefinition.indexOf(marker);
  const name = at >= 0 ? taskDefinition.slice(at + marker.length) : taskDefinition;
  const colon = name.lastIndexOf(":");
  if (colon > 0 && /^\d+$/.test(name.slice(colon + 1))) {
    return { family: name.slice(0, colon), revision: name.slice(colon + 1) };
  }
  return { family: name };
}

export function taskDefinitionUrl(region: string, taskDefinition: string): string {
  const { family, revision } = parseTaskDefinition(taskDefinition);
  const path = revision === undefined ? encodeURIComponent(family) : `${encodeURIComponent(family)}/${revision}`;
  return `${consoleBase(region)}/ecs/v2/task-definitions/${path}?region=${safeRegion(region)}`;
}

export function executionUrl(region: string, executionArn: string): string {
  return `${consoleBase(region)}/states/home?region=${safeRegion(region)}#/v2/executions/details/${executionArn}`;
}

export function cloudTrailEventUrl(region: string, eventId: string): string {
  return `${consoleBase(region)}/cloudtrailv2/home?region=${safeRegion(region)}#/events/${encodeURIComponent(eventId)}`;
}

/** Task page of the ECS console (v2). */
export function taskUrl(region: string, clusterName: string, taskArn: string): string {
  const taskId = taskArn.slice(taskArn.lastIndexOf("/") + 1);
  return `${consoleBase(region)}/ecs/v2/clusters/${encodeURIComponent(clusterName)}/tasks/${encodeURIComponent(taskId)}/configuration?region=${safeRegion(region)}`;
}

/**
 * A path segment of a CloudWatch Logs console fragment: URI-encoded twice, then `%` -> `$`
 * ("/" -> "$252F"). That is how the console writes its own links after `#logsV2:`; a single
 * encoding ("%2F") is not resolved to the group.
 */
export function cloudWatchFragmentEncode(value: string): string {
  return encodeURIComponent(encodeURIComponent(value)).replace(/%/g, "$");
}

export function logEventsUrl(region: string, logGroup: string, logStream: string): string {
  return `${consoleBase(region)}/cloudwatch/home?region=${safeRegion(region)}#logsV2:log-groups/log-group/${cloudWatchFragmentEncode(logGroup)}/log-events/${cloudWatchFragmentEncode(logStream)}`;
}

export function alarmUrl(region: string, alarmName: string): string {
  return `${consoleBase(region)}/cloudwatch/home?region=${safeRegion(region)}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}
