import { Construct } from "constructs";
import { TerraformAsset, AssetType } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { launchFailurePattern } from "./event-pattern";
import { assumeRolePolicy, policyDocument } from "./iam";
import { buildLambdaPackage, type LambdaName } from "./lambda-package";
import { ManagementEventsTrail } from "./management-events-trail";
import {
  notifierFunctionStatements,
  rerunFunctionStatements,
  startExecutionStatements,
  stateMachineStatements,
  topicKeyPolicy,
  type AwsPlace,
} from "./pipeline-policies";
import { rerunStateMachineDefinition } from "./rerun-state-machine";

/** Default reasons worth a rerun: they describe a moment, not a configuration. */
export const DEFAULT_RETRYABLE_REASONS = ["AGENT", "RESOURCE:*", "Capacity is unavailable at this time*"] as const;
/** Default `startedBy` values left alone: those callers retry on their own. */
export const DEFAULT_IGNORE_STARTED_BY = ["AWS Step Functions"] as const;

/** Props of {@link EcsRerunPipeline}. Every input is a plain string, number, boolean or list. */
export interface EcsRerunPipelineProps {
  /** Protected clusters: short names or ARNs, in this account and region. */
  readonly clusters: readonly string[];
  /** Prefix of every resource name. @default "ecs-rerun" */
  readonly name?: string;
  /** Failure reasons that are rerun; a trailing `*` matches a prefix. @default DEFAULT_RETRYABLE_REASONS */
  readonly retryableReasons?: readonly string[];
  /** Reruns before giving up. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before the first rerun, in seconds (the cap of its jitter). @default 30 */
  readonly firstDelaySeconds?: number;
  /** Factor by which each wait's cap grows. @default 2 */
  readonly backoffRate?: number;
  /** Largest wait, in seconds. @default 300 */
  readonly maxDelaySeconds?: number;
  /** "FULL": each wait is uniform in [0, cap]; "NONE": the cap itself. @default "FULL" */
  readonly jitter?: "FULL" | "NONE";
  /** `startedBy` values whose failed calls are not rerun. @default DEFAULT_IGNORE_STARTED_BY */
  readonly ignoreStartedBy?: readonly string[];
  /** Name of the SSM SecureString holding the Slack webhook URL; unset means no Slack notifier. @default undefined */
  readonly slackWebhookParameterName?: string;
  /** Customer-managed KMS key of that parameter, if it does not use `aws/ssm`. @default undefined */
  readonly slackWebhookKmsKeyArn?: string;
  /** Email addresses subscribed to the notices (each must confirm). @default [] */
  readonly notificationEmails?: readonly string[];
  /** KMS key encrypting the topic; unset creates one. @default undefined */
  readonly kmsKeyArn?: string;
  /** Task definition families the pipeline may rerun; empty means any family of the account. @default [] */
  readonly taskDefinitionFamilies?: readonly string[];
  /** Roles the rerun may pass to tasks (the original tasks' roles). @default every role of the account */
  readonly passRoleArns?: readonly string[];
  /** Days logs are kept. @default 30 */
  readonly logRetentionDays?: number;
  /** Create a CloudTrail trail logging management events (needed once per account and region). @default false */
  readonly createTrail?: boolean;
  /** Create the alarms. @default true */
  readonly createAlarms?: boolean;
}

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function check(ok: boolean, name: string, value: unknown, allowed: string): void {
  if (!ok) throw new Error(`${name} = ${JSON.stringify(value)} is invalid: ${allowed}`);
}

const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

/**
 * The rerun pipeline: an EventBridge rule on CloudTrail records of rejected RunTask/StartTask calls
 * -> a Standard state machine -> a Lambda that reruns with the original request -> an encrypted SNS
 * topic -> a Lambda that tells Slack, with a dead-letter queue and alarms so nothing is lost quietly.
 */
