/** The rerun pipeline construct: detection rules -> state machine -> rerun Lambda -> notices -> Slack, with its alarms. */
import { Construct } from "constructs";
import { Fn, TerraformIterator, Token, conditional } from "cdktf";
import type { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import type { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { assumeRolePolicy, encodeDocument, policyDocument, type DocumentEncoding } from "../iam";
import { regionalIamName } from "../iam-names";
import { addDetectionRules } from "./detection/detection-rules";
import { concatRuleArns } from "./detection/failure-rules";
import { addHubBus, addSpokeAssumeRolePolicy, hubEnvironment, resolveHubInputs, spokeAssumePolicyChars, sweepAssumePolicy, type HubBus } from "./hub/hub-bus";
import { LaunchPacer } from "./pacing/launch-pacer";
import type { LambdaName, LambdaPackage } from "./functions/lambda-package";
import { ManagementEventsTrail } from "./detection/management-events-trail";
import { stateMachineStatements, topicKeyPolicy, type AwsPlace } from "./iam/pipeline-policies";
import { allOf, attributeOf, countOf, isSet, isUnset, presenceOf } from "../hcl/presence";
import { NOTICE_FAILURE_METRIC, rerunStateMachineDefinition } from "./orchestration/rerun-state-machine";
import { MissedRunAlarms } from "./missed-runs/missed-run-alarms";
import type { ExpectedRun } from "./missed-runs/missed-run";
import { addPipelineAlarms } from "./orchestration/pipeline-alarms";
import type { FunctionPackaging } from "./functions/pipeline-function";
import { resolveInputs, type PipelineInputs } from "./pipeline-inputs";
import type { EcsRerunPipelineProps } from "./pipeline-props";
import { addRerunFunction } from "./functions/rerun-function";
import { addRole } from "./iam/role-options";
import { rerunRoleOtherPolicies } from "./iam/role-policy-budget";
import { addInfrastructureRolesPolicy, checkInfrastructureRoleArns, infrastructureRolesBudget, infrastructureRolesEnvironment, infrastructureRolesPresence } from "./iam/infrastructure-roles";
import { resolveNoticeInputs, slackInputs } from "./notices/notify-inputs";
import type { NoticeStorm } from "./notices/notice-storm";
import { addSlackNotifier, type SlackNotifier } from "./notices/slack-notifier";
import { addStarterFunction } from "./functions/starter-function";
import { Reconciler, reconcilerPresence } from "./reconciler/reconciler";
import { sweepRoleArnPattern } from "./hub/spoke-rule-patterns";
import { PipelineDashboard } from "./dashboard/pipeline-dashboard";
import { destinationVerdict, PIPELINE_NO_DESTINATION, requireDestination } from "./notices/notice-destinations";

/** The inputs' defaults and limits live with their checks; importers keep finding them here. */
export { DEFAULT_IGNORE_STARTED_BY, DEFAULT_RETRYABLE_REASONS, INPUT_LIMITS } from "./pipeline-inputs";

/** The props live apart (pipeline-props.ts), so the inputs resolving them need not import the construct. */
export type { EcsRerunPipelineProps } from "./pipeline-props";

/**
 * The rerun pipeline: an EventBridge rule on CloudTrail records of rejected RunTask/StartTask calls
 * -> a Standard state machine -> a Lambda that reruns with the original request -> an encrypted SNS
 * topic -> a Lambda that tells Slack, with a dead-letter queue and alarms so nothing is lost quietly.
 *
 * With literal inputs every optional part is plainly created or not. With Terraform expressions as
 * inputs (the Terraform module), optional parts are count-switched and references to them go through
 * `one(...[*].attr)`, the event pattern and cluster-scoped IAM are computed by Terraform, and the
 * module's validation blocks replace the checks made here.
 */
export class EcsRerunPipeline extends Construct {
  /** The rule catching rejected launches (the first, when the pattern is split over several). */
  public readonly rule: CloudwatchEventRule;
  /** The other launch-failure rules ("1", "2", ...: one for_each block), when the pattern is split (or Terraform decides). */
  public readonly moreRules?: CloudwatchEventRule;
  /** The state machine that waits, reruns and notifies. */
  public readonly stateMachine: SfnStateMachine;
  /** The Lambda that classifies and reruns. */
  public readonly rerunFunction: LambdaFunction;
  /** The rules' target: starts one named execution per failure, so a redelivered event starts none. */
  public readonly starterFunction: LambdaFunction;
  /** Its role: a relaunch role (path /ecs-rerun/), whose calls every pipeline's rules ignore. */
  public readonly rerunRole: IamRole;
  /** The topic of structured notices. */
  public readonly topic: SnsTopic;
  /** The topic's key (created unless one was given). */
  public readonly kmsKeyArn: string;
  /** The Slack notifier, when a webhook or bot token parameter is configured (or may be, by a Terraform expression). */
  public readonly notifierFunction?: LambdaFunction;
  /** The notifier's storm parts (table, digest queue, schedule), with the notifier. */
  public readonly noticeStorm?: NoticeStorm;
  /** Where undeliverable events and notices end up. */
  public readonly deadLetterQueue: SqsQueue;
  /** The alarms, by role (executionsFailed, deadLetters, rerunErrors, noticesFailed, launchPacerFailures). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The event pattern the rule uses, as data; undefined when Terraform computes it from expressions. */
  public readonly eventPattern?: Record<string, unknown>;
  /** Every launch-failure rule's pattern as data, by key ("0" is {@link rule}'s); undefined when Terraform computes them. */
  public readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** The trail, when created (or when a Terraform expression decides). */
  public readonly trail?: ManagementEventsTrail;
  /** The rule catching tasks that stopped before starting (and program failures), when enabled (or when Terraform expressions decide). */
  public readonly taskStateRule?: CloudwatchEventRule;
  /** The other task-failure rules ("1", "2", ...), when that pattern is split (or Terraform decides). */
  public readonly moreTaskStateRules?: CloudwatchEventRule;
  /** The missed-run alarms (dead man's switch), when expected runs are given (or a Terraform expression gives them). */
  public readonly missedRuns?: MissedRunAlarms;
  /** The shared launch clock, when reruns are paced (or a Terraform expression decides). */
  public readonly launchPacer?: LaunchPacer;
  /** The bus the spokes forward to, when the pipeline is a hub (or a Terraform expression decides). */
  public readonly hubBus?: CloudwatchEventBus;
  /** Its resource policy, admitting the spokes' accounts or organization. */
  public readonly hubBusPolicy?: CloudwatchEventBusPolicy;
  /** The rule on the hub bus sending forwarded failures to the starter (rule "0" of its split). */
  public readonly spokeRule?: CloudwatchEventRule;
  /** The other hub rules ("1", "2", ...), when the account list is split (or Terraform decides). */
  public readonly moreSpokeRules?: CloudwatchEventRule;
  /** The hub bus's rule for what it admits but no failure rule matches (to the dead-letter queue). */
  public readonly spokeUnmatchedRule?: CloudwatchEventRule;
  /** The hub rules' patterns as data, by key; undefined without a hub or when Terraform computes them. */
  public readonly spokeEventPatterns?: Record<string, Record<string, unknown>>;
  /** The reconciler (the second path), unless `reconcileEveryMinutes` is 0. */
  public readonly reconciler?: Reconciler;
  /** The dashboard and the metric filters it draws, unless `createDashboard` is false. */
  public readonly dashboard?: PipelineDashboard;
  /** The Lambda packages, by function, to copy into `packageDirectory` when one is set. */
  public readonly packages: Partial<Record<LambdaName, LambdaPackage>> = {};

  private readonly packaging: FunctionPackaging;

  constructor(scope: Construct, id: string, props: EcsRerunPipelineProps) {
    super(scope, id);
    const inputs = resolveInputs(props);
    const noticeInputs = resolveNoticeInputs(props);
    const { create, name, logRetentionDays, encoding, roles } = inputs;
    const { clusters } = props;
    this.packaging = { directory: props.packageDirectory, packages: this.packages };
    const base = countOf(create);
    const place = this.place();
    /** The name of one of its roles: region-qualified, fitted to IAM's 64 characters. */
    const roleName = (purpose: string) => regionalIamName([name, purpose], props.region ?? place.region);

    // Topic and its key.
    const notices = this.noticesTopic(props, inputs, place, base);
    this.kmsKeyArn = notices.kmsKeyArn;
    this.topic = notices.topic;
    const topicArn = attributeOf(this.topic, "arn");

    // Dead-letter queue for everything that could not be delivered.
    this.deadLetterQueue = new SqsQueue(this, "dlq", { count: base, name: `${name}-dlq`, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
    const dlqArn = attributeOf(this.deadLetterQueue, "arn");

    // The shared launch clock the reruns take their turns on.
    const pacerPresence = allOf(create, inputs.paceLaunches);
    if (pacerPresence !== false) this.launchPacer = new LaunchPacer(this, "launch-pacer", { name, presence: pacerPresence, encoding });

    // The hub part, when spokes forward to this pipeline (hub-bus.ts): nothing at all without them.
    const hub = resolveHubInputs(this, create, props.spokeClusters, props.spokeOrganizationId);
    const hubEnv = hub ? hubEnvironment(hub, place, name) : {};

    // Rerun Lambda.
    const { taskDefinitionFamilies, passRoleArns, retryableStoppedReasons } = props;
    const pacerEnv = this.launchPacer?.environment(inputs.launchesPerSecond);
    // ECS infrastructure roles of managed EBS volumes: nothing at all without them.
    checkInfrastructureRoleArns(props.infrastructureRoleArns);
    const infrastructure = { arns: props.infrastructureRoleArns, presence: infrastructureRolesPresence(create, props.infrastructureRoleArns) };
    const environment = { ...(hubEnv.literal ? { ...pacerEnv, ...hubEnv.literal } : pacerEnv), ...infrastructureRolesEnvironment(infrastructure.arns), ...noticeInputs.rerunEnvironment };
    const rerun = addRerunFunction(this, {
      inputs,
      clusters,
      taskDefinitionFamilies,
      passRoleArns,
      retryableStoppedReasons,
      place,
      region: props.region,
      roleName: roleName("rerun"),
      roles,
      count: base,
      packaging: this.packaging,
      environment,
      moreEnvironment: hubEnv.computed,
      otherInlinePolicies: [
        ...rerunRoleOtherPolicies(pacerPresence, hub && { presence: hub.presence, chars: spokeAssumePolicyChars(hub, place, name) }),
        ...infrastructureRolesBudget(infrastructure.presence, infrastructure.arns),
      ],
    });
    if (infrastructure.arns !== undefined) addInfrastructureRolesPolicy(this, { role: rerun.role, roleArns: infrastructure.arns, presence: infrastructure.presence, encoding });
    this.launchPacer?.allow(rerun.role);
    if (hub) {
      addSpokeAssumeRolePolicy(this, hub, { role: rerun.role, place, name, encoding });
      this.launchPacer?.allowSpokeClocks(rerun.role, allOf(pacerPresence, hub.presence));
    }
    this.rerunRole = rerun.role;
    this.rerunFunction = rerun.fn;
    const rerunFunctionArn = attributeOf(this.rerunFunction, "arn");

    // Slack notifier: a webhook, or a bot token and channel (notify-inputs.ts).
    const slack = slackInputs(create, inputs.slackParameter, props.slackBotTokenParameterName, props.slackChannelId);
    let notifier: SlackNotifier | undefined;
    if (slack !== undefined) {
      notifier = addSlackNotifier(this, {
        name,
        presence: slack.presence,
        place,
        roleName: roleName("notifier"),
        roles,
        slack,
        digestAbovePerMinute: noticeInputs.digestAbovePerMinute,
        slackWebhookKmsKeyArn: props.slackWebhookKmsKeyArn,
        topicArn,
        deadLetterQueueArn: dlqArn,
        logRetentionDays,
        encoding,
        packaging: this.packaging,
      });
      this.notifierFunction = notifier.fn;
      this.noticeStorm = notifier.storm;
    }

    // State machine.
    this.stateMachine = this.rerunStateMachine(inputs, place, roleName("state-machine"), base, rerunFunctionArn, topicArn, noticeInputs.quietSteps);
    const stateMachineArn = attributeOf(this.stateMachine, "arn");

    // Starter: one named execution per failure.
    this.starterFunction = addStarterFunction(this, { name, count: base, place, roleName: roleName("starter"), roles, stateMachineArn, deadLetterQueueArn: dlqArn, logRetentionDays, encoding, packaging: this.packaging });

    // Detection, and the dead-letter queue's policy naming its rules.
    const { ignoreStartedBy, catchFailedToStart, reportProgramFailures } = inputs;
    const detection = addDetectionRules(this, {
      name,
      create,
      clusters,
      ignoreStartedBy,
      catchFailedToStart,
      reportProgramFailures,
      place,
      starterFunctionArn: attributeOf(this.starterFunction, "arn"),
      starterFunctionName: attributeOf(this.starterFunction, "function_name"),
      deadLetterQueueArn: dlqArn,
    });
    this.rule = detection.rule;
    this.eventPattern = detection.eventPattern;
    this.eventPatterns = detection.eventPatterns;
    this.moreRules = detection.moreRules;
    this.taskStateRule = detection.taskStateRule;
    this.moreTaskStateRules = detection.moreTaskStateRules;
    let ruleArns = detection.ruleArns;
    if (hub) {
      const hubBus = addHubBus(this, hub, {
        name,
        place,
        encoding,
        starterFunctionArn: attributeOf(this.starterFunction, "arn"),
        starterFunctionName: attributeOf(this.starterFunction, "function_name"),
        deadLetterQueueArn: dlqArn,
      });
      this.hubBus = hubBus.bus;
      this.hubBusPolicy = hubBus.policy;
      this.spokeRule = hubBus.rule;
      this.moreSpokeRules = hubBus.moreRules;
      this.spokeUnmatchedRule = hubBus.unmatchedRule;
      this.spokeEventPatterns = hubBus.eventPatterns;
      ruleArns = withHubRuleArns(ruleArns, hubBus, hub.presence !== create);
    }
    this.deadLetterQueuePolicy(base, ruleArns, topicArn, encoding);

    // Trail, when asked for.
    const trailPresence = allOf(create, presenceOf(props.createTrail, false));
    if (trailPresence !== false) {
      this.trail = new ManagementEventsTrail(this, "trail", { name: `${name}-management-events`, place, presence: trailPresence, forceDestroy: props.trailForceDestroy });
    }

    // Alarms.
    const alarmsPresence = allOf(create, presenceOf(props.createAlarms, true));
    if (alarmsPresence !== false) {
      const { deadLetterQueue, rerunFunction } = this;
      const alarmActions = props.alarmActions ?? [];
      Object.assign(this.alarms, addPipelineAlarms(this, { name, presence: alarmsPresence, topicArn, alarmActions, stateMachineArn, deadLetterQueue, rerunFunction }));
      if (notifier) {
        const actions = Token.isUnresolved(alarmActions) ? Token.asList(Fn.concat([[topicArn], alarmActions as string[]])) : [topicArn, ...alarmActions];
        Object.assign(this.alarms, notifier.storm.alarms(notifier.logGroupName, { presence: allOf(alarmsPresence, slack!.presence), actions }));
      }
    }
    if (this.launchPacer) {
      const extra = props.alarmActions ?? [];
      const actions = Token.isUnresolved(extra) ? Token.asList(Fn.concat([[topicArn], extra as string[]])) : [topicArn, ...extra];
      const alarm = this.launchPacer.watch(attributeOf(rerun.logs, "name"), alarmsPresence === false ? undefined : { presence: allOf(alarmsPresence, pacerPresence), actions });
      if (alarm) this.alarms.launchPacerFailures = alarm;
    }

    // The second path: the reconciler, on its schedule.
    const reconcilePresence = reconcilerPresence(create, inputs.reconcileEveryMinutes);
    if (reconcilePresence !== false) {
      const extra = props.alarmActions ?? [];
      const actions = Token.isUnresolved(extra) ? Token.asList(Fn.concat([[topicArn], extra as string[]])) : [topicArn, ...extra];
      this.reconciler = new Reconciler(this, "reconciler", {
        name,
        presence: reconcilePresence,
        everyMinutes: inputs.reconcileEveryMinutes,
        place,
        roleName: roleName("reconciler"),
        roles,
        stateMachineArn,
        clusters,
        ignoreStartedBy,
        catchFailedToStart,
        reportProgramFailures,
        logRetentionDays,
        encoding,
        packaging: this.packaging,
        ...(hub ? { hub: { spokeClusters: hub.spokeClusters, roleArnPattern: sweepRoleArnPattern(place.partition, name), assumePolicy: sweepAssumePolicy(hub, place, name, encoding) } } : {}),
        ...(alarmsPresence !== false ? { alarms: { presence: alarmsPresence, actions } } : {}),
      });
    }

    // Missed-run alarms.
    const expectedRuns = inputs.expectedRuns;
    if (Token.isUnresolved(expectedRuns) || (expectedRuns as readonly ExpectedRun[]).length > 0) {
      // The third way a job goes missing: it was never invoked. Only the absence of a success shows it.
      this.missedRuns = new MissedRunAlarms(this, "missed-runs", {
        name,
        clusters,
        expectedRuns,
        topicArn,
        logRetentionDays,
        presence: create,
        alarmActions: props.alarmActions,
        place,
        roleName: roleName("run-counter"),
        roles,
        encoding,
        packaging: this.packaging,
      });
    }

    // What it found, by which path, how each failure ended: the dashboard and the filters it draws.
    const dashboardPresence = allOf(create, presenceOf(props.createDashboard, true));
    if (dashboardPresence !== false) {
      const starterLogs = this.node.findChild("starter-logs") as CloudwatchLogGroup;
      this.dashboard = new PipelineDashboard(this, "dashboard", {
        name,
        region: props.region ?? place.region,
        stateMachineArn,
        deadLetterQueueName: attributeOf(this.deadLetterQueue, "name"),
        presence: dashboardPresence,
        logGroups: { starter: attributeOf(starterLogs, "name"), rerun: attributeOf(rerun.logs, "name") },
        paced: pacerPresence,
        missedRunAlarmArns: this.missedRuns?.alarmArns,
        encoding,
      });
    }

    // Always a destination (notice-destinations.ts): refused at synth, or warned at plan, unless allowed.
    const verdict = destinationVerdict({
      create,
      slackParameter: inputs.slackParameter,
      emails: inputs.notificationEmails,
      alarmActions: props.alarmActions ?? [],
      alarms: alarmsPresence,
      allowNoDestination: presenceOf(props.allowNoDestination, false),
    });
    requireDestination(this, verdict, PIPELINE_NO_DESTINATION, this.topic);
  }

  /** Where the pipeline runs, read by Terraform. */
  private place(): AwsPlace {
    return {
      partition: new DataAwsPartition(this, "partition").partition,
      region: new DataAwsRegion(this, "region").region,
      account: new DataAwsCallerIdentity(this, "account").accountId,
    };
  }

  /** The notices topic, its key (created unless one was given) and its email subscriptions. */
  private noticesTopic(props: EcsRerunPipelineProps, inputs: PipelineInputs, place: AwsPlace, base: number | undefined): { topic: SnsTopic; kmsKeyArn: string } {
    const { create, name, notificationEmails } = inputs;
    const keyPresence = allOf(create, isUnset(props.kmsKeyArn));
    let createdKeyArn: string | undefined;
    if (keyPresence !== false) {
      const count = countOf(keyPresence);
      const key = new KmsKey(this, "key", {
        count,
        description: `${name}: encrypts rerun notices`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: topicKeyPolicy(place),
      });
      new KmsAlias(this, "key-alias", { count, name: `alias/${name}`, targetKeyId: attributeOf(key, "key_id") });
      createdKeyArn = attributeOf(key, "arn");
    }
    let kmsKeyArn: string;
    if (createdKeyArn === undefined) kmsKeyArn = props.kmsKeyArn!;
    else if (props.kmsKeyArn === undefined) kmsKeyArn = createdKeyArn;
    else kmsKeyArn = Token.asString(conditional(isSet(props.kmsKeyArn), props.kmsKeyArn, createdKeyArn));
    const topic = new SnsTopic(this, "topic", { count: base, name: `${name}-notices`, kmsMasterKeyId: kmsKeyArn });
    const topicArn = attributeOf(topic, "arn");
    if (Token.isUnresolved(notificationEmails)) {
      // One subscription per address, keyed by it: adding an address leaves the others alone.
      const each = TerraformIterator.fromList(create === true ? (notificationEmails as string[]) : Token.asList(conditional(create, notificationEmails, [])));
      new SnsTopicSubscription(this, "email", { forEach: each, topicArn, protocol: "email", endpoint: Token.asString(each.value) });
    } else {
      for (const [i, email] of notificationEmails.entries()) {
        new SnsTopicSubscription(this, `email-${i}`, { count: base, topicArn, protocol: "email", endpoint: email });
      }
    }
    return { topic, kmsKeyArn };
  }

  /** The Standard state machine that waits, reruns and notifies, with its logs and role. */
  private rerunStateMachine(inputs: PipelineInputs, place: AwsPlace, roleName: string, base: number | undefined, rerunFunctionArn: string, topicArn: string, quietSteps: boolean): SfnStateMachine {
    const { name, logRetentionDays, encoding, roles } = inputs;
    const sfnLogs = new CloudwatchLogGroup(this, "state-machine-logs", { count: base, name: `/aws/vendedlogs/states/${name}`, retentionInDays: logRetentionDays });
    const sfnRole = addRole(this, "state-machine-role", { count: base, name: roleName, assumeRolePolicy: assumeRolePolicy("states.amazonaws.com", { sourceAccount: place.account }) }, roles);
    new IamRolePolicy(this, "state-machine-policy", {
      count: base,
      name: "rerun-and-notify",
      role: attributeOf(sfnRole, "id"),
      policy: policyDocument(
        stateMachineStatements({ rerunFunctionArn, topicArn, kmsKeyArn: this.kmsKeyArn, metricNamespace: NOTICE_FAILURE_METRIC.namespace, deadLetterQueueArn: attributeOf(this.deadLetterQueue, "arn") }),
        encoding,
      ),
    });
    return new SfnStateMachine(this, "state-machine", {
      count: base,
      name,
      type: "STANDARD",
      roleArn: attributeOf(sfnRole, "arn"),
      definition: JSON.stringify(rerunStateMachineDefinition({ rerunFunctionArn, topicArn, deadLetterQueueUrl: attributeOf(this.deadLetterQueue, "url"), metricDimension: name, ...(quietSteps ? { quietSteps } : {}) })),
      loggingConfiguration: { logDestination: `${attributeOf(sfnLogs, "arn")}:*`, includeExecutionData: inputs.logExecutionData, level: inputs.stateMachineLogLevel },
    });
  }

  /** Lets the rules and the topic park what they could not deliver in the dead-letter queue. */
  private deadLetterQueuePolicy(base: number | undefined, ruleArns: string | string[], topicArn: string, documentEncoding: DocumentEncoding): void {
    const dlqArn = attributeOf(this.deadLetterQueue, "arn");
    // Split rules' ARNs are a Terraform list (a for_each block's), which only jsonencode can write.
    const encoding: DocumentEncoding = Array.isArray(ruleArns) && Token.isUnresolved(ruleArns) ? "jsonencode" : documentEncoding;
    new SqsQueuePolicy(this, "dlq-policy", {
      count: base,
      queueUrl: attributeOf(this.deadLetterQueue, "url"),
      policy: encodeDocument({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "UndeliveredRuleEvents",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: dlqArn,
            Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
          },
          {
            Sid: "UndeliveredNotices",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: dlqArn,
            Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
          },
        ],
      }, encoding),
    });
  }
}

/**
 * The detection rules' ARNs and the hub rules', for the dead-letter queue's policy. Literal lists stay
 * a list; a Terraform list among them (a for_each block's) is joined by `concat`, and a hub rule that
 * Terraform may switch off (`switched`) has a null ARN, which `compact` drops.
 */
function withHubRuleArns(detection: string | string[], hub: HubBus, switched: boolean): string | string[] {
  const lists = [Array.isArray(detection) ? detection : [detection], ...hub.ruleArnLists];
  if (!switched && lists.every((l) => !Token.isUnresolved(l))) return lists.flat();
  return concatRuleArns(lists, switched);
}
