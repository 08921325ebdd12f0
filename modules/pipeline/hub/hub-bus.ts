/**
 * The hub part of the pipeline: a bus the spokes forward their ECS failures to, its policy admitting
 * the spokes' accounts (or their organization), rules on it sending to the pipeline's starter, the
 * rerun role's right to assume the spokes' relaunch roles, and the rerun Lambda's settings naming
 * them. It exists only when spoke clusters or an organization are given, so a pipeline without spokes
 * synthesizes exactly what it did before. Created in the pipeline's own scope.
 *
 * Why a bus of its own rather than the default bus: a rule on another account's bus is no target for
 * the spokes to reach directly, the bus's resource policy is the one place that says who may send,
 * and a dedicated bus keeps the spokes' events apart from the hub account's own.
 */
import type { Construct } from "constructs";
import { TerraformLocal, Token, type IResolvable } from "cdktf";
import { InputError } from "../../input-error";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { hcl, holdsTokens, raw } from "../../hcl/hcl-expression";
import { allOf, attributeOf, countOf, type Presence } from "../../hcl/presence";
import { encodeDocument, policyDocument, type DocumentEncoding } from "../../iam";
import { addStarterTarget, arnsOf, type StarterTargetProps } from "../detection/detection-rules";
import { hubBusPolicyExpression, hubBusStatements, spokeAssumeRolePolicyExpression, spokeAssumeRoleStatements, sweepAssumeRolePolicyExpression, sweepAssumeRoleStatements, type HubGrants } from "./hub-policies";
import { binnedPatternsExpression, binsExpression, binSizeExpression, laterPatterns } from "../detection/pattern-bins";
import type { AwsPlace } from "../iam/pipeline-policies";
import { LONGEST_PLACE } from "../iam/relaunch-identity";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "../detection/split-rules";
import {
  ORGANIZATION_ID_PATTERN,
  SPOKE_CLUSTER_ARN_PATTERN,
  spokeAccounts,
  spokeAccountsExpression,
  spokeRegions,
  spokeRegionsExpression,
  spokeRoleArnPattern,
  spokeRulePatternExpression,
  spokeRulePatterns,
  unmatchedPattern,
  unmatchedPatternExpression,
} from "./spoke-rule-patterns";

/** A hub input the construct refuses, naming the prop it came from (the app maps it to its setting). */
export class HubInputError extends InputError {
  constructor(
    /** The EcsRerunPipeline prop the refused value was given in. */
    override readonly prop: "spokeClusters" | "spokeOrganizationId",
    message: string,
  ) {
    super(prop, message);
    this.name = "HubInputError";
  }
}

/**
 * Characters the rerun role's policy assuming spoke roles may take. IAM allows 10,240 for all of a
 * role's inline policies together (IAM User Guide, "IAM and AWS STS quotas"); the rerun policy naming
 * the home clusters takes the rest. About 70 accounts fit; an organization needs one statement.
 */
export const SPOKE_ASSUME_POLICY_MAX_CHARS = 5120;

/** The hub's inputs, checked, with what follows from them. */
export interface HubInputs {
  /** Whether the hub part exists: `create` and (spoke clusters or an organization). */
  readonly presence: Presence;
  /** Whether Terraform computes the hub's values (some input is an expression). */
  readonly computed: boolean;
  /** The spoke clusters' full ARNs. */
  readonly spokeClusters: readonly string[];
  /** The admitted accounts: a literal list, or a reference to the local Terraform computes it in. */
  readonly accounts: readonly string[];
  /** The spoke clusters' regions, likewise. */
  readonly regions: readonly string[];
  /** The admitted organization, if any. */
  readonly organizationId?: string;
}

/** Refuses literal spoke inputs that are not allowed, naming the value, the prop and what is allowed. */
function checkHubInputs(spokeClusters: readonly string[], organizationId: string | undefined): void {
  if (!Token.isUnresolved(spokeClusters)) {
    spokeClusters.forEach((c, i) => {
      if (!Token.isUnresolved(c) && !new RegExp(SPOKE_CLUSTER_ARN_PATTERN).test(c)) {
        throw new HubInputError(
          "spokeClusters",
          `spokeClusters[${i}] = ${JSON.stringify(c)} is invalid (EcsRerunPipeline prop spokeClusters; module: spoke_clusters): expected the full ARN of a cluster in another account or region, arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`,
        );
      }
    });
  }
  if (organizationId !== undefined && !Token.isUnresolved(organizationId) && !new RegExp(ORGANIZATION_ID_PATTERN).test(organizationId)) {
    throw new HubInputError("spokeOrganizationId", `spokeOrganizationId = ${JSON.stringify(organizationId)} is invalid (EcsRerunPipeline prop spokeOrganizationId; module: spoke_organization_id): expected an AWS Organizations ID, o- and 10 to 32 lower-case letters or digits`);
  }
}

