/**
 * Spreads the protected clusters of a relaunch role (the hub's rerun role, a spoke's relaunch role)
 * over its inline policy and customer-managed policies, so that long cluster lists fit IAM's quotas,
 * and refuses a list that cannot fit: at synth when every part is known, in a plan-time precondition
 * when Terraform fills some in.
 *
 * The quotas (IAM User Guide, "IAM and AWS STS quotas"; whitespace is not counted): a role's inline
 * policies together 10,240 characters; a managed policy 6,144; 10 managed policies attached to a role
 * by default. Each cluster costs two ARNs (protectedClusterStatements), about 150 characters, so the
 * inline policy holds the first clusters (part "0", the policy every pipeline always had, so a short
 * list deploys as before) and managed policies `<role name>-clusters-<key>` hold the rest, 30 to 40
 * each.
 *
 * The parts are cut by count, from the longest a cluster's ARN can be: measured with the longest
 * partition, account and region always (role-policy-budget.ts), so the cut does not depend on where
 * it is deployed, and Terraform's cut (the module) is the construct's exactly.
 *
 * addRelaunchPolicies assembles the whole for either role: the inline policy, its plan-time check and
 * the managed policies.
 */
import type { Construct } from "constructs";
import { TerraformIterator, TerraformLocal, Token, type IResolvable } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { hcl, holdsTokens, raw } from "../../hcl/hcl-expression";
import { attributeOf, type Presence } from "../../hcl/presence";
import { policyDocument, type DocumentEncoding, type PolicyStatement } from "../../iam";
import { InputError } from "../../input-error";
import { MANAGED_POLICIES_PER_ROLE } from "../../iam-names";
import { clusterArns, protectedClusterStatements, type AwsPlace } from "./pipeline-policies";
import { measuringPlace, othersChars, ROLE_INLINE_POLICIES_MAX_CHARS, type OtherInlinePolicies } from "./role-policy-budget";

/** IAM's quota on one customer-managed policy (IAM User Guide, "IAM and AWS STS quotas"). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** Managed policies a role may have attached by default (iam-names.ts). */
export { MANAGED_POLICIES_PER_ROLE };

/** What a role's cluster policies are made of. */
export interface ClusterPoliciesProps {
  /** The role, as messages name it (`The rerun role <name>`). */
  readonly role: string;
  /** The role's inline policy naming the first clusters. */
  readonly inlinePolicy: string;
  /** The protected clusters, names or ARNs (a literal list, or a Terraform list known at plan). */
  readonly clusters: readonly string[];
  /** The place the policies are measured in (measuringPlace). */
  readonly measuring: AwsPlace;
  /** The inline policy's statements for the given clusters, built in the measuring place. */
  readonly inlineStatements: (clusters: readonly string[]) => readonly PolicyStatement[];
  /** A managed policy's statements for the given clusters, built in the measuring place. */
  readonly managedStatements: (clusters: readonly string[]) => readonly PolicyStatement[];
  /** The role's other inline policies. @default none */
  readonly others?: readonly OtherInlinePolicies[];
  /** What to do about a list too long, naming the inputs the user set. */
  readonly hint: string;
}

/** The clusters' parts: key "0" for the inline policy, "1", "2", ... for managed policies. */
export interface ClusterParts {
  /** The inline policy's clusters. */
  readonly first: readonly string[];
  /** The managed policies' clusters by key; a Terraform map expression when Terraform cuts them. */
  readonly later: Record<string, readonly string[]> | IResolvable;
  /** The plan-time check, when Terraform cuts them. */
  readonly precondition?: { condition: string; errorMessage: string };
}

const refusal = (p: ClusterPoliciesProps, n: string | number, fixed: string | number, perCluster: string | number, inline: string | number, managed: string | number) =>
  `${p.role} cannot be granted ${n} protected clusters: its inline policies take up to ${fixed} characters before any cluster and each cluster ${perCluster} more, so ${inline} fit its inline policy ${p.inlinePolicy} (IAM allows a role's inline policies ${ROLE_INLINE_POLICIES_MAX_CHARS} characters together) and ${managed} each of the ${MANAGED_POLICIES_PER_ROLE} managed policies a role may have attached by default (${MANAGED_POLICY_MAX_CHARS} characters each; IAM User Guide, "IAM and AWS STS quotas"): ${p.hint}`;

/**
 * Cuts the clusters into parts. With literal inputs the parts are literal and a list that cannot fit
 * throws here; otherwise a local `<id>-cluster-parts` holds them and a precondition refuses at plan.
 */