export class EcsRerunPipeline extends Construct {
  /** The rule catching rejected launches. */
  public readonly rule: CloudwatchEventRule;
  /** The state machine that waits, reruns and notifies. */
  public readonly stateMachine: SfnStateMachine;
  /** The Lambda that classifies and reruns. */
  public readonly rerunFunction: LambdaFunction;
  /** Its role: the one whose calls the rule ignores. */
  public readonly rerunRole: IamRole;
  /** The topic of structured notices. */
  public readonly topic: SnsTopic;
  /** The topic's key (created unless one was given). */
  public readonly kmsKeyArn: string;
  /** The Slack notifier, when a webhook parameter is configured. */
  public readonly notifierFunction?: LambdaFunction;
  /** Where undeliverable events and notices end up. */
  public readonly deadLetterQueue: SqsQueue;
  /** The alarms, by role (executionsFailed, deadLetters, rerunErrors, notifierErrors). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The event pattern the rule uses, as data. */
  public readonly eventPattern: Record<string, unknown>;
  /** The trail, when created. */
  public readonly trail?: ManagementEventsTrail;

  constructor(scope: Construct, id: string, props: EcsRerunPipelineProps) {
    super(scope, id);
    const name = props.name ?? "ecs-rerun";
    check(/^[a-zA-Z0-9-]{1,40}$/.test(name), "name", name, "expected 1-40 letters, digits or dashes");
    check(props.clusters.length > 0, "clusters", props.clusters, "expected at least one cluster name or ARN");
    for (const c of props.clusters) {
      check(/^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/.test(c), "clusters[]", c, "expected a cluster name or cluster ARN");
    }
    const retryableReasons = props.retryableReasons ?? DEFAULT_RETRYABLE_REASONS;
    check(retryableReasons.every((r) => r.trim() !== ""), "retryableReasons", retryableReasons, "expected non-empty reasons");
    const maxAttempts = props.maxAttempts ?? 3;
    check(isInt(maxAttempts, 1, 10), "maxAttempts", maxAttempts, "expected a whole number from 1 to 10");
    const firstDelaySeconds = props.firstDelaySeconds ?? 30;
    check(isInt(firstDelaySeconds, 0, 3600), "firstDelaySeconds", firstDelaySeconds, "expected a whole number from 0 to 3600");
    const backoffRate = props.backoffRate ?? 2;
    check(backoffRate >= 1 && backoffRate <= 10, "backoffRate", backoffRate, "expected a number from 1 to 10");
    const maxDelaySeconds = props.maxDelaySeconds ?? 300;
    check(isInt(maxDelaySeconds, 1, 86400) && maxDelaySeconds >= firstDelaySeconds, "maxDelaySeconds", maxDelaySeconds, `expected a whole number from max(1, firstDelaySeconds=${firstDelaySeconds}) to 86400`);
    const jitter = props.jitter ?? "FULL";
    check(jitter === "FULL" || jitter === "NONE", "jitter", jitter, 'expected "FULL" or "NONE"');
    const ignoreStartedBy = props.ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY;
    const logRetentionDays = props.logRetentionDays ?? 30;
    check(LOG_RETENTION_DAYS.includes(logRetentionDays), "logRetentionDays", logRetentionDays, `expected one of ${LOG_RETENTION_DAYS.join(", ")}`);
    const notificationEmails = props.notificationEmails ?? [];
    for (const e of notificationEmails) check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), "notificationEmails[]", e, "expected an email address");
    const slackParameter = props.slackWebhookParameterName;
    if (slackParameter !== undefined) {
      check(/^\/?[a-zA-Z0-9_.\-/]{1,2011}$/.test(slackParameter) && !/^https?:/.test(slackParameter), "slackWebhookParameterName", slackParameter, "expected the NAME of an SSM SecureString (the URL itself never goes into config)");
    }
    const createAlarms = props.createAlarms ?? true;

    const place: AwsPlace = {
      partition: new DataAwsPartition(this, "partition").partition,
      region: new DataAwsRegion(this, "region").name,
      account: new DataAwsCallerIdentity(this, "account").accountId,
    };

    // Topic and its key.
    if (props.kmsKeyArn !== undefined) {
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      const key = new KmsKey(this, "key", {
        description: `${name}: encrypts rerun notices`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: topicKeyPolicy(place),
      });
      new KmsAlias(this, "key-alias", { name: `alias/${name}`, targetKeyId: key.keyId });
      this.kmsKeyArn = key.arn;
    }
    this.topic = new SnsTopic(this, "topic", { name: `${name}-notices`, kmsMasterKeyId: this.kmsKeyArn });
    for (const [i, email] of notificationEmails.entries()) {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    }

    // Dead-letter queue for everything that could not be delivered.
    this.deadLetterQueue = new SqsQueue(this, "dlq", { name: `${name}-dlq`, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });

    // Rerun Lambda.
    const rerunLogs = new CloudwatchLogGroup(this, "rerun-logs", { name: `/aws/lambda/${name}-rerun`, retentionInDays: logRetentionDays });
    this.rerunRole = new IamRole(this, "rerun-role", {
      name: `${name}-rerun`,
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "rerun-policy", {
      name: "rerun-on-protected-clusters",
      role: this.rerunRole.id,
      policy: policyDocument(
        rerunFunctionStatements({
          place,
          clusters: props.clusters,
          taskDefinitionFamilies: props.taskDefinitionFamilies ?? [],
          passRoleArns: props.passRoleArns ?? [`arn:${place.partition}:iam::${place.account}:role/*`],
          logGroupArn: rerunLogs.arn,
        }),
      ),
    });
    this.rerunFunction = this.lambda("rerun", `${name}-rerun`, this.rerunRole, rerunLogs, {
      RETRYABLE_REASONS: JSON.stringify(retryableReasons),
      MAX_ATTEMPTS: String(maxAttempts),
      FIRST_DELAY_SECONDS: String(firstDelaySeconds),
      BACKOFF_RATE: String(backoffRate),
      MAX_DELAY_SECONDS: String(maxDelaySeconds),
      JITTER: jitter,
    });

    // Slack notifier.
    if (slackParameter !== undefined) {
      const notifierLogs = new CloudwatchLogGroup(this, "notifier-logs", { name: `/aws/lambda/${name}-notifier`, retentionInDays: logRetentionDays });
      const notifierRole = new IamRole(this, "notifier-role", {
        name: `${name}-notifier`,
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }),
      });
      new IamRolePolicy(this, "notifier-policy", {
        name: "read-webhook-parameter",
        role: notifierRole.id,
        policy: policyDocument(
          notifierFunctionStatements({
            place,
            slackWebhookParameterName: slackParameter,
            slackWebhookKmsKeyArn: props.slackWebhookKmsKeyArn,
            deadLetterQueueArn: this.deadLetterQueue.arn,
            logGroupArn: notifierLogs.arn,
          }),
        ),
      });
      // The parameter's NAME only: the URL is read at run time and never lands in state.
      const notifier = this.lambda("notifier", `${name}-notifier`, notifierRole, notifierLogs, {
        SLACK_WEBHOOK_PARAMETER: slackParameter,
        SLACK_TIMEOUT_MS: "5000",
      });
      // Slack down or slow: Lambda retries the SNS event twice, then parks it in the queue.
      new LambdaFunctionEventInvokeConfig(this, "notifier-retries", {
        functionName: notifier.functionName,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 21600,
        destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
      });
      new LambdaPermission(this, "notifier-from-sns", {
        statementId: "InvokeFromNoticesTopic",
        action: "lambda:InvokeFunction",
        functionName: notifier.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: this.topic.arn,
      });
      new SnsTopicSubscription(this, "notifier-subscription", {
        topicArn: this.topic.arn,
        protocol: "lambda",
        endpoint: notifier.arn,
        // If SNS itself cannot invoke the function, the notice is parked rather than dropped.
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn }),
      });
      this.notifierFunction = notifier;
    }

    // State machine.
    const sfnLogs = new CloudwatchLogGroup(this, "state-machine-logs", { name: `/aws/vendedlogs/states/${name}`, retentionInDays: logRetentionDays });
    const sfnRole = new IamRole(this, "state-machine-role", {
      name: `${name}-state-machine`,
      assumeRolePolicy: assumeRolePolicy("states.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "state-machine-policy", {
      name: "rerun-and-notify",
      role: sfnRole.id,
      policy: policyDocument(stateMachineStatements({ rerunFunctionArn: this.rerunFunction.arn, topicArn: this.topic.arn, kmsKeyArn: this.kmsKeyArn })),
    });
    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      name,
      type: "STANDARD",
      roleArn: sfnRole.arn,
      definition: JSON.stringify(rerunStateMachineDefinition({ rerunFunctionArn: this.rerunFunction.arn, topicArn: this.topic.arn })),
      loggingConfiguration: { logDestination: `${sfnLogs.arn}:*`, includeExecutionData: true, level: "ALL" },
    });

    // Detection.
    this.eventPattern = launchFailurePattern({ clusters: props.clusters, ignoreStartedBy, rerunRoleName: `${name}-rerun` });
    this.rule = new CloudwatchEventRule(this, "launch-failures", {
      name: `${name}-launch-failures`,
      description: "RunTask/StartTask calls on protected clusters that ECS answered with failures",
      eventPattern: JSON.stringify(this.eventPattern),
    });
    const eventsRole = new IamRole(this, "events-role", {
      name: `${name}-events`,
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "events-policy", {
      name: "start-rerun-executions",
      role: eventsRole.id,
      policy: policyDocument(startExecutionStatements(this.stateMachine.arn)),
    });
    new CloudwatchEventTarget(this, "launch-failures-target", {
      rule: this.rule.name,
      targetId: "rerun-state-machine",
      arn: this.stateMachine.arn,
      roleArn: eventsRole.arn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });
    new SqsQueuePolicy(this, "dlq-policy", {
      queueUrl: this.deadLetterQueue.url,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "UndeliveredRuleEvents",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: this.deadLetterQueue.arn,
            Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
          },
          {
            Sid: "UndeliveredNotices",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: this.deadLetterQueue.arn,
            Condition: { ArnEquals: { "aws:SourceArn": this.topic.arn } },
          },
        ],
      }),
    });

    if (props.createTrail ?? false) {
      this.trail = new ManagementEventsTrail(this, "trail", { name: `${name}-management-events`, place });
    }

    if (createAlarms) {
      const alarm = (id: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "evaluationPeriods" | "comparisonOperator" | "threshold" | "period">) => {
        this.alarms[id] = new CloudwatchMetricAlarm(this, `alarm-${id}`, {
          evaluationPeriods: 1,
          period: 300,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [this.topic.arn],
          ...config,
        });
      };
      alarm("executionsFailed", {
        alarmName: `${name}-gave-up`,
        alarmDescription: "A rerun execution failed: a scheduled task could not be launched (gave up) or its event was invalid.",
        namespace: "AWS/States",
        metricName: "ExecutionsFailed",
        dimensions: { StateMachineArn: this.stateMachine.arn },
        statistic: "Sum",
      });
      alarm("deadLetters", {
        alarmName: `${name}-dead-letters`,
        alarmDescription: "An event or notice could not be delivered and waits in the dead-letter queue.",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: this.deadLetterQueue.name },
        statistic: "Maximum",
      });
      alarm("rerunErrors", {
        alarmName: `${name}-rerun-errors`,
        alarmDescription: "The rerun Lambda failed.",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.rerunFunction.functionName },
        statistic: "Sum",
      });
      if (this.notifierFunction) {
        alarm("notifierErrors", {
          alarmName: `${name}-notifier-errors`,
          alarmDescription: "The Slack notifier failed (it retries; undelivered notices go to the dead-letter queue).",
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: this.notifierFunction.functionName },
          statistic: "Sum",
        });
      }
    }
  }

  private lambda(kind: LambdaName, functionName: string, role: IamRole, logs: CloudwatchLogGroup, environment: Record<string, string>): LambdaFunction {
    const pkg = buildLambdaPackage(kind);
    const asset = new TerraformAsset(this, `${kind}-package`, { path: pkg.zipPath, type: AssetType.FILE });
    return new LambdaFunction(this, `${kind}-function`, {
      functionName,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: pkg.sourceCodeHash,
      memorySize: 256,
      timeout: 30,
      environment: { variables: { NODE_OPTIONS: "--enable-source-maps", ...environment } },
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
      dependsOn: [logs],
    });
  }
}