/**
 * The hub's inputs, or undefined when literal inputs ask for no hub (no spoke cluster, no
 * organization): then nothing of the hub is created. Terraform values create count-switched parts
 * and the locals `spoke-accounts` and `spoke-regions` in `scope`.
 */
export function resolveHubInputs(scope: Construct, create: Presence, spokeClusters: readonly string[] = [], organizationId?: string): HubInputs | undefined {
  checkHubInputs(spokeClusters, organizationId);
  const computed = holdsTokens(spokeClusters) || Token.isUnresolved(organizationId);
  if (!computed) {
    if (spokeClusters.length === 0 && organizationId === undefined) return undefined;
    return { presence: create, computed, spokeClusters, accounts: spokeAccounts(spokeClusters), regions: spokeRegions(spokeClusters), organizationId };
  }
  const org = organizationId === undefined ? raw("null") : organizationId;
  // Parenthesised: `&&` binds tighter than `||`, and allOf joins this to create with `&&`.
  const asked = hcl`(length(${spokeClusters}) > 0 || ${org} != null)`;
  const accounts = new TerraformLocal(scope, "spoke-accounts", spokeAccountsExpression(spokeClusters)).asList;
  const regions = new TerraformLocal(scope, "spoke-regions", spokeRegionsExpression(spokeClusters)).asList;
  return { presence: allOf(create, asked), computed, spokeClusters, accounts, regions, organizationId };
}

/**
 * The rerun Lambda's settings naming the spokes: SPOKE_ROLE_ARN_PATTERN (with `{account}` and
 * `{region}` for the Lambda to fill in), SPOKE_ACCOUNTS (a JSON array), SPOKE_ORGANIZATION_ID (only
 * with an organization). Literal: the variables. Computed: a map expression, empty unless the hub
 * exists, for the function to merge into its environment.
 */
export function hubEnvironment(hub: HubInputs, place: AwsPlace, name: string): { literal?: Record<string, string>; computed?: IResolvable } {
  const pattern = spokeRoleArnPattern(place.partition, name);
  if (!hub.computed) {
    return {
      literal: {
        SPOKE_ROLE_ARN_PATTERN: pattern,
        SPOKE_ACCOUNTS: JSON.stringify(hub.accounts),
        ...(hub.organizationId !== undefined ? { SPOKE_ORGANIZATION_ID: hub.organizationId } : {}),
      },
    };
  }
  const org = hub.organizationId === undefined ? raw("null") : hub.organizationId;
  return {
    computed: hcl`{
  for k, v in {
    SPOKE_ROLE_ARN_PATTERN = ${pattern}
    SPOKE_ACCOUNTS         = jsonencode(${hub.accounts})
    SPOKE_ORGANIZATION_ID  = ${org}
  } : k => v if v != null && ${hub.presence}
}`,
  };
}

/** The hub grants of the policies, for the rerun role and the bus. */
const grantsOf = (hub: HubInputs, place: AwsPlace, name: string): HubGrants => ({ partition: place.partition, name, accounts: hub.accounts, organizationId: hub.organizationId });

/**
 * The reconciler role's policy assuming the spokes' sweep roles, and when it exists: only with spoke
 * accounts (an organization alone gives the reconciler no place to sweep); undefined when literal
 * inputs name none. About as long as the rerun role's relaunch-role policy (shorter role names, no
 * organization statement), which SPOKE_ASSUME_POLICY_MAX_CHARS already bounds.
 */
export function sweepAssumePolicy(hub: HubInputs, place: AwsPlace, name: string, encoding: DocumentEncoding): { readonly document: string; readonly presence: Presence } | undefined {
  const grants = { partition: place.partition, name, accounts: hub.accounts };
  if (hub.computed) return { document: sweepAssumeRolePolicyExpression(grants), presence: hcl`length(${hub.accounts}) > 0` as IResolvable };
  const statements = sweepAssumeRoleStatements(grants);
  return statements.length === 0 ? undefined : { document: policyDocument(statements, encoding), presence: true };
}

/**
 * Lets the rerun role assume the spokes' relaunch roles, in an inline policy of its own, so the rerun
 * policy (and a pipeline without spokes) stays as it was. A literal list too long for IAM's
 * inline-policy quota is refused.
 */