export function clusterParts(scope: Construct, id: string, p: ClusterPoliciesProps): ClusterParts {
  const others = othersChars(p.others ?? []);
  const inlineBase = policyDocument(p.inlineStatements([]), holdsTokens(p.inlineStatements([])) ? "jsonencode" : "json");
  const managedBase = policyDocument(p.managedStatements([]), holdsTokens(p.managedStatements([])) ? "jsonencode" : "json");
  const measured = clusterArns(p.measuring, p.clusters);
  if (!Token.isUnresolved(p.clusters) && !Token.isUnresolved(inlineBase) && !Token.isUnresolved(managedBase) && typeof others === "number") {
    // Adding an ARN to a JSON list of strings adds its quotes and a comma; two lists name each cluster.
    const perCluster = 2 * (Math.max(0, ...measured.map((a) => a.length)) + 3);
    const inline = Math.floor((ROLE_INLINE_POLICIES_MAX_CHARS - others - inlineBase.length) / perCluster);
    const managed = Math.floor((MANAGED_POLICY_MAX_CHARS - managedBase.length) / perCluster);
    const n = p.clusters.length;
    if (inline < 1 || (n > inline && (managed < 1 || n - inline > MANAGED_POLICIES_PER_ROLE * managed))) throw new InputError("clusters", refusal(p, n, others + inlineBase.length, perCluster, Math.max(inline, 0), Math.max(managed, 0)));
    const later: Record<string, string[]> = {};
    for (let i = inline, key = 1; i < n; i += managed, key++) later[String(key)] = p.clusters.slice(i, i + managed);
    return { first: p.clusters.slice(0, inline), later };
  }
  // The documents without clusters are locals of their own (objects, which the module writes as
  // formatted HCL), measured by Terraform as it writes them: jsonencode, no whitespace.
  const baseLength = (kind: string, statements: readonly PolicyStatement[], text: string) =>
    Token.isUnresolved(text) ? hcl`length(jsonencode(${new TerraformLocal(scope, `${id}-${kind}-policy-without-clusters`, { Version: "2012-10-17", Statement: statements }).expression}))` : text.length;
  const perCluster = hcl`2 * (max(0, [for a in ${measured} : length(a)]...) + 3)`;
  const fixed = Token.asString(hcl`${others} + ${baseLength("inline", p.inlineStatements([]), inlineBase)}`);
  const inline = new TerraformLocal(scope, `${id}-inline-cluster-count`, hcl`floor((${ROLE_INLINE_POLICIES_MAX_CHARS} - ${fixed}) / ${perCluster})`).asNumber;
  const managed = new TerraformLocal(scope, `${id}-managed-cluster-count`, hcl`floor((${MANAGED_POLICY_MAX_CHARS} - ${baseLength("managed", p.managedStatements([]), managedBase)}) / ${perCluster})`).asNumber;
  const c = p.clusters;
  const parts = new TerraformLocal(
    scope,
    `${id}-cluster-parts`,
    hcl`merge({ "0" = slice(${c}, 0, max(0, min(${inline}, length(${c})))) }, length(${c}) > max(${inline}, 0) ? { for i, part in chunklist(slice(${c}, max(${inline}, 0), length(${c})), max(${managed}, 1)) : tostring(i + 1) => part } : {})`,
  ).asAnyMap;
  const n = Token.asString(hcl`length(${c})`);
  return {
    first: Token.asList(hcl`${parts}["0"]`),
    later: hcl`{ for key, part in ${parts} : key => part if key != "0" }`,
    precondition: {
      condition: Token.asString(hcl`${inline} >= 1 && (length(${c}) <= ${inline} || (${managed} >= 1 && length(${c}) - ${inline} <= ${MANAGED_POLICIES_PER_ROLE} * ${managed}))`),
      errorMessage: refusal(p, n, fixed, Token.asString(perCluster), Token.asString(hcl`max(${inline}, 0)`), Token.asString(hcl`max(${managed}, 0)`)) + ".",
    },
  };
}

/** Props of {@link addClusterPolicies}. */
export interface AddClusterPoliciesProps {
  /** The role they are attached to. */
  readonly role: IamRole;
  /** Its name: each policy is `<role name>-clusters-<key>` (IAM policy names are unique in an account, as role names are). */
  readonly roleName: string;
  /** The managed parts (ClusterParts.later). */
  readonly later: Record<string, readonly string[]> | IResolvable;
  /** A managed policy's statements for a part, in the real place. */
  readonly statements: (clusters: readonly string[]) => readonly PolicyStatement[];
  /** Whether the role exists. */
  readonly presence: Presence;
}

/**
 * The managed policies `<id>` (one `for_each` block) and their attachments `<id>-attachments`. None
 * with literal parts that fit the inline policy alone, so a short list deploys exactly as before.
 */
