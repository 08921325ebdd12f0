import { clusterShortName } from "./event-pattern";

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
  /** Report program failures (a non-zero exit code) too. */
  readonly reportProgramFailures: boolean;
}

/**
 * EventBridge pattern for tasks on protected clusters that stopped without having done their job:
 * accepted but never started (`TaskFailedToStart`), or, when asked, started and exited non-zero.
 */
export function taskStateFailurePattern(input: TaskStateFailurePatternInput): Record<string, unknown> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  const detail: Record<string, unknown> = {
    clusterArn: clusterArnMatchers(input.clusters),
    lastStatus: ["STOPPED"],
  };
  if (input.ignoreStartedBy.length > 0) {
    // anything-but never matches a missing field: tasks started without startedBy need their own branch.
    detail.startedBy = [{ "anything-but": [...input.ignoreStartedBy] }, { exists: false }];
  }
  if (input.reportProgramFailures) {
    detail.$or = [
      { stopCode: ["TaskFailedToStart"] },
      // Any container with a non-zero exit code; the Lambda tells essential containers apart.
      { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } },
    ];
  } else {
    detail.stopCode = ["TaskFailedToStart"];
  }
  return { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail };
}
