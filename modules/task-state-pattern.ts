import type { IResolvable } from "cdktf";
import { clusterShortName } from "./event-pattern";
import { hcl } from "./hcl-expression";

/**
 * Matchers for `detail.clusterArn` of ECS events, which always carry the full ARN: a cluster given
 * as an ARN is matched exactly, one given by name by the ARN's ":cluster/NAME" ending (the rule sees
 * only its own account and region, so the ending is unambiguous).
 */
export function clusterArnMatchers(clusters: readonly string[]): unknown[] {
  const seen = new Set<string>();
  return clusters
    .map((c) => (c.startsWith("arn:") ? c : { suffix: `:cluster/${clusterShortName(c)}` }))
    .filter((m) => {
      const key = JSON.stringify(m);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Inputs of {@link taskStateFailurePattern}. */
export interface TaskStateFailurePatternInput {
  /** Protected clusters, names or ARNs. */
  readonly clusters: readonly string[];
  /** `startedBy` values left alone, as for rejected launches. */
  readonly ignoreStartedBy: readonly string[];
  /** Catch tasks that were accepted but stopped before starting (`TaskFailedToStart`). */
  readonly catchFailedToStart: boolean;
  /** Catch tasks that started and exited non-zero (program failures, reported, not rerun). */
  readonly reportProgramFailures: boolean;
}

/** Tasks accepted but stopped before they started. */
export const FAILED_TO_START = { stopCode: ["TaskFailedToStart"] } as const;
/** Tasks that ran and exited non-zero: any container, since events do not say which are essential (the Lambda does). */
export const PROGRAM_FAILED = { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } } as const;

/**
 * EventBridge pattern for tasks on protected clusters that stopped without having done their job:
 * accepted but never started, and/or started and exited non-zero.
 */
export function taskStateFailurePattern(input: TaskStateFailurePatternInput): Record<string, unknown> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  const branches = [...(input.catchFailedToStart ? [FAILED_TO_START] : []), ...(input.reportProgramFailures ? [PROGRAM_FAILED] : [])];
  if (branches.length === 0) throw new Error("catchFailedToStart and reportProgramFailures are both false: there is nothing to catch");
  const detail: Record<string, unknown> = {
    clusterArn: clusterArnMatchers(input.clusters),
    lastStatus: ["STOPPED"],
  };
  if (input.ignoreStartedBy.length > 0) {
    // anything-but never matches a missing field: tasks started without startedBy need their own branch.
    detail.startedBy = [{ "anything-but": [...input.ignoreStartedBy] }, { exists: false }];
  }
  // $or needs two branches; a single one is written inline.
  Object.assign(detail, branches.length === 2 ? { $or: branches.map((b) => ({ ...b })) } : { ...branches[0] });
  return { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail };
}

/**
 * {@link clusterArnMatchers} as a Terraform expression, for clusters only Terraform knows. Matchers
 * mix strings and objects, which no Terraform list can hold, so they go through JSON text.
 */
export function clusterArnMatchersExpression(clusters: readonly string[]): IResolvable {
  return hcl`[for m in distinct([for c in ${clusters} : startswith(c, "arn:") ? jsonencode(c) : jsonencode({ suffix = ":cluster/\${c}" })]) : jsondecode(m)]`;
}

/**
 * {@link taskStateFailurePattern} as a Terraform expression (a JSON string), for clusters and
 * ignored `startedBy` values only Terraform knows; which branches are caught is decided at synth.
 */
export function taskStateFailurePatternExpression(input: TaskStateFailurePatternInput): IResolvable {
  const branches = [...(input.catchFailedToStart ? [FAILED_TO_START] : []), ...(input.reportProgramFailures ? [PROGRAM_FAILED] : [])];
  if (branches.length === 0) throw new Error("catchFailedToStart and reportProgramFailures are both false: there is nothing to catch");
  const stop = branches.length === 2 ? { $or: branches } : branches[0];
  return hcl`jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["ECS Task State Change"]
  detail = merge(
    {
      clusterArn = ${clusterArnMatchersExpression(input.clusters)}
      lastStatus = ["STOPPED"]
    },
    { for k, v in { startedBy = [{ "anything-but" = ${input.ignoreStartedBy} }, { exists = false }] } : k => v if length(${input.ignoreStartedBy}) > 0 },
    ${stop},
  )
})`;
}