export function addClusterPolicies(scope: Construct, id: string, props: AddClusterPoliciesProps): IamPolicy | undefined {
  const { later, presence } = props;
  let documents: Record<string, string> | IResolvable;
  if (!Token.isUnresolved(later)) {
    const parts = Object.entries(later as Record<string, readonly string[]>);
    if (parts.length === 0 || presence === false) return undefined;
    const literal = Object.fromEntries(parts.map(([key, clusters]) => [key, policyDocument(props.statements(clusters))]));
    documents = presence === true ? literal : hcl`{ for key, doc in ${literal} : key => doc if ${presence} }`;
  } else {
    // Terraform cuts the parts: each document is written by Terraform from its part.
    const part = "part";
    const doc = policyDocument(props.statements(Token.asList(hcl`${raw(part)}`)), "jsonencode");
    documents = presence === true ? hcl`{ for key, ${raw(part)} in ${later} : key => ${doc} }` : hcl`{ for key, ${raw(part)} in ${later} : key => ${doc} if ${presence} }`;
  }
  const each = TerraformIterator.fromMap(documents as Record<string, string>);
  const policies = new IamPolicy(scope, id, {
    forEach: each,
    name: `${props.roleName}-clusters-${each.key}`,
    description: "The protected clusters the inline policy of this ecs-rerun role has no room for.",
    policy: Token.asString(each.value),
  });
  const attached = TerraformIterator.fromResources(policies);
  new IamRolePolicyAttachment(scope, `${id}-attachments`, {
    forEach: attached,
    role: attributeOf(props.role, "name"),
    policyArn: Token.asString(attached.getString("arn")),
  });
  return policies;
}

/** Props of {@link addRelaunchPolicies}. */
export interface RelaunchPoliciesProps {
  /** `rerun` (the hub's rerun role) or `relaunch` (a spoke's relaunch role): names the ids, the inline policy `<kind>-on-protected-clusters` and the role in messages. */
  readonly kind: string;
  /** The pipeline's name, which the role's name (`<name>-<kind>-<region>`) starts with. */
  readonly name: string;
  /** The role. */
  readonly role: IamRole;
  /** Its name. */
  readonly roleName: string;
  /** The role's count. */
  readonly count: number | undefined;
  /** Whether the role exists. */
  readonly presence: Presence;
  /** Where the role is. */
  readonly place: AwsPlace;
  /** The protected clusters. */
  readonly clusters: readonly string[];
  /** The task definition families the role may run. */
  readonly taskDefinitionFamilies: readonly string[];
  /** The inline policy's statements for the clusters in a place; `measured` in the measuring place (longest ARNs). */
  readonly grants: (at: AwsPlace, clusters: readonly string[], measured: boolean) => readonly PolicyStatement[];
  /** The role's other inline policies. @default none */
  readonly others?: readonly OtherInlinePolicies[];
  /** What to do about a list too long. */
  readonly hint: string;
  /** How the inline policy is written. */
  readonly encoding: DocumentEncoding;
}

/**
 * A relaunch role's grants on its protected clusters: the inline policy `<kind>-policy` naming the
 * first clusters (with the plan-time check when Terraform cuts them) and managed policies
 * `<kind>-cluster-policies` naming the rest.
 */
export function addRelaunchPolicies(scope: Construct, p: RelaunchPoliciesProps): IamRolePolicy {
  const { kind, name, roleName, place, taskDefinitionFamilies: families } = p;
  const measuring = measuringPlace();
  const parts = clusterParts(scope, kind, {
    // At synth the region may still be Terraform's: name the role by its pattern then.
    role: `The ${kind} role ${Token.isUnresolved(roleName) && !Token.isUnresolved(name) ? `${name}-${kind}-<region>` : roleName}`,
    inlinePolicy: `${kind}-on-protected-clusters`,
    clusters: p.clusters,
    measuring,
    inlineStatements: (clusters) => p.grants(measuring, clusters, true),
    managedStatements: (clusters) => protectedClusterStatements(measuring, clusters, families),
    others: p.others,
    hint: p.hint,
  });
  const policy = new IamRolePolicy(scope, `${kind}-policy`, {
    count: p.count,
    name: `${kind}-on-protected-clusters`,
    role: attributeOf(p.role, "id"),
    policy: policyDocument(p.grants(place, parts.first, false), p.encoding),
  });
  if (parts.precondition) policy.lifecycle = { precondition: [parts.precondition] };
  addClusterPolicies(scope, `${kind}-cluster-policies`, {
    role: p.role,
    roleName,
    later: parts.later,
    statements: (clusters) => protectedClusterStatements(place, clusters, families),
    presence: p.presence,
  });
  return policy;
}