export function addSpokeAssumeRolePolicy(scope: Construct, hub: HubInputs, props: { role: IamRole; place: AwsPlace; name: string; encoding: DocumentEncoding }): IamRolePolicy {
  const grants = grantsOf(hub, props.place, props.name);
  let policy: string;
  if (hub.computed) policy = spokeAssumeRolePolicyExpression(grants);
  else {
    spokeAssumePolicyChars(hub, props.place, props.name);
    policy = policyDocument(spokeAssumeRoleStatements(grants), props.encoding);
  }
  const rolePolicy = new IamRolePolicy(scope, "rerun-spoke-policy", { count: countOf(hub.presence), name: "assume-spoke-relaunch-roles", role: attributeOf(props.role, "id"), policy });
  if (hub.computed) {
    // The same limit, checked at plan for a list only Terraform knows.
    rolePolicy.lifecycle = {
      precondition: [
        {
          condition: hcl`length(${policy}) <= ${SPOKE_ASSUME_POLICY_MAX_CHARS}`,
          errorMessage: `The rerun role's policy assuming the spokes' relaunch roles is longer than the ${SPOKE_ASSUME_POLICY_MAX_CHARS} characters this module leaves it of IAM's 10,240 for a role's inline policies: admit the accounts by spoke_organization_id and list fewer spoke_clusters, or split the spokes over two hubs.`,
        },
      ],
    };
  }
  return rolePolicy;
}

/**
 * What `assume-spoke-relaunch-roles` takes of the rerun role's share of IAM's inline-policy quota,
 * measured with the longest partition as above: a number when the accounts are known, else a
 * Terraform expression (the rerun role's cluster parts count it in, cluster-policies.ts). A literal
 * policy over SPOKE_ASSUME_POLICY_MAX_CHARS is refused here, before the clusters are cut.
 */
export function spokeAssumePolicyChars(hub: HubInputs, place: AwsPlace, name: string): number | string {
  const grants = { ...grantsOf(hub, place, name), partition: Token.isUnresolved(place.partition) ? LONGEST_PLACE.partition : place.partition };
  if (hub.computed) return Token.asString(hcl`length(${spokeAssumeRolePolicyExpression(grants)})`);
  const measured = policyDocument(spokeAssumeRoleStatements({ ...grants, name: Token.isUnresolved(name) ? "n".repeat(40) : name })).length;
  if (measured > SPOKE_ASSUME_POLICY_MAX_CHARS) {
    throw new HubInputError(
      "spokeClusters",
      `spokeClusters name ${hub.accounts.length} accounts: the rerun role's policy assuming their relaunch roles would be ${measured} characters, over the ${SPOKE_ASSUME_POLICY_MAX_CHARS} this pipeline leaves it of IAM's 10,240 for a role's inline policies (IAM User Guide, "IAM and AWS STS quotas"): admit the accounts by spokeOrganizationId (module: spoke_organization_id) and list fewer clusters, or split the spokes over two hubs`,
    );
  }
  return measured;
}

/** Props of {@link addHubBus}. */
export interface HubBusProps extends StarterTargetProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Partition, region and account of the hub. */
  readonly place: AwsPlace;
  /** How literal documents are written. */
  readonly encoding: DocumentEncoding;
}

/** What {@link addHubBus} made. */
export interface HubBus {
  /** The bus the spokes forward to. */
  readonly bus: CloudwatchEventBus;
  /** Its resource policy. */
  readonly policy: CloudwatchEventBusPolicy;
  /** The rule on it sending to the starter (rule "0" of its split). */
  readonly rule: CloudwatchEventRule;
  /** Rules "1", "2", ... when the account list is split (or Terraform decides). */
  readonly moreRules?: CloudwatchEventRule;
  /** Every rule's pattern as data, by key; undefined when Terraform computes them. */
  readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** The rule sending what the bus admits but no failure rule matches to the dead-letter queue. */
  readonly unmatchedRule: CloudwatchEventRule;
  /** The rules' ARNs, for the dead-letter queue's policy: rule "0"'s, then the for_each block's as a Terraform list. */
  readonly ruleArnLists: string[][];
}

const HINT = "too many spoke regions for one rule";

