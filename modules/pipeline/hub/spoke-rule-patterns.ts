/**
 * What the hub admits from its spokes, as pure functions: the accounts and regions of the spoke
 * clusters, the event patterns of the hub bus's rules (split over several rules when the account list
 * is long, by pattern-bins.ts), and the ARNs of the spokes' relaunch roles. Each has a Terraform
 * expression twin for the module, where the spoke clusters are a variable.
 *
 * Why the hub filters by account and region only: an event a spoke forwards keeps the sender's
 * `account` and `region` ("the receiver's rules match events that come from the sender account",
 * EventBridge User Guide, "Sending and receiving events between AWS accounts"). The spokes' own rules
 * already chose the clusters (their patterns are the pipeline's precise ones), and the spoke's
 * relaunch role can launch on its clusters only; so the hub need not repeat the cluster list, and its
 * patterns grow with accounts, not with clusters.
 */
import type { IResolvable } from "cdktf";
import { hcl, type RawHcl } from "../../hcl/hcl-expression";
import { binnedPatterns } from "../detection/pattern-bins";
import { RELAUNCH_ROLE_PATH } from "../iam/relaunch-identity";

/** The forms of a spoke cluster and an organization ID, one definition for the Lambda, the constructs, the module and the settings. */
export { ORGANIZATION_ID_PATTERN, SPOKE_CLUSTER_ARN_PATTERN } from "../../../lambda/rerun/core/relaunch/place";

/** The detail types the spokes forward: rejected launches (CloudTrail) and failed tasks. */
export const FORWARDED_DETAIL_TYPES = ["AWS API Call via CloudTrail", "ECS Task State Change"] as const;

/** The `n`th `:`-separated field of each ARN, in first-seen order, without repeats. */
function distinctFields(arns: readonly string[], n: number): string[] {
  return [...new Set(arns.map((arn) => arn.split(":")[n]))];
}

/** The admitted accounts: the distinct accounts of the spoke clusters (5th ARN field), in order. */
export function spokeAccounts(spokeClusters: readonly string[]): string[] {
  return distinctFields(spokeClusters, 4);
}

/** The distinct regions of the spoke clusters (4th ARN field), in order. */
export function spokeRegions(spokeClusters: readonly string[]): string[] {
  return distinctFields(spokeClusters, 3);
}

/** {@link spokeAccounts} as a Terraform list expression of a list expression of cluster ARNs. */
export function spokeAccountsExpression(spokeClusters: readonly string[]): IResolvable {
  return hcl`distinct([for c in ${spokeClusters} : split(":", c)[4]])`;
}

/** {@link spokeRegions} as a Terraform list expression. */
export function spokeRegionsExpression(spokeClusters: readonly string[]): IResolvable {
  return hcl`distinct([for c in ${spokeClusters} : split(":", c)[3]])`;
}

/** Inputs of {@link spokeRulePatterns}. */
export interface SpokeRulePatternInput {
  /** Full ARNs of the spoke clusters; may be empty when an organization is admitted instead. */
  readonly spokeClusters: readonly string[];
  /** The admitted organization, if any: its members may forward from any account and region. @default undefined */
  readonly organizationId?: string;
}

/** The pattern of one hub rule: ECS events forwarded from `accounts` in `regions`; both keys left out when there are no accounts (organization only). */
function patternOf(accounts: readonly unknown[] | undefined, regions: readonly string[]): Record<string, unknown> {
  return {
    ...(accounts !== undefined ? { account: [...accounts], region: [...regions] } : {}),
    source: ["aws.ecs"],
    "detail-type": [...FORWARDED_DETAIL_TYPES],
  };
}

/**
 * The patterns of the hub bus's rules, keyed "0", "1", ...: the admitted accounts spread over as many
 * rules as EventBridge's pattern size quota asks, each with every spoke region. With an organization
 * admitted (with or without a list) one rule takes every forwarded ECS event: the bus admits every
 * member, in every region it deploys a spoke to, and what the bus admits its rules must match (an
 * admitted event no rule matches is dropped without a trace); the bus policy is then what keeps
 * strangers out.
 */
export function spokeRulePatterns(input: SpokeRulePatternInput): Record<string, Record<string, unknown>> {
  const { spokeClusters } = input;
  const regions = spokeRegions(spokeClusters);
  if (spokeClusters.length === 0 || input.organizationId !== undefined) return { "0": patternOf(undefined, regions) };
  return binnedPatterns(spokeAccounts(spokeClusters), {
    patternOf: (accounts) => patternOf(accounts, regions),
    rule: "spoke-failures",
    hint: "too many spoke regions for one rule: split the hub",
  });
}

