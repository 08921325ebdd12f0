/** The EventBridge pattern of rejected launches: CloudTrail RunTask/StartTask records with failures, minus every pipeline's reruns. */
import { Token, type IResolvable } from "cdktf";
import { hcl, hclString, raw, type RawHcl } from "../../hcl/hcl-expression";
import { binnedPatterns } from "./pattern-bins";
import { LONGEST_PLACE, relaunchRoleArnPrefix } from "../iam/relaunch-identity";

/** Inputs of {@link launchFailurePattern}. */
export interface LaunchFailurePatternInput {
  /** Protected clusters, each a short name or a cluster ARN. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose calls are left alone (their callers retry by themselves). */
  readonly ignoreStartedBy: readonly string[];
  /**
   * The start of every relaunch role's ARN in the account, {@link relaunchRoleArnPrefix}: calls made
   * with any pipeline's relaunch role (its own, and other pipelines' on the same clusters) are never
   * caught again. May hold Terraform values (account, partition).
   */
  readonly relaunchRoleArnPrefix: string;
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

/** The pattern of a rejected launch on the clusters `clusterMatchers` match (see {@link launchFailurePattern}). */
function patternOf(clusterMatchers: readonly unknown[], ignoreStartedBy: readonly string[], relaunchRoleArnPrefix: string): Record<string, unknown> {
  const requestParameters: Record<string, unknown> = { cluster: [...clusterMatchers] };
  if (ignoreStartedBy.length > 0) {
    // anything-but never matches a missing field, so calls without startedBy need their own branch.
    requestParameters.startedBy = [{ "anything-but": [...ignoreStartedBy] }, { exists: false }];
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
      // Every pipeline sees its own reruns' answers directly; catching its own again would loop, and
      // catching another pipeline's would launch twice. Relaunch roles all sit under the path
      // /ecs-rerun/ (relaunch-identity.ts). IAM users and AWS services have no session issuer and
      // must still be caught: anything-but never matches a missing field, hence the second branch.
      userIdentity: { sessionContext: { sessionIssuer: { arn: [{ "anything-but": { prefix: relaunchRoleArnPrefix } }, { exists: false }] } } },
    },
  };
}

/**
 * EventBridge pattern for a rejected launch: the CloudTrail record of a RunTask or StartTask call on
 * a protected cluster whose `responseElements.failures` holds at least one entry with a reason, made
 * by anything but a relaunch role. One pattern for every cluster, whatever its length: the union of
 * {@link launchFailurePatterns}, which the rules use.
 */
export function launchFailurePattern(input: LaunchFailurePatternInput): Record<string, unknown> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  return patternOf(clusterMatchers(input.clusters), input.ignoreStartedBy, input.relaunchRoleArnPrefix);
}

/**
 * The patterns of the launch-failure rules, keyed "0", "1", ...: {@link launchFailurePattern} with its
 * cluster matchers spread over as many rules as EventBridge's size limit asks (pattern-bins.ts).
 * Sizes are counted with the longest account and partition when the prefix holds Terraform values.
 */
export function launchFailurePatterns(input: LaunchFailurePatternInput): Record<string, Record<string, unknown>> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  const { ignoreStartedBy, relaunchRoleArnPrefix: prefix } = input;
  const measured = Token.isUnresolved(prefix) ? relaunchRoleArnPrefix(LONGEST_PLACE) : prefix;
  return binnedPatterns(clusterMatchers(input.clusters), {
    patternOf: (ms) => patternOf(ms, ignoreStartedBy, prefix),
    measure: (ms) => patternOf(ms, ignoreStartedBy, measured),
    rule: "launch-failures",
    hint: "shorten ignoreStartedBy (module: ignore_started_by)",
  });
}

/** Inputs of {@link launchFailurePatternExpression}: each a literal or a Terraform expression (cdktf token). */
export interface LaunchFailurePatternExpressionInput {
  /** The HCL list expression of the cluster matchers (a list of decoded matchers). */
  readonly matchers: RawHcl | IResolvable | readonly string[];
  /** `startedBy` values whose calls are left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** The start of every relaunch role's ARN in the account. */
  readonly relaunchRoleArnPrefix: string;
}

/**
 * The JSON texts of {@link clusterMatchers} as a Terraform list expression, in the same order and
 * without repeats. Matchers are strings and objects, which no Terraform list can mix, so they are
 * deduplicated as JSON text (equal JSON, equal matcher); `distinct` keeps first occurrences.
 */
export function clusterMatcherTextsExpression(clusters: readonly string[]): IResolvable {
  return hcl`distinct(flatten([
  for c in [for given in ${clusters} : { given = given, name = ${raw(clusterShortNameHcl("given"))} }] : concat(
    [jsonencode(c.name)],
    c.name != c.given ? [jsonencode(c.given)] : [jsonencode({ suffix = ":cluster/\${c.name}" })],
    c.name == "default" ? [jsonencode({ exists = false })] : [],
  )
]))`;
}

/**
 * The pattern of {@link launchFailurePattern} as a Terraform expression (a JSON string) of matchers only
 * Terraform knows. Same pattern, up to the order of object keys (`jsonencode` sorts them; EventBridge
 * does not care), and so the same length; the module's tests evaluate both and compare. As in the
 * pure function, calls without `startedBy` get their own branch, because anything-but never matches a
 * missing field.
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
        cluster = ${input.matchers}
      },
      { for k, v in { startedBy = [{ "anything-but" = ${input.ignoreStartedBy} }, { exists = false }] } : k => v if length(${input.ignoreStartedBy}) > 0 },
    )
    responseElements = { failures = { reason = [{ exists = true }] } }
    userIdentity     = { sessionContext = { sessionIssuer = { arn = [{ "anything-but" = { prefix = ${input.relaunchRoleArnPrefix} } }, { exists = false }] } } }
  }
})`;
}
