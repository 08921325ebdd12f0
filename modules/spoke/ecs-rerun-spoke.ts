/**
 * A spoke of the rerun pipeline: deployed in each other account and region whose clusters a hub
 * (an `EcsRerunPipeline` with `spokeClusters`) protects. It forwards the failures of its clusters to
 * the hub's bus, holds the relaunch role the hub's rerun Lambda assumes to rerun them here, and, given
 * the hub's reconciler role, the read-only sweep role the hub's reconciler assumes to find what was
 * never forwarded.
 *
 * With literal inputs every part is plainly created or not; with Terraform expressions (the spoke
 * submodule) optional parts are count-switched, as in the pipeline.
 */
import { Construct } from "constructs";
import { TerraformIterator, Token, type IResolvable } from "cdktf";
import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { hcl } from "../hcl/hcl-expression";
import { allOf, attributeOf, countOf, type Presence } from "../hcl/presence";
import { assumeRolePolicy, encodeDocument, policyDocument, type DocumentEncoding } from "../iam";
import { IAM_NAME_LIMITS, regionalIamName } from "../iam-names";
import { clusterPlacePrecondition } from "../pipeline/cluster-place";
import { ManagementEventsTrail } from "../pipeline/detection/management-events-trail";
import type { AwsPlace } from "../pipeline/iam/pipeline-policies";
import { addRelaunchPolicies } from "../pipeline/iam/cluster-policies";
import { addRole } from "../pipeline/iam/role-options";
import { measuringPlace, ROLE_INLINE_POLICIES_MAX_CHARS } from "../pipeline/iam/role-policy-budget";
import { passRoleArns } from "../pipeline/functions/rerun-function";
import { relaunchRoleName, sweepRoleName } from "../pipeline/hub/spoke-rule-patterns";
import { addForwardingRules, type ForwardingRuleBlock } from "./forwarding-rules";
import { resolveSpokeInputs } from "./spoke-inputs";
import type { EcsRerunSpokeProps } from "./spoke-props";
import { destinationVerdict, requireDestination, SPOKE_NO_DESTINATION } from "../pipeline/notices/notice-destinations";
import { forwardRoleStatements, relaunchRoleStatements, relaunchTrustPolicy, sweepRoleStatements, sweepTrustPolicy } from "./spoke-policies";

/** The props live apart (spoke-props.ts), so the inputs resolving them need not import the construct. */
export type { EcsRerunSpokeProps } from "./spoke-props";

/**
 * The spoke: forwarding rules on the default bus for its clusters' rejected launches and failed tasks
 * (the pipeline's own patterns) to the hub's bus, their role and dead-letter queue, the relaunch role
 * `<name>-relaunch-<region>` (path `/ecs-rerun/`) trusting only the hub's rerun role, the sweep role
 * `<name>-sweep-<region>` (same path) trusting only the hub's reconciler role when that is given,
 * alarms, and optionally a management-events trail.
 */
export class EcsRerunSpoke extends Construct {
  /** The role the hub's rerun Lambda assumes to relaunch here; its path marks its calls as reruns. */
  public readonly relaunchRole: IamRole;
  /**
   * The role the hub's reconciler assumes to read this place's CloudTrail event history and its
   * clusters' stopped tasks (`<name>-sweep-<region>`, path `/ecs-rerun/`), when `hubReconcilerRoleArn` is given.
   */
  public readonly sweepRole?: IamRole;
  /** The role EventBridge forwards with: `events:PutEvents` on the hub bus only. */
  public readonly forwardRole: IamRole;
  /** The rule forwarding rejected launches (rule "0" of its split). */
  public readonly rule: CloudwatchEventRule;
  /** Launch-failure rules "1", "2", ... when the pattern is split (or Terraform decides). */
  public readonly moreRules?: CloudwatchEventRule;
  /** The rule forwarding failed tasks, when enabled (or Terraform decides). */
  public readonly taskStateRule?: CloudwatchEventRule;
  /** Task-failure rules "1", "2", ... */
  public readonly moreTaskStateRules?: CloudwatchEventRule;
  /** Where events the hub bus did not take are parked. */
  public readonly deadLetterQueue: SqsQueue;
  /** The alarms, by role (`forwardFailed-<rule block>`, `deadLetters`). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** Every launch-failure rule's pattern as data, by key; undefined when Terraform computes them. */
  public readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** Every task-failure rule's pattern as data, by key, when literal. */
  public readonly taskStatePatterns?: Record<string, Record<string, unknown>>;
  /** The trail, when created (or a Terraform expression decides). */
  public readonly trail?: ManagementEventsTrail;

