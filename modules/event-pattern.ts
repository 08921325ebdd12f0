/** Inputs of {@link launchFailurePattern}. */
export interface LaunchFailurePatternInput {
  /** Protected clusters, each a short name or a cluster ARN. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose calls are left alone (their callers retry by themselves). */
  readonly ignoreStartedBy: readonly string[];
  /** Name of the role the pipeline reruns with: its own calls are never caught again. */
  readonly rerunRoleName: string;
}

/** The short name of a cluster given as a name or an ARN (`arn:...:cluster/NAME`). */
export function clusterShortName(cluster: string): string {
  const m = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(cluster);
  return m ? m[1] : cluster;
}

/**
 * The values `requestParameters.cluster` may hold when a call names a protected cluster.
 * CloudTrail records the parameter as the caller wrote it: a short name, an ARN, or nothing at all
 * (which means the cluster named `default`).
 */
export function clusterMatchers(clusters: readonly string[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  const add = (key: string, matcher: unknown) => {
    if (!seen.has(key)) {
      seen.add(key);
      out.push(matcher);
    }
  };
  for (const c of clusters) {
    const name = clusterShortName(c);
    add(`=${name}`, name);
    if (c !== name) add(`=${c}`, c);
    // The ARN's region and account are those of the event itself (rules see only their own
    // region's events), so a name-given cluster is matched in ARN form by its suffix; the ":" and
    // "/" delimiters keep "batch" from matching "my-batch".
    else add(`suffix:${name}`, { suffix: `:cluster/${name}` });
    if (name === "default") add("absent", { exists: false });
  }
  return out;
}

/**
 * EventBridge pattern for a rejected launch: the CloudTrail record of a RunTask or StartTask call on
 * a protected cluster whose `responseElements.failures` holds at least one entry with a reason.
 */
export function launchFailurePattern(input: LaunchFailurePatternInput): Record<string, unknown> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  const requestParameters: Record<string, unknown> = { cluster: clusterMatchers(input.clusters) };
  if (input.ignoreStartedBy.length > 0) {
    // anything-but never matches a missing field, so calls without startedBy need their own branch.
    requestParameters.startedBy = [{ "anything-but": [...input.ignoreStartedBy] }, { exists: false }];
  }
  return {
    source: ["aws.ecs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["ecs.amazonaws.com"],
      eventName: ["RunTask", "StartTask"],
      requestParameters,
      // An empty failures list has no element with a reason, so a successful launch never matches.
      responseElements: { failures: { reason: [{ exists: true }] } },
      // The pipeline sees its own reruns' answers directly; catching them again would loop. IAM
      // users and AWS services have no session issuer and must still be caught.
      userIdentity: { sessionContext: { sessionIssuer: { userName: [{ "anything-but": input.rerunRoleName }, { exists: false }] } } },
    },
  };
}