/**
 * {@link spokeRulePatterns}' pattern of one rule as a Terraform expression (a JSON string): `matchers`
 * is the HCL list of that rule's accounts; `allAccounts` and `regions` the whole lists. The account
 * and region keys are there exactly when some account is admitted, so the pattern of no matcher
 * measures the keys as a real rule will hold them.
 */
export function spokeRulePatternExpression(matchers: RawHcl | IResolvable, allAccounts: unknown, regions: unknown, organizationId: unknown): IResolvable {
  return hcl`jsonencode(merge(
  { for k, v in { account = ${matchers}, region = ${regions} } : k => v if length(${allAccounts}) > 0 && ${organizationId} == null },
  {
    source        = ["aws.ecs"]
    "detail-type" = ${[...FORWARDED_DETAIL_TYPES]}
  },
))`;
}

/**
 * The pattern of the hub bus's rule for what it admits but its failure rules do not match: another
 * source or detail type, or (without an organization) a region outside the spoke clusters'. No
 * account branch: without an organization the bus admits only the spoke clusters' accounts, which the
 * failure rules all match, so the list would only cost pattern size. Its target is the dead-letter queue, whose alarm tells a human, who finds the event
 * itself there: nothing the bus admits is dropped without a trace. The failure rules split the
 * accounts over several rules only for size; together they match exactly the admitted accounts in the
 * spoke regions, so this one complement covers what none of them matches.
 */
export function unmatchedPattern(input: SpokeRulePatternInput): Record<string, unknown> {
  const branches: Record<string, unknown>[] = [{ source: [{ "anything-but": "aws.ecs" }] }, { "detail-type": [{ "anything-but": [...FORWARDED_DETAIL_TYPES] }] }];
  if (input.organizationId === undefined && input.spokeClusters.length > 0) {
    branches.push({ region: [{ "anything-but": spokeRegions(input.spokeClusters) }] });
  }
  return { $or: branches };
}

/** {@link unmatchedPattern} as a Terraform expression (a JSON string) of values only Terraform knows. */
export function unmatchedPatternExpression(accounts: unknown, regions: unknown, organizationId: unknown): IResolvable {
  return hcl`jsonencode({
  "$or" = concat(
    [{ source = [{ "anything-but" = "aws.ecs" }] }, { "detail-type" = [{ "anything-but" = ${[...FORWARDED_DETAIL_TYPES]} }] }],
    ${organizationId} == null && length(${accounts}) > 0 ? [{ region = [{ "anything-but" = ${regions} }] }] : [],
  )
})`;
}

/** The ARN of a role under `/ecs-rerun/` in `account` (or `{account}`, `*`), named `roleName`. */
const hubReachedRoleArn = (partition: string, account: string, roleName: string) => `arn:${partition}:iam::${account}:role${RELAUNCH_ROLE_PATH}${roleName}`;

/** The name of a spoke's relaunch role in `region` (a literal region, or the `{region}` placeholder). */
export function relaunchRoleName(name: string, region: string): string {
  return `${name}-relaunch-${region}`;
}

/**
 * The ARN of a spoke's relaunch role with the `{account}` and `{region}` placeholders the rerun
 * Lambda fills in (its SPOKE_ROLE_ARN_PATTERN). The spoke refuses a name whose role name would have to
 * be shortened (over IAM's 64 characters), so the plain form is always the real one.
 */
export function spokeRoleArnPattern(partition: string, name: string): string {
  return hubReachedRoleArn(partition, "{account}", relaunchRoleName(name, "{region}"));
}

/** The ARNs the hub's rerun role may assume in one account: every region's relaunch role of this pipeline name. */
export function spokeRoleArnsOf(partition: string, account: string, name: string): string {
  return hubReachedRoleArn(partition, account, relaunchRoleName(name, "*"));
}

/**
 * The name of a spoke's sweep role in `region`: the read-only role the hub's reconciler assumes there.
 * "sweep" is shorter than "relaunch", so a name the relaunch role's length check admits fits here too.
 */
export function sweepRoleName(name: string, region: string): string {
  return `${name}-sweep-${region}`;
}

/** The ARN of a spoke's sweep role with `{account}` and `{region}` (the reconciler's SPOKE_ROLE_ARN_PATTERN). */
export function sweepRoleArnPattern(partition: string, name: string): string {
  return hubReachedRoleArn(partition, "{account}", sweepRoleName(name, "{region}"));
}

/** The ARNs the hub's reconciler role may assume in one account: every region's sweep role of this pipeline name. */
export function sweepRoleArnsOf(partition: string, account: string, name: string): string {
  return hubReachedRoleArn(partition, account, sweepRoleName(name, "*"));
}
