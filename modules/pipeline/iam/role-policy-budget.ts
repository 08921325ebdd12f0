/**
 * How a relaunch role's policies are measured against IAM's quotas (cluster-policies.ts cuts the
 * cluster list by it). IAM allows 10,240 characters of inline policy per role, all of its inline
 * policies together, whitespace not counted (IAM User Guide, "IAM and AWS STS quotas"); past it, apply
 * fails half-way, so what the role's other inline policies may take is kept aside.
 *
 * A policy is measured as it would be in the longest place it could be deployed to: the longest
 * partition and account (LONGEST_PLACE) and region (LONGEST_REGION), so whether a list fits does not
 * depend on where it is deployed.
 */
import { Token } from "cdktf";
import { hcl } from "../../hcl/hcl-expression";
import type { Presence } from "../../hcl/presence";
import type { AwsPlace } from "./pipeline-policies";
import { LONGEST_PLACE } from "./relaunch-identity";

/** IAM's quota on the inline policies of one role, together (IAM User Guide, "IAM and AWS STS quotas"). */
export const ROLE_INLINE_POLICIES_MAX_CHARS = 10240;

/** The longest region code of any partition (`us-isof-south-1`, of aws-iso-f), for measuring when Terraform fills the region in. */
export const LONGEST_REGION = "us-isof-south-1";

/**
 * Characters the rerun role keeps for the launch pacer's two policies (`reserve-launch-slots`,
 * `reserve-spoke-launch-slots`): each holds one table ARN and is under 400 characters even with the
 * longest place and name (a test measures them).
 */
export const PACER_POLICIES_RESERVED_CHARS = 1024;

/**
 * The place a policy is measured in: always the longest partition, account and region, even where
 * they are known at synth, so that the construct cuts a cluster list where the module (whose place
 * Terraform fills in) cuts it, and a list that fits in one region fits in every other.
 */
export function measuringPlace(): AwsPlace {
  return { partition: LONGEST_PLACE.partition, account: LONGEST_PLACE.account, region: LONGEST_REGION };
}

/**
 * The longest ARN a Lambda function's log group `/aws/lambda/<function>` can have in `place`: a name
 * of 64 characters, Lambda's limit, whatever the name is (the module's is known only to Terraform).
 */
export function longestLogGroupArn(place: AwsPlace): string {
  return `arn:${place.partition}:logs:${place.region}:${place.account}:log-group:/aws/lambda/${"f".repeat(64)}`;
}

/** Some of a role's other inline policies: the characters kept for them, while `presence` holds. */
export interface OtherInlinePolicies {
  /** A number, or a Terraform expression when only Terraform can measure them. */
  readonly chars: number | string;
  readonly what: string;
  readonly presence: Presence;
}

/** What the others take, as a number when known, else an HCL expression. */
export function othersChars(others: readonly OtherInlinePolicies[]): number | string {
  const present = others.filter((o) => o.presence !== false);
  const isKnown = (o: OtherInlinePolicies): o is OtherInlinePolicies & { chars: number } => o.presence === true && !Token.isUnresolved(o.chars);
  const known = present.filter(isKnown).reduce((sum, o) => sum + o.chars, 0);
  const open = present.filter((o) => !isKnown(o));
  if (open.length === 0) return known;
  const sum = open.reduce((expr, o) => hcl`${expr} + (${o.presence} ? ${o.chars} : 0)`, hcl`${known}`);
  return Token.asString(hcl`(${sum})`);
}

/**
 * The rerun role's other inline policies: the pacer's two (when it paces launches, a fixed share) and,
 * on a hub, `assume-spoke-relaunch-roles` as measured (hub-bus.ts `spokeAssumePolicyChars`).
 */
export function rerunRoleOtherPolicies(pacer: Presence, hub?: { presence: Presence; chars: number | string }): OtherInlinePolicies[] {
  return [
    { chars: PACER_POLICIES_RESERVED_CHARS, what: "the launch pacer's policies", presence: pacer },
    ...(hub ? [{ chars: hub.chars, what: "assume-spoke-relaunch-roles", presence: hub.presence }] : []),
  ];
}
