/**
 * Reconciler core: is this CloudTrail record a rejected RunTask/StartTask launch the pipeline must
 * rerun? The same rules as the synthesized launch-failure pattern (modules/pipeline/
 * launch-failure-pattern.ts), decided on the record itself, so that a record found in CloudTrail
 * event history (LookupEvents) or in a trail's files is judged exactly as the rule would have judged
 * its event. Pure: no I/O. A property test (__tests__/lambda/reconciler/rejected-launch.test.ts)
 * holds it to the synthesized pattern evaluated by the drill's EventBridge matcher.
 *
 * The rule, field by field (EventBridge semantics: a field is present when it holds a scalar, null
 * included; an object or array where a value is expected counts as absent, as event-ruler flattens
 * events):
 * - eventSource "ecs.amazonaws.com", eventName "RunTask" or "StartTask";
 * - responseElements.failures holds an entry with a `reason` (an empty list never matches, so a
 *   successful launch never does);
 * - requestParameters.cluster names a protected cluster in a form CloudTrail records it: the short
 *   name, the ARN as given, any ARN ending ":cluster/NAME" for a cluster given by name, or nothing at
 *   all for `default`;
 * - requestParameters.startedBy absent, or not one of `ignoreStartedBy` (exact, case-sensitive);
 * - userIdentity.sessionContext.sessionIssuer.arn absent (IAM users, AWS services), or not under the
 *   account's relaunch-role prefix `arn:PARTITION:iam::ACCOUNT:role/ecs-rerun/` (every pipeline's reruns).
 */

/** What the pipeline protects and leaves alone: the inputs of the launch-failure pattern. */
export interface LaunchRules {
  /** Protected clusters, short names or ARNs (the pipeline's `clusters`, or a spoke's). */
  readonly clusters: readonly string[];
  /** `startedBy` values whose failed calls are left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** `arn:PARTITION:iam::ACCOUNT:role/ecs-rerun/` of the record's account: calls of any relaunch role there are reruns. */
  readonly relaunchRoleArnPrefix: string;
}

/** Why a record is not a rejected launch to rerun (for logs and the audit's counts). */
export type SkipReason = "not-ecs-launch" | "no-failure" | "unprotected-cluster" | "ignored-started-by" | "own-rerun";

export type LaunchVerdict = { readonly rerun: true } | { readonly rerun: false; readonly why: SkipReason };

export const ECS_EVENT_SOURCE = "ecs.amazonaws.com";
export const LAUNCH_EVENT_NAMES = ["RunTask", "StartTask"] as const;
export const DEFAULT_CLUSTER = "default";
const CLUSTER_ARN = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/;

type Scalar = string | number | boolean | null;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A leaf value as EventBridge sees it: a scalar (null included), or absent. */
function leaf(v: unknown): Scalar | undefined {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : undefined;
}

/** The value at `path` under `record`, through objects only. */
function at(record: unknown, ...path: string[]): unknown {
  let v: unknown = record;
  for (const key of path) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** The short name of a cluster given as a name or an ARN. */
export function clusterName(cluster: string): string {
  return CLUSTER_ARN.exec(cluster)?.[1] ?? cluster;
}

/** Whether `recorded` (requestParameters.cluster as CloudTrail wrote it) names one of `clusters`. */
export function namesProtectedCluster(recorded: unknown, clusters: readonly string[]): boolean {
  const value = leaf(recorded);
  return clusters.some((given) => {
    const name = clusterName(given);
    if (value === undefined) return name === DEFAULT_CLUSTER;
    if (value === name || value === given) return true;
    // A cluster given by name is matched in ARN form by its ending: the record's own account and region.
    return given === name && typeof value === "string" && value.endsWith(`:cluster/${name}`);
  });
}

/** Whether `responseElements.failures` holds an entry with a reason (any scalar, as `exists: true`). */
export function hasFailureWithReason(record: unknown): boolean {
  const failures = at(record, "responseElements", "failures");
  const entries = Array.isArray(failures) ? failures : [failures];
  return entries.some((f) => isObject(f) && leaf(f.reason) !== undefined);
}

/** Judges one CloudTrail record (the record itself, i.e. an EventBridge event's `detail`, or one `Records[]` entry of a trail file). */
export function judgeLaunchRecord(record: unknown, rules: LaunchRules): LaunchVerdict {
  const name = leaf(at(record, "eventName"));
  if (leaf(at(record, "eventSource")) !== ECS_EVENT_SOURCE || !(LAUNCH_EVENT_NAMES as readonly unknown[]).includes(name)) return { rerun: false, why: "not-ecs-launch" };
  if (!hasFailureWithReason(record)) return { rerun: false, why: "no-failure" };
  if (!namesProtectedCluster(at(record, "requestParameters", "cluster"), rules.clusters)) return { rerun: false, why: "unprotected-cluster" };
  if (rules.ignoreStartedBy.length > 0) {
    const startedBy = leaf(at(record, "requestParameters", "startedBy"));
    // anything-but never matches a missing field; the pattern's second branch catches it.
    if (startedBy !== undefined && rules.ignoreStartedBy.includes(startedBy as string)) return { rerun: false, why: "ignored-started-by" };
  }
  const issuer = leaf(at(record, "userIdentity", "sessionContext", "sessionIssuer", "arn"));
  if (typeof issuer === "string" && issuer.startsWith(rules.relaunchRoleArnPrefix)) return { rerun: false, why: "own-rerun" };
  return { rerun: true };
}

/** The relaunch-role prefix of one account: what {@link LaunchRules.relaunchRoleArnPrefix} holds there. */
export function relaunchRoleArnPrefixOf(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role/ecs-rerun/`;
}
