/** Small pure helpers shared by the rerun Lambda's pure modules. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

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

/** Family of "family", "family:12" or "arn:aws:ecs:...:task-definition/family:12". */
export function taskDefinitionFamily(taskDefinition: string): string {
  const marker = "task-definition/";
  const at = taskDefinition.indexOf(marker);
  const name = at >= 0 ? taskDefinition.slice(at + marker.length) : taskDefinition;
  const colon = name.lastIndexOf(":");
  return colon > 0 && /^\d+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

/** ECS caps stoppedReason at 255 characters; the same cap keeps notices and state small. */
export const STOPPED_REASON_MAX = 255;

export function trimReason(reason: string): string {
  return reason.trim().slice(0, STOPPED_REASON_MAX);
}
