/**
 * The ECS infrastructure roles the rerun may pass on, for tasks with managed EBS volumes.
 *
 * A RunTask with `volumeConfigurations[].managedEBSVolume.roleArn` names the Amazon ECS
 * infrastructure role that ECS assumes to create and attach the volume (ECS API Reference,
 * TaskManagedEBSVolumeConfiguration `roleArn`; ECS Developer Guide, "Amazon ECS infrastructure IAM
 * role": its trust policy's principal is `ecs.amazonaws.com`). Passing it is an `iam:PassRole` to
 * `ecs.amazonaws.com`, which the rerun role's `PassTaskRolesToEcsTasksOnly` (to
 * `ecs-tasks.amazonaws.com` only) does not allow: without this, IAM would refuse such a rerun
 * mid-way. So the roles the user lists (`infrastructureRoleArns`; module: `infrastructure_role_arns`;
 * app: `ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS`) may be passed to `ecs.amazonaws.com` and nowhere else,
 * in an inline policy of its own (`pass-infrastructure-roles`) that exists only when roles are
 * listed, so a pipeline without them synthesizes as it always did; the rerun Lambda reads the same
 * list (INFRASTRUCTURE_ROLE_ARNS) and refuses up front, with a needs-a-human notice naming the
 * setting, a rerun whose volumes name any other role.
 */
import type { Construct } from "constructs";
import { Token } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { hcl } from "../../hcl/hcl-expression";
import { allOf, attributeOf, countOf, type Presence } from "../../hcl/presence";
import { policyDocument, type DocumentEncoding, type PolicyStatement } from "../../iam";
import { ConfigError } from "../../config";
import { LONGEST_PLACE } from "./relaunch-identity";
import type { OtherInlinePolicies } from "./role-policy-budget";

/** An IAM role ARN, in any partition (a string valid in JavaScript and in Terraform's RE2). */
export const ROLE_ARN_PATTERN = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$";
/** The inline policy's name on the rerun role. */
export const INFRASTRUCTURE_ROLES_POLICY_NAME = "pass-infrastructure-roles";
/** The rerun Lambda's variable holding the list (JSON). */
export const INFRASTRUCTURE_ROLE_ARNS_ENV = "INFRASTRUCTURE_ROLE_ARNS";

/** `iam:PassRole` of exactly these roles, to ECS itself (not to tasks). */
export function passInfrastructureRolesStatements(roleArns: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: "PassInfrastructureRolesToEcsOnly",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: Token.isUnresolved(roleArns) ? roleArns : [...roleArns],
      Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
    },
  ];
}

/**
 * {@link passInfrastructureRolesStatements} as a Terraform `jsonencode` expression of the whole
 * document, for a list only Terraform knows (written as `terraform fmt` writes it: the module's
 * locals are checked with `fmt -check`).
 */
export function passInfrastructureRolesPolicyExpression(roleArns: readonly string[]): string {
  const [statement] = passInfrastructureRolesStatements(roleArns);
  return Token.asString(hcl`jsonencode({
  Version = "2012-10-17"
  Statement = [{
    Sid       = ${statement.Sid}
    Effect    = "Allow"
    Action    = "iam:PassRole"
    Resource  = ${roleArns}
    Condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
  }]
})`);
}

/** Refuses a literal list holding something that is no role ARN, naming where it was set. */
export function checkInfrastructureRoleArns(roleArns: readonly string[] | undefined): void {
  if (roleArns === undefined || Token.isUnresolved(roleArns)) return;
  for (const arn of roleArns) {
    if (Token.isUnresolved(arn)) continue;
    if (!new RegExp(ROLE_ARN_PATTERN).test(arn)) {
      throw new ConfigError(`infrastructureRoleArns[]: ${JSON.stringify(arn)} is invalid: expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), the ECS infrastructure role of a task's managed EBS volume`);
    }
  }
}

/** Whether the policy exists: roles listed (a Terraform bool when only Terraform knows), and the pipeline created. */
export function infrastructureRolesPresence(create: Presence, roleArns: readonly string[] | undefined): Presence {
  if (roleArns === undefined) return false;
  const listed: Presence = Token.isUnresolved(roleArns) ? Token.asAny(hcl`length(${roleArns}) > 0`) : roleArns.length > 0;
  return allOf(create, listed);
}

/**
 * What the policy takes of the rerun role's share of IAM's inline-policy quota (role-policy-budget.ts),
 * measured in the longest partition: a number for a literal list, else a Terraform expression.
 */
export function infrastructureRolesBudget(presence: Presence, roleArns: readonly string[] | undefined): OtherInlinePolicies[] {
  if (presence === false || roleArns === undefined) return [];
  const chars = Token.isUnresolved(roleArns)
    ? // The document's JSON is its fixed part plus the list's own JSON: one line terraform fmt leaves as it is.
      Token.asString(hcl`length(jsonencode(${roleArns})) + ${policyDocument(passInfrastructureRolesStatements([])).length - "[]".length}`)
    : policyDocument(passInfrastructureRolesStatements(roleArns.map((a) => a.replace(/^arn:aws[a-z-]*:/, `arn:${LONGEST_PLACE.partition}:`)))).length;
  return [{ chars, what: INFRASTRUCTURE_ROLES_POLICY_NAME, presence }];
}

/** The rerun Lambda's variable: the list as JSON, only when there may be roles (none: the Lambda refuses every such rerun). */
export function infrastructureRolesEnvironment(roleArns: readonly string[] | undefined): Record<string, string> {
  if (roleArns === undefined || (!Token.isUnresolved(roleArns) && roleArns.length === 0)) return {};
  return { [INFRASTRUCTURE_ROLE_ARNS_ENV]: Token.isUnresolved(roleArns) ? Token.asString(hcl`jsonencode(${roleArns})`) : JSON.stringify(roleArns) };
}

/** Adds `pass-infrastructure-roles` to the rerun role, when `presence` may hold. */
export function addInfrastructureRolesPolicy(scope: Construct, props: { role: IamRole; roleArns: readonly string[]; presence: Presence; encoding: DocumentEncoding }): IamRolePolicy | undefined {
  if (props.presence === false) return undefined;
  return new IamRolePolicy(scope, "rerun-infrastructure-roles-policy", {
    count: countOf(props.presence),
    name: INFRASTRUCTURE_ROLES_POLICY_NAME,
    role: attributeOf(props.role, "id"),
    policy: Token.isUnresolved(props.roleArns) ? passInfrastructureRolesPolicyExpression(props.roleArns) : policyDocument(passInfrastructureRolesStatements(props.roleArns), props.encoding),
  });
}
