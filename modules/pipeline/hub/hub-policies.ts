/**
 * The hub's two policies, as documents: who may put events on the hub bus (the admitted accounts,
 * and the organization when one is given), and which spoke roles the hub's rerun role may assume (the
 * relaunch roles of this pipeline's name in those accounts). Literal inputs give statements; inputs
 * only Terraform knows give a `jsonencode` expression that drops a statement whose list is empty.
 */
import { Token } from "cdktf";
import { hcl, raw } from "../../hcl/hcl-expression";
import type { PolicyStatement } from "../../iam";
import { RELAUNCH_ROLE_PATH } from "../iam/relaunch-identity";
import { relaunchRoleName, spokeRoleArnsOf, sweepRoleArnsOf, sweepRoleName } from "./spoke-rule-patterns";

/** Who the hub admits, and the names of what it reaches. Values may be Terraform expressions. */
export interface HubGrants {
  /** The partition of every ARN. */
  readonly partition: string;
  /** The pipeline's name: the spokes' relaunch roles are `<name>-relaunch-<region>`. */
  readonly name: string;
  /** The admitted accounts (the spoke clusters' accounts); may be empty when an organization is given. */
  readonly accounts: readonly string[];
  /** The admitted organization's ID. @default undefined (accounts only) */
  readonly organizationId?: string;
}

/** Sids of the statements, which tests and readers look up. */
export const HUB_SIDS = {
  accountsPutEvents: "SpokeAccountsPutEvents",
  organizationPutEvents: "OrganizationPutEvents",
  assumeAccountRoles: "AssumeSpokeRelaunchRoles",
  assumeOrganizationRoles: "AssumeOrganizationRelaunchRoles",
  assumeSweepRoles: "AssumeSpokeSweepRoles",
} as const;

/**
 * The hub bus's policy statements: `events:PutEvents` on this bus only, by the root of each admitted
 * account (which delegates to that account's IAM: there, the spoke's forwarding role), and, with an
 * organization, by any principal of it (`aws:PrincipalOrgID`, EventBridge User Guide, "Permissions
 * for Amazon EventBridge event buses").
 */
export function hubBusStatements(g: HubGrants, busArn: string): (PolicyStatement & { Principal: unknown })[] {
  const out: (PolicyStatement & { Principal: unknown })[] = [];
  if (g.accounts.length > 0) {
    out.push({
      Sid: HUB_SIDS.accountsPutEvents,
      Effect: "Allow",
      Principal: { AWS: g.accounts.map((a) => `arn:${g.partition}:iam::${a}:root`) },
      Action: "events:PutEvents",
      Resource: busArn,
    });
  }
  if (g.organizationId !== undefined) {
    out.push({
      Sid: HUB_SIDS.organizationPutEvents,
      Effect: "Allow",
      Principal: "*",
      Action: "events:PutEvents",
      Resource: busArn,
      Condition: { StringEquals: { "aws:PrincipalOrgID": g.organizationId } },
    });
  }
  return out;
}

/**
 * The rerun role's statements assuming the spokes' relaunch roles: every region's relaunch role of
 * this pipeline's name in each admitted account, and, with an organization, in any account of it
 * (`aws:ResourceOrgID` is the organization of the role being assumed).
 */
export function spokeAssumeRoleStatements(g: HubGrants): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  if (g.accounts.length > 0) {
    out.push({ Sid: HUB_SIDS.assumeAccountRoles, Effect: "Allow", Action: "sts:AssumeRole", Resource: g.accounts.map((a) => spokeRoleArnsOf(g.partition, a, g.name)) });
  }
  if (g.organizationId !== undefined) {
    out.push({
      Sid: HUB_SIDS.assumeOrganizationRoles,
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: spokeRoleArnsOf(g.partition, "*", g.name),
      Condition: { StringEquals: { "aws:ResourceOrgID": g.organizationId } },
    });
  }
  return out;
}

/** The organization as HCL: its expression, or `null` when none is given. */
const orgOf = (g: HubGrants): unknown => (g.organizationId === undefined ? raw("null") : g.organizationId);

/** {@link hubBusStatements} as a Terraform `jsonencode` expression of the whole document, for values only Terraform knows. */
export function hubBusPolicyExpression(g: HubGrants, busArn: string): string {
  const org = orgOf(g);
  return Token.asString(hcl`jsonencode({
  Version = "2012-10-17"
  Statement = concat(
    [for s in [{
      Sid       = ${HUB_SIDS.accountsPutEvents}
      Effect    = "Allow"
      Principal = { AWS = [for a in ${g.accounts} : "arn:${g.partition}:iam::\${a}:root"] }
      Action    = "events:PutEvents"
      Resource  = ${busArn}
    }] : s if length(${g.accounts}) > 0],
    [for s in [{
      Sid       = ${HUB_SIDS.organizationPutEvents}
      Effect    = "Allow"
      Principal = "*"
      Action    = "events:PutEvents"
      Resource  = ${busArn}
      Condition = { StringEquals = { "aws:PrincipalOrgID" = ${org} } }
    }] : s if ${org} != null],
  )
})`);
}

/** {@link spokeAssumeRoleStatements} as a Terraform `jsonencode` expression of the whole document. */
export function spokeAssumeRolePolicyExpression(g: HubGrants): string {
  const org = orgOf(g);
  const role = relaunchRoleName(g.name, "*");
  return Token.asString(hcl`jsonencode({
  Version = "2012-10-17"
  Statement = concat(
    [for s in [{
      Sid      = ${HUB_SIDS.assumeAccountRoles}
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = [for a in ${g.accounts} : "arn:${g.partition}:iam::\${a}:role${RELAUNCH_ROLE_PATH}${role}"]
    }] : s if length(${g.accounts}) > 0],
    [for s in [{
      Sid       = ${HUB_SIDS.assumeOrganizationRoles}
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Resource  = "arn:${g.partition}:iam::*:role${RELAUNCH_ROLE_PATH}${role}"
      Condition = { StringEquals = { "aws:ResourceOrgID" = ${org} } }
    }] : s if ${org} != null],
  )
})`);
}

/**
 * The reconciler role's statement assuming the spokes' sweep roles: every region's sweep role of this
 * pipeline's name in each spoke account. Only the spoke clusters' accounts: the reconciler sweeps the
 * places `spoke_clusters` names and no other (an organization's members cannot be enumerated), so an
 * organization needs no grant here. Empty without spoke accounts.
 */
export function sweepAssumeRoleStatements(g: Pick<HubGrants, "partition" | "name" | "accounts">): PolicyStatement[] {
  if (g.accounts.length === 0) return [];
  return [{ Sid: HUB_SIDS.assumeSweepRoles, Effect: "Allow", Action: "sts:AssumeRole", Resource: g.accounts.map((a) => sweepRoleArnsOf(g.partition, a, g.name)) }];
}

/** {@link sweepAssumeRoleStatements} as a Terraform `jsonencode` expression of the whole document (used only when there are accounts). */
export function sweepAssumeRolePolicyExpression(g: Pick<HubGrants, "partition" | "name" | "accounts">): string {
  const role = sweepRoleName(g.name, "*");
  return Token.asString(hcl`jsonencode({
  Version = "2012-10-17"
  Statement = [{
    Sid      = ${HUB_SIDS.assumeSweepRoles}
    Effect   = "Allow"
    Action   = "sts:AssumeRole"
    Resource = [for a in ${g.accounts} : "arn:${g.partition}:iam::\${a}:role${RELAUNCH_ROLE_PATH}${role}"]
  }]
})`);
}
