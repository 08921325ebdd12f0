/** The EventBridge pattern of rejected launches: CloudTrail RunTask/StartTask records with failures, minus the pipeline's own. */
import type { IResolvable } from "cdktf";
import { hcl, hclString, raw } from "../hcl/hcl-expression";

/** Inputs of {@link launchFailurePattern}. */
export interface LaunchFailurePatternInput {
  /** Protected clusters, each a short name or a cluster ARN. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose calls are left alone (their callers retry by themselves). */
  readonly ignoreStartedBy: readonly string[];
  /** Name of the role the pipeline reruns with: its own calls are never caught again. */
  readonly rerunRoleName: string;
}

/** A cluster ARN, capturing its short name; the same in JavaScript and in Terraform's RE2. */
export const CLUSTER_ARN_REGEX = "^arn:[^:]+:ecs:[^:]*:[^:]*:cluster/(.+)$";

/** The short name of a cluster given as a name or an ARN (`arn:...:cluster/NAME`). */
export function clusterShortName(cluster: string): string {
  const m = new RegExp(CLUSTER_ARN_REGEX).exec(cluster);
  return m ? m[1] : cluster;
}

/** {@link clusterShortName} in HCL, for the cluster held by the HCL expression `cluster`. */
export function clusterShortNameHcl(cluster: string): string {
  return `try(regex(${hclString(CLUSTER_ARN_REGEX)}, ${cluster})[0], ${cluster})`;
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

/** Inputs of {@link launchFailurePatternExpression}: each a literal or a Terraform expression (cdktf token). */
export interface LaunchFailurePatternExpressionInput {
  /** Protected clusters, each a short name or a cluster ARN. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose calls are left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Name of the role the pipeline reruns with. */
  readonly rerunRoleName: string;
}

/**
 * {@link clusterMatchers} as a Terraform expression. Matchers are strings and objects, which no
 * Terraform list can mix, so they are deduplicated as JSON text (equal JSON, equal matcher) and
 * decoded back into a tuple; `distinct` keeps first occurrences, so the order is the same too.
 */
export function clusterMatchersExpression(clusters: readonly string[]): IResolvable {
  return hcl`[
  for m in distinct(flatten([
    for c in [for given in ${clusters} : { given = given, name = ${raw(clusterShortNameHcl("given"))} }] : concat(
      [jsonencode(c.name)],
      c.name != c.given ? [jsonencode(c.given)] : [jsonencode({ suffix = ":cluster/\${c.name}" })],
      c.name == "default" ? [jsonencode({ exists = false })] : [],
    )
  ])) : jsondecode(m)
]`;
}

/**
 * {@link launchFailurePattern} as a Terraform expression (a JSON string), for inputs only Terraform
 * knows. Same pattern, up to the order of object keys (`jsonencode` sorts them; EventBridge does not
 * care); the module's tests evaluate both and compare. As in the pure function, calls without
 * `startedBy` get their own branch, because anything-but never matches a missing field.
 */
export function launchFailurePatternExpression(input: LaunchFailurePatternExpressionInput): IResolvable {
  return hcl`jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["AWS API Call via CloudTrail"]
  detail = {
    eventSource = ["ecs.amazonaws.com"]
    eventName   = ["RunTask", "StartTask"]
    requestParameters = merge(
      {
        cluster = ${clusterMatchersExpression(input.clusters)}
      },
      { for k, v in { startedBy = [{ "anything-but" = ${input.ignoreStartedBy} }, { exists = false }] } : k => v if length(${input.ignoreStartedBy}) > 0 },
    )
    responseElements = { failures = { reason = [{ exists = true }] } }
    userIdentity     = { sessionContext = { sessionIssuer = { userName = [{ "anything-but" = ${input.rerunRoleName} }, { exists = false }] } } }
  }
})`;
}