/** The patterns of the hub rules: literal, or locals Terraform computes by the same rule (pattern-bins.ts). */
function hubPatterns(scope: Construct, hub: HubInputs): { first: string; later?: Record<string, string> | IResolvable; data?: Record<string, Record<string, unknown>> } {
  if (!hub.computed) {
    const literal = spokeRulePatterns({ spokeClusters: hub.spokeClusters, organizationId: hub.organizationId });
    return splitPatterns(scope, "spoke-failure", { literal }, hub.presence);
  }
  const org = hub.organizationId === undefined ? raw("null") : hub.organizationId;
  const patternOf = (list: unknown) => spokeRulePatternExpression(list as IResolvable, hub.accounts, hub.regions, org);
  // With an organization, one rule without accounts takes every admitted account: nothing to bin.
  const matchers = new TerraformLocal(scope, "spoke-failure-account-matchers", hcl`${org} == null ? [for a in ${hub.accounts} : jsonencode(a)] : []`).asList;
  const binSize = new TerraformLocal(scope, "spoke-failure-bin-size", binSizeExpression(matchers, patternOf)).asNumber;
  const bins = new TerraformLocal(scope, "spoke-failure-bins", binsExpression(matchers, binSize)).asAnyMap;
  const patterns = new TerraformLocal(scope, "spoke-failure-patterns", binnedPatternsExpression(bins, patternOf)).asStringMap;
  // An organization with no listed cluster has no account to bin: one rule without account or region.
  return { first: Token.asString(hcl`try(${patterns}["0"], ${patternOf(raw("[]"))})`), later: laterPatterns(patterns, hub.presence) };
}

/** Adds the hub bus, its policy and its rules (with the starter as their target) to `scope` itself. */
export function addHubBus(scope: Construct, hub: HubInputs, props: HubBusProps): HubBus {
  const { name, place } = props;
  const count = countOf(hub.presence);
  const bus = new CloudwatchEventBus(scope, "hub-bus", { count, name: `${name}-hub` });
  const busArn = attributeOf(bus, "arn");
  const busName = attributeOf(bus, "name");
  const grants = grantsOf(hub, place, name);
  const policy = new CloudwatchEventBusPolicy(scope, "hub-bus-policy", {
    count,
    eventBusName: busName,
    policy: hub.computed ? hubBusPolicyExpression(grants, busArn) : encodeDocument({ Version: "2012-10-17", Statement: hubBusStatements(grants, busArn) }, props.encoding),
  });

  const patterns = hubPatterns(scope, hub);
  const ruleName = `${name}-spoke-failures`;
  const description = "ECS failures the spokes forwarded from admitted accounts and regions";
  const target = { ...props, eventBusName: busName };
  const rule = new CloudwatchEventRule(scope, "spoke-failures", { count, name: ruleName, description, eventBusName: busName, eventPattern: patterns.first });
  if (!patterns.data) rule.lifecycle = { precondition: [patternSizePrecondition(patterns.first, ruleName, HINT)] };
  addStarterTarget(scope, "spoke-failures", count, rule, target);
  const ruleArnLists: string[][] = [[attributeOf(rule, "arn")]];
  let moreRules: CloudwatchEventRule | undefined;
  if (patterns.later) {
    const more = addLaterRules(scope, "spoke-failures", { name: ruleName, description, later: patterns.later, hint: HINT, eventBusName: busName });
    moreRules = more.rules;
    addStarterTarget(scope, "spoke-failures-more", undefined, more.rules, target, more.each);
    ruleArnLists.push(arnsOf(more.rules));
  }
  // What the bus admits but no failure rule matches goes to the dead-letter queue: counted there,
  // alarmed by its depth, and kept for a human (hub accounts' events are otherwise dropped without a trace).
  const org = hub.organizationId === undefined ? raw("null") : hub.organizationId;
  const unmatched = new CloudwatchEventRule(scope, "spoke-unmatched", {
    count,
    name: `${name}-spoke-unmatched`,
    description: "Events the hub bus admitted that no failure rule matches: parked in the dead-letter queue, whose alarm tells a human",
    eventBusName: busName,
    eventPattern: hub.computed
      ? Token.asString(unmatchedPatternExpression(hub.accounts, hub.regions, org))
      : JSON.stringify(unmatchedPattern({ spokeClusters: hub.spokeClusters, organizationId: hub.organizationId })),
  });
  new CloudwatchEventTarget(scope, "spoke-unmatched-target", { count, rule: attributeOf(unmatched, "name"), eventBusName: busName, arn: props.deadLetterQueueArn });
  ruleArnLists.push([attributeOf(unmatched, "arn")]);
  return { bus, policy, rule, moreRules, unmatchedRule: unmatched, eventPatterns: patterns.data, ruleArnLists };
}
