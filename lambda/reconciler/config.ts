/**
 * The reconciler's settings, read and validated once at cold start (the style of the rerun
 * Lambda's config.ts): every error names the variable, its value and what is allowed.
 */
import { ConfigurationError } from "../shared/errors";
import { type Env, envValue, intInRange, jsonStringArray, numberInRange, oneOf, requiredString } from "../shared/env";
import { ACCOUNT_PATTERN, REGION_PATTERN, SPOKE_CLUSTER_ARN_PATTERN, type Place } from "../rerun/core/relaunch/place";
import { DEFAULT_WINDOWS, type WindowSettings } from "./core/windows";

/** One account and region the reconciler sweeps, with the clusters protected there. */
export interface ReconciledPlace extends Place {
  readonly clusters: readonly string[];
}

export interface ReconcilerConfig {
  /** The rerun state machine the failures are handed to. */
  readonly stateMachineArn: string;
  /** Its partition (of relaunch-role ARNs). */
  readonly partition: string;
  /** The protected clusters of the function's own place. */
  readonly clusters: readonly string[];
  readonly ignoreStartedBy: readonly string[];
  readonly catchFailedToStart: boolean;
  readonly reportProgramFailures: boolean;
  /** The DynamoDB table holding the cursors (one item per place). */
  readonly cursorTable: string;
  readonly windows: WindowSettings;
  /** How long after it stopped a task is first looked at (its own event's delivery). */
  readonly taskSettleMs: number;
  /** LookupEvents calls per second per place (AWS allows 2). */
  readonly lookupsPerSecond: number;
  /** The function's own region. */
  readonly homeRegion: string;
  /** A hub's other places: each spoke's account and region with its clusters. */
  readonly spokes: readonly ReconciledPlace[];
  /** A hub: the sweep role of a place (read-only, trusting this function's role), with {account} and {region}. */
  readonly spokeRoleArnPattern?: string;
}

const bool = (env: Env, name: string, fallback: boolean): boolean => oneOf(env, name, ["true", "false"], fallback ? "true" : "false") === "true";

/** The spoke clusters grouped by place, in first-seen order. */
export function placesOf(spokeClusters: readonly string[]): ReconciledPlace[] {
  const places = new Map<string, { account: string; region: string; clusters: string[] }>();
  for (const arn of spokeClusters) {
    const [, , , region, account] = arn.split(":");
    const key = `${account}/${region}`;
    const place = places.get(key) ?? { account, region, clusters: [] };
    place.clusters.push(arn);
    places.set(key, place);
  }
  return [...places.values()];
}

/**
 * STATE_MACHINE_ARN          required
 * CLUSTERS                   JSON array of cluster names or ARNs, at least one
 * IGNORE_STARTED_BY          JSON array                         default ["AWS Step Functions"]
 * CATCH_FAILED_TO_START      true | false                       default true
 * REPORT_PROGRAM_FAILURES    true | false                       default true
 * CURSOR_TABLE               required
 * SETTLE_SECONDS             60..86400                          default 900
 * OVERLAP_SECONDS            0..86400                           default 900
 * TASK_SETTLE_SECONDS        0..3000                            default 300
 * LOOKUPS_PER_SECOND         0.1..2                             default 2
 * SPOKE_CLUSTERS             JSON array of cluster ARNs          default [] (a hub's spokes)
 * SPOKE_ROLE_ARN_PATTERN     required with SPOKE_CLUSTERS
 * AWS_REGION                 set by Lambda
 */
export function readConfig(env: Env): ReconcilerConfig {
  const stateMachineArn = requiredString(env, "STATE_MACHINE_ARN", "the ARN of the rerun state machine");
  const partition = stateMachineArn.split(":")[1];
  if (!/^arn$/.test(stateMachineArn.split(":")[0] ?? "") || !partition) throw new ConfigurationError(`STATE_MACHINE_ARN=${JSON.stringify(stateMachineArn)} is invalid: expected a state machine ARN`);
  const clusters = jsonStringArray(env, "CLUSTERS", []);
  if (clusters.length === 0) throw new ConfigurationError("CLUSTERS is required (a JSON array of the protected clusters) but is not set");
  const settle = intInRange(env, "SETTLE_SECONDS", 60, 86_400, DEFAULT_WINDOWS.settleMs / 1000);
  const overlap = intInRange(env, "OVERLAP_SECONDS", 0, 86_400, DEFAULT_WINDOWS.overlapMs / 1000);
  const spokeClusters = jsonStringArray(env, "SPOKE_CLUSTERS", []);
  const badSpoke = spokeClusters.find((c) => !new RegExp(SPOKE_CLUSTER_ARN_PATTERN).test(c));
  if (badSpoke !== undefined) throw new ConfigurationError(`SPOKE_CLUSTERS holds ${JSON.stringify(badSpoke)}: expected full cluster ARNs`);
  const spokeRoleArnPattern = envValue(env, "SPOKE_ROLE_ARN_PATTERN");
  if (spokeClusters.length > 0 && spokeRoleArnPattern === undefined) throw new ConfigurationError("SPOKE_ROLE_ARN_PATTERN is required (the sweep role of a spoke) when SPOKE_CLUSTERS is set, but is not set");
  const homeRegion = requiredString(env, "AWS_REGION", "the function's own region; Lambda sets it");
  if (!REGION_PATTERN.test(homeRegion)) throw new ConfigurationError(`AWS_REGION=${JSON.stringify(homeRegion)} is invalid: expected a region code`);
  const spokes = placesOf(spokeClusters).filter((p) => ACCOUNT_PATTERN.test(p.account));
  return {
    stateMachineArn,
    partition,
    clusters,
    ignoreStartedBy: jsonStringArray(env, "IGNORE_STARTED_BY", ["AWS Step Functions"]),
    catchFailedToStart: bool(env, "CATCH_FAILED_TO_START", true),
    reportProgramFailures: bool(env, "REPORT_PROGRAM_FAILURES", true),
    cursorTable: requiredString(env, "CURSOR_TABLE", "the DynamoDB table of the reconciler's cursors"),
    windows: { ...DEFAULT_WINDOWS, settleMs: settle * 1000, overlapMs: overlap * 1000 },
    taskSettleMs: intInRange(env, "TASK_SETTLE_SECONDS", 0, 3000, 300) * 1000,
    lookupsPerSecond: numberInRange(env, "LOOKUPS_PER_SECOND", 0.1, 2, 2),
    homeRegion,
    spokes,
    ...(spokeRoleArnPattern !== undefined ? { spokeRoleArnPattern } : {}),
  };
}