  constructor(scope: Construct, id: string, props: EcsRerunSpokeProps) {
    super(scope, id);
    const inputs = resolveSpokeInputs(props);
    const { create, name, encoding, roles } = inputs;
    const base = countOf(create);
    const place: AwsPlace = {
      partition: new DataAwsPartition(this, "partition").partition,
      region: new DataAwsRegion(this, "region").region,
      account: new DataAwsCallerIdentity(this, "account").accountId,
    };
    const region = props.region ?? place.region;

    // The relaunch role: the hub assumes it by a name it computes, `<name>-relaunch-<region>`.
    const relaunchName = relaunchRoleName(name, region);
    // A relaunch role: it keeps the path /ecs-rerun/ (role-options.ts), which the hub assumes it by and every rule excludes.
    this.relaunchRole = addRole(this, "relaunch-role", { count: base, name: relaunchName, assumeRolePolicy: relaunchTrustPolicy(props.hubRerunRoleArn) }, roles, "relaunch");
    // What literal inputs were checked for already, Terraform checks before creating anything here.
    const preconditions = [];
    if (Token.isUnresolved(relaunchName)) {
      // The hub computes the plain name; IAM would refuse a longer one at apply.
      preconditions.push({ condition: hcl`length(${relaunchName}) <= ${IAM_NAME_LIMITS.roleName}`, errorMessage: `The relaunch role's name ${relaunchName} is longer than IAM's ${IAM_NAME_LIMITS.roleName} characters: use a shorter name on the hub and every spoke.` });
    }
    // A rule sees only its own account's and region's events: a cluster of another place would never be forwarded.
    const foreign = clusterPlacePrecondition(inputs.clusters, region, place.account, "Deploy one spoke per account and region.");
    if (foreign) preconditions.push(foreign);
    if (preconditions.length > 0) this.relaunchRole.lifecycle = { precondition: preconditions };
    // Its inline policy names the first clusters, managed policies the rest (cluster-policies.ts).
    addRelaunchPolicies(this, {
      kind: "relaunch",
      name,
      role: this.relaunchRole,
      roleName: relaunchName,
      count: base,
      presence: create,
      place,
      clusters: inputs.clusters,
      taskDefinitionFamilies: inputs.taskDefinitionFamilies,
      grants: (at, clusters) =>
        relaunchRoleStatements({
          place: at,
          clusters,
          taskDefinitionFamilies: inputs.taskDefinitionFamilies,
          passRoleArns: passRoleArns(inputs.passRoleArns, `arn:${at.partition}:iam::${at.account}:role/*`),
        }),
      hint: "protect fewer clusters with this spoke (clusters), or split them over spokes of hubs of different names; fewer taskDefinitionFamilies and passRoleArns (module: task_definition_families, pass_role_arns) also make room",
      encoding,
    });

    // The sweep role: what the hub's reconciler reads here, trusting that role alone. Its own role,
    // not the relaunch role's: the reconciler only reads, and the relaunch role trusts the rerun role only.
    const sweepPresence = inputs.hubReconcilerRoleArn === undefined ? false : Token.isUnresolved(inputs.hubReconcilerRoleArn) ? allOf(create, hcl`${inputs.hubReconcilerRoleArn} != null` as IResolvable) : create;
    if (sweepPresence !== false) {
      const sweepCount = countOf(sweepPresence);
      this.sweepRole = addRole(this, "sweep-role", { count: sweepCount, name: sweepRoleName(name, region), assumeRolePolicy: sweepTrustPolicy(inputs.hubReconcilerRoleArn as string) }, roles, "sweep");
      const policy = policyDocument(sweepRoleStatements({ place, clusters: inputs.clusters }), encoding);
      const sweepPolicy = new IamRolePolicy(this, "sweep-policy", { count: sweepCount, name: "read-event-history-and-stopped-tasks", role: attributeOf(this.sweepRole, "id"), policy });
      // One inline policy naming every cluster once: about 120 clusters fit IAM's 10,240 characters.
      const max = ROLE_INLINE_POLICIES_MAX_CHARS;
      const tooMany = `the sweep role's policy naming every cluster of this spoke is longer than IAM's ${max} characters for a role's inline policies (IAM User Guide, "IAM and AWS STS quotas")`;
      const advice = "protect fewer clusters with this spoke (clusters), or split them over spokes of hubs of different names";
      if (Token.isUnresolved(inputs.clusters)) {
        sweepPolicy.lifecycle = { precondition: [{ condition: hcl`length(${policy}) <= ${max}`, errorMessage: `${tooMany}: ${advice}.` }] };
      } else {
        const measured = policyDocument(sweepRoleStatements({ place: measuringPlace(), clusters: inputs.clusters })).length;
        if (measured > max) throw new Error(`clusters names ${inputs.clusters.length} clusters (EcsRerunSpoke prop clusters; module spoke: clusters): ${tooMany} (${measured} in the longest place): ${advice}`);
      }
    }

    // The forwarding role and the dead-letter queue of what the hub bus did not take.
    this.forwardRole = addRole(this, "forward-role", { count: base, name: regionalIamName([name, "forward"], region), assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", { sourceAccount: place.account }) }, roles);
    new IamRolePolicy(this, "forward-policy", { count: base, name: "put-events-on-the-hub-bus", role: attributeOf(this.forwardRole, "id"), policy: policyDocument(forwardRoleStatements(props.hubEventBusArn), encoding) });
    this.deadLetterQueue = new SqsQueue(this, "dlq", { count: base, name: `${name}-forward-dlq`, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
    const dlqArn = attributeOf(this.deadLetterQueue, "arn");

    const rules = addForwardingRules(this, {
      name,
      create,
      clusters: inputs.clusters,
      ignoreStartedBy: inputs.ignoreStartedBy,
      catchFailedToStart: inputs.catchFailedToStart,
      reportProgramFailures: inputs.reportProgramFailures,
      place,
      hubEventBusArn: props.hubEventBusArn,
      forwardRoleArn: attributeOf(this.forwardRole, "arn"),
      deadLetterQueueArn: dlqArn,
    });
    this.rule = rules.rule;
    this.moreRules = rules.moreRules;
    this.taskStateRule = rules.taskStateRule;
    this.moreTaskStateRules = rules.moreTaskStateRules;
    this.eventPatterns = rules.eventPatterns;
    this.taskStatePatterns = rules.taskStatePatterns;
    this.deadLetterQueuePolicy(base, rules.ruleArns, encoding);

    const trailPresence = allOf(create, inputs.createTrail);
    if (trailPresence !== false) this.trail = new ManagementEventsTrail(this, "trail", { name: `${name}-spoke-management-events`, place, presence: trailPresence, forceDestroy: props.trailForceDestroy });

    const alarmsPresence = allOf(create, inputs.createAlarms);
    if (alarmsPresence !== false) this.addAlarms(name, alarmsPresence, rules.blocks, inputs.alarmActions);
    // A spoke has no topic: without an alarm action its alarms reach no one (notice-destinations.ts).
    const verdict = destinationVerdict({ create, alarmActions: inputs.alarmActions, alarms: inputs.createAlarms, allowNoDestination: props.allowNoDestination ?? false });
    requireDestination(this, verdict, SPOKE_NO_DESTINATION);
  }

  /** Lets the forwarding rules park undeliverable events in the queue, and nothing else. */
  private deadLetterQueuePolicy(base: number | undefined, ruleArns: string | string[], documentEncoding: DocumentEncoding): void {
    const dlqArn = attributeOf(this.deadLetterQueue, "arn");
    const encoding: DocumentEncoding = Array.isArray(ruleArns) && Token.isUnresolved(ruleArns) ? "jsonencode" : documentEncoding;
    new SqsQueuePolicy(this, "dlq-policy", {
      count: base,
      queueUrl: attributeOf(this.deadLetterQueue, "url"),
      policy: encodeDocument(
        {
          Version: "2012-10-17",
          Statement: [
            { Sid: "UndeliveredForwardedEvents", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: dlqArn, Condition: { ArnEquals: { "aws:SourceArn": ruleArns } } },
          ],
        },
        encoding,
      ),
    });
  }

  /**
   * A FailedInvocations alarm per forwarding rule (the hub bus refused the event, or could not be
   * reached within the retries, so it went to the dead-letter queue), and one on the queue's depth. A
   * spoke has no topic of its own: `alarmActions` are where they go.
   */
  private addAlarms(name: string, presence: Presence, blocks: readonly ForwardingRuleBlock[], alarmActions: readonly string[]): void {
    const common = { evaluationPeriods: 1, period: 300, threshold: 0, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching", alarmActions: alarmActions as string[] } as const;
    const failed = (ruleName: string) => ({
      ...common,
      statistic: "Sum",
      alarmName: `${ruleName}-failed`,
      alarmDescription: "EventBridge could not forward a failure to the hub bus (it went to the dead-letter queue): the hub did not hear of it.",
      namespace: "AWS/Events",
      metricName: "FailedInvocations",
      dimensions: { RuleName: ruleName },
    });
    for (const block of blocks) {
      const id = `alarm-${block.id}-failed`;
      if (block.each === undefined) {
        this.alarms[`forwardFailed-${block.id}`] = new CloudwatchMetricAlarm(this, id, { count: countOf(allOf(block.presence, presence)), ...failed(block.name) });
      } else {
        // One alarm per rule of the for_each block, keyed like it; none when the alarms are switched off.
        const each = presence === true ? TerraformIterator.fromResources(block.rule) : TerraformIterator.fromMap(Token.asAnyMap(hcl`{ for k, r in ${block.rule.fqn} : k => r if ${presence} }`));
        this.alarms[`forwardFailed-${block.id}`] = new CloudwatchMetricAlarm(this, id, { forEach: each, ...failed(`${block.name}-${each.key}`) });
      }
    }
    this.alarms.deadLetters = new CloudwatchMetricAlarm(this, "alarm-dead-letters", {
      ...common,
      count: countOf(presence),
      statistic: "Maximum",
      alarmName: `${name}-forward-dead-letters`,
      alarmDescription: "A failure could not be forwarded to the hub and waits in the spoke's dead-letter queue: rerun or report it by hand.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: attributeOf(this.deadLetterQueue, "name") },
    });
  }
}
