import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset, TerraformIterator, TerraformLocal, Token, conditional, type IResolvable } from "cdktf";
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
import { launchFailurePattern, launchFailurePatternExpression } from "./launch-failure-pattern";
import { hcl, holdsTokens } from "../hcl/hcl-expression";
import { assumeRolePolicy, encodeDocument, policyDocument, type DocumentEncoding } from "../iam";
import { buildLambdaPackage, type LambdaName, type LambdaPackage } from "./lambda-package";
import { ManagementEventsTrail } from "./management-events-trail";
import {
  decryptParameterStatements,
  notifierFunctionStatements,
  rerunFunctionStatements,
  startExecutionStatements,
  stateMachineStatements,
  topicKeyPolicy,
  type AwsPlace,
} from "./pipeline-policies";
import { allOf, anyOf, attributeOf, countOf, isSet, isUnset, presenceOf, type Presence } from "../hcl/presence";
import { rerunStateMachineDefinition } from "./rerun-state-machine";
import { MissedRunAlarms } from "./missed-run-alarms";
import type { ExpectedRun } from "./missed-run";
import { taskStateFailurePattern, taskStateFailurePatternExpression } from "./task-state-pattern";
import { DEFAULT_RETRYABLE_REASONS } from "../../lambda/rerun/config";

/** Default reasons worth a rerun: they describe a moment, not a configuration (the Lambda's own defaults). */
export { DEFAULT_RETRYABLE_REASONS };
/** Default `startedBy` values left alone: those callers retry on their own. */
export const DEFAULT_IGNORE_STARTED_BY = ["AWS Step Functions"] as const;

/**
 * What the inputs may be. The construct checks literal inputs against these; the Terraform module
 * turns them into `validation` blocks, so both refuse the same values. Patterns are valid in
 * JavaScript and in Terraform's RE2 alike.
 */
export const INPUT_LIMITS = {
  namePattern: "^[a-zA-Z0-9-]{1,40}$",
  clusterPattern: "^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/)?[A-Za-z0-9_-]{1,255}$",
  emailPattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
  // RE2 refuses repetition counts above 1000, so the name's length is a check of its own.
  parameterNamePattern: "^/?[a-zA-Z0-9_./-]+$",
  parameterNameMaxLength: 2011,
  maxAttempts: { min: 1, max: 10 },
  firstDelaySeconds: { min: 0, max: 3600 },
  backoffRate: { min: 1, max: 10 },
  maxDelaySeconds: { min: 1, max: 86400 },
  jitter: ["FULL", "NONE"],
  logRetentionDays: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  verifyIntervalSeconds: { min: 0, max: 3600 },
  verifyTimeoutSeconds: { min: 60, max: 86400 },
  familyPattern: "^[A-Za-z0-9_-]{1,255}$",
} as const;

/**
 * Props of {@link EcsRerunPipeline}. Every input is a plain value, or a Terraform expression (a cdktf
 * token such as a `TerraformVariable`'s value) when Terraform decides it, as in the Terraform module.
 */
export interface EcsRerunPipelineProps {
  /** Whether to create anything: `true`, or a Terraform bool expression that count-switches every resource. @default true */
  readonly create?: boolean | IResolvable;
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
  /** Name of the SSM SecureString holding the Slack webhook URL; unset (or an expression that is null) means no Slack notifier. @default undefined */
  readonly slackWebhookParameterName?: string;
  /** Customer-managed KMS key of that parameter, if it does not use `aws/ssm`. @default undefined */
  readonly slackWebhookKmsKeyArn?: string;
  /** Email addresses subscribed to the notices (each must confirm). @default [] */
  readonly notificationEmails?: readonly string[];
  /** KMS key encrypting the topic; unset (or an expression that is null) creates one. @default undefined */
  readonly kmsKeyArn?: string;
  /** Task definition families the pipeline may rerun; empty means any family of the account. @default [] */
  readonly taskDefinitionFamilies?: readonly string[];
  /** Roles the rerun may pass to tasks (the original tasks' roles); an expression that is null means every role of the account. @default every role of the account */
  readonly passRoleArns?: readonly string[];
  /** Days logs are kept. @default 30 */
  readonly logRetentionDays?: number;
  /** Create a CloudTrail trail logging management events (needed once per account and region). @default false */
  readonly createTrail?: boolean | IResolvable;
  /** Create the alarms. @default true */
  readonly createAlarms?: boolean | IResolvable;
  /** Catch tasks that were accepted but stopped before starting (`TaskFailedToStart`) and rerun them. @default true */
  readonly catchFailedToStart?: boolean | IResolvable;
  /** Report tasks that started and exited non-zero (program failures; never rerun unless listed below). @default true */
  readonly reportProgramFailures?: boolean | IResolvable;
  /** Task definition families whose program failures are rerun instead of only reported. @default [] */
  readonly rerunProgramFailureFamilies?: readonly string[];
  /** Stopped reasons worth a rerun, as case-insensitive globs. @default the rerun Lambda's list (capacity, agent, image-pull and ENI timeouts) */
  readonly retryableStoppedReasons?: readonly string[];
  /** Seconds between a rerun and the check that its tasks started; 0 counts placed tasks as started. @default 30 */
  readonly verifyIntervalSeconds?: number;
  /** Seconds a rerun's tasks may take to start before the pipeline gives up. @default 900 */
  readonly verifyTimeoutSeconds?: number;
  /**
   * Jobs that must succeed once per interval; each gets a missed-run alarm (a dead man's switch). A
   * Terraform expression is a list of objects `{ name, family, started_by, interval_seconds, grace_seconds }`,
   * as the module's `expected_runs` holds them. @default []
   */
  readonly expectedRuns?: readonly ExpectedRun[] | IResolvable;
  /**
   * Where Terraform reads the Lambda zips, e.g. `${path.module}/lambda` in a module: each function
   * then takes `<directory>/<name>.zip`, hashed by Terraform, and whoever ships the configuration
   * copies {@link EcsRerunPipeline.packages} there. Unset: the zips are cdktf assets. @default undefined
   */
  readonly packageDirectory?: string;
}

/** Refuses a literal value that is not allowed; a Terraform expression is left to Terraform's validation. */
function check<T>(value: T, name: string, ok: (v: T) => boolean, allowed: string): void {
  if (!Token.isUnresolved(value) && !ok(value)) throw new Error(`${name} = ${JSON.stringify(value)} is invalid: ${allowed}`);
}

/** Literal list elements, each checked on its own (a Terraform list as a whole is not). */
const literalItems = <T>(list: readonly T[]): readonly T[] => (Token.isUnresolved(list) ? [] : list);

const isInt = (v: number, limit: { min: number; max: number }) => Number.isInteger(v) && v >= limit.min && v <= limit.max;

/** A number or list as Lambda's environment wants it: a string, written now or by Terraform. */
const numberText = (v: number) => (Token.isUnresolved(v) ? Token.asString(v) : String(v));
const jsonText = (v: unknown) => (holdsTokens(v) ? Token.asString(Fn.jsonencode(v)) : JSON.stringify(v));

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
  /** The Slack notifier, when a webhook parameter is configured (or may be, by a Terraform expression). */
  public readonly notifierFunction?: LambdaFunction;
  /** Where undeliverable events and notices end up. */
  public readonly deadLetterQueue: SqsQueue;
  /** The alarms, by role (executionsFailed, deadLetters, rerunErrors, notifierErrors). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The event pattern the rule uses, as data; undefined when Terraform computes it from expressions. */
  public readonly eventPattern?: Record<string, unknown>;
  /** The trail, when created (or when a Terraform expression decides). */
  public readonly trail?: ManagementEventsTrail;
  /** The rule catching tasks that stopped before starting (and program failures), when enabled (or when Terraform expressions decide). */
  public readonly taskStateRule?: CloudwatchEventRule;
  /** The missed-run alarms (dead man's switch), when expected runs are given (or a Terraform expression gives them). */
  public readonly missedRuns?: MissedRunAlarms;
  /** The Lambda packages, by function, to copy into `packageDirectory` when one is set. */
  public readonly packages: Partial<Record<LambdaName, LambdaPackage>> = {};

  private readonly packageDirectory?: string;

  constructor(scope: Construct, id: string, props: EcsRerunPipelineProps) {
    super(scope, id);
    const L = INPUT_LIMITS;
    const create = presenceOf(props.create, true);
    if (create === false) throw new Error("create = false is invalid: expected true or a Terraform expression (to create nothing, leave the construct out)");
    const name = props.name ?? "ecs-rerun";
    check(name, "name", (v) => new RegExp(L.namePattern).test(v), "expected 1-40 letters, digits or dashes");
    check(props.clusters, "clusters", (v) => v.length > 0, "expected at least one cluster name or ARN");
    for (const c of literalItems(props.clusters)) check(c, "clusters[]", (v) => new RegExp(L.clusterPattern).test(v), "expected a cluster name or cluster ARN");
    const retryableReasons = props.retryableReasons ?? DEFAULT_RETRYABLE_REASONS;
    for (const r of literalItems(retryableReasons)) check(r, "retryableReasons[]", (v) => v.trim() !== "", "expected a non-empty reason");
    const maxAttempts = props.maxAttempts ?? 3;
    check(maxAttempts, "maxAttempts", (v) => isInt(v, L.maxAttempts), "expected a whole number from 1 to 10");
    const firstDelaySeconds = props.firstDelaySeconds ?? 30;
    check(firstDelaySeconds, "firstDelaySeconds", (v) => isInt(v, L.firstDelaySeconds), "expected a whole number from 0 to 3600");
    const backoffRate = props.backoffRate ?? 2;
    check(backoffRate, "backoffRate", (v) => v >= L.backoffRate.min && v <= L.backoffRate.max, "expected a number from 1 to 10");
    const maxDelaySeconds = props.maxDelaySeconds ?? 300;
    const delaysKnown = !Token.isUnresolved(firstDelaySeconds) && !Token.isUnresolved(maxDelaySeconds);
    check(maxDelaySeconds, "maxDelaySeconds", (v) => isInt(v, L.maxDelaySeconds) && (!delaysKnown || v >= firstDelaySeconds), `expected a whole number from max(1, firstDelaySeconds=${firstDelaySeconds}) to 86400`);
    const jitter = props.jitter ?? "FULL";
    check(jitter, "jitter", (v) => (L.jitter as readonly string[]).includes(v), 'expected "FULL" or "NONE"');
    const ignoreStartedBy = props.ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY;
    const logRetentionDays = props.logRetentionDays ?? 30;
    check(logRetentionDays, "logRetentionDays", (v) => (L.logRetentionDays as readonly number[]).includes(v), `expected one of ${L.logRetentionDays.join(", ")}`);
    const notificationEmails = props.notificationEmails ?? [];
    for (const e of literalItems(notificationEmails)) check(e, "notificationEmails[]", (v) => new RegExp(L.emailPattern).test(v), "expected an email address");
    const slackParameter = props.slackWebhookParameterName;
    if (slackParameter !== undefined) {
      check(
        slackParameter,
        "slackWebhookParameterName",
        (v) => new RegExp(L.parameterNamePattern).test(v) && v.length <= L.parameterNameMaxLength && !/^https?:/.test(v),
        "expected the NAME of an SSM SecureString (the URL itself never goes into config)",
      );
    }
    const catchFailedToStart = presenceOf(props.catchFailedToStart, true);
    const reportProgramFailures = presenceOf(props.reportProgramFailures, true);
    const rerunProgramFailureFamilies = props.rerunProgramFailureFamilies ?? [];
    for (const f of literalItems(rerunProgramFailureFamilies)) check(f, "rerunProgramFailureFamilies[]", (v) => new RegExp(L.familyPattern).test(v), "expected a task definition family name");
    for (const r of literalItems(props.retryableStoppedReasons ?? [])) check(r, "retryableStoppedReasons[]", (v) => v.trim() !== "", "expected a non-empty reason");
    const verifyIntervalSeconds = props.verifyIntervalSeconds ?? 30;
    check(verifyIntervalSeconds, "verifyIntervalSeconds", (v) => isInt(v, L.verifyIntervalSeconds), "expected a whole number from 0 (no check) to 3600");
    const verifyTimeoutSeconds = props.verifyTimeoutSeconds ?? 900;
    const verifyKnown = !Token.isUnresolved(verifyIntervalSeconds) && !Token.isUnresolved(verifyTimeoutSeconds);
    check(verifyTimeoutSeconds, "verifyTimeoutSeconds", (v) => isInt(v, L.verifyTimeoutSeconds) && (!verifyKnown || v >= verifyIntervalSeconds), `expected a whole number from max(60, verifyIntervalSeconds) to 86400`);
    const expectedRuns = props.expectedRuns ?? [];
    this.packageDirectory = props.packageDirectory;
    // Expressions inside JSON text would break it as soon as they hold a string literal or a list.
    const encoding: DocumentEncoding = holdsTokens(props) ? "jsonencode" : "json";
    const base = countOf(create);

    const place: AwsPlace = {
      partition: new DataAwsPartition(this, "partition").partition,
      region: new DataAwsRegion(this, "region").name,
      account: new DataAwsCallerIdentity(this, "account").accountId,
    };

    // Topic and its key.
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
    if (createdKeyArn === undefined) this.kmsKeyArn = props.kmsKeyArn!;
    else if (props.kmsKeyArn === undefined) this.kmsKeyArn = createdKeyArn;
    else this.kmsKeyArn = Token.asString(conditional(isSet(props.kmsKeyArn), props.kmsKeyArn, createdKeyArn));
    this.topic = new SnsTopic(this, "topic", { count: base, name: `${name}-notices`, kmsMasterKeyId: this.kmsKeyArn });
    const topicArn = attributeOf(this.topic, "arn");
    if (Token.isUnresolved(notificationEmails)) {
      // One subscription per address, keyed by it: adding an address leaves the others alone.
      const each = TerraformIterator.fromList(create === true ? (notificationEmails as string[]) : Token.asList(conditional(create, notificationEmails, [])));
      new SnsTopicSubscription(this, "email", { forEach: each, topicArn, protocol: "email", endpoint: Token.asString(each.value) });
    } else {
      for (const [i, email] of notificationEmails.entries()) {
        new SnsTopicSubscription(this, `email-${i}`, { count: base, topicArn, protocol: "email", endpoint: email });
      }
    }

    // Dead-letter queue for everything that could not be delivered.
    this.deadLetterQueue = new SqsQueue(this, "dlq", { count: base, name: `${name}-dlq`, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
    const dlqArn = attributeOf(this.deadLetterQueue, "arn");

    // Rerun Lambda.
    const rerunLogs = new CloudwatchLogGroup(this, "rerun-logs", { count: base, name: `/aws/lambda/${name}-rerun`, retentionInDays: logRetentionDays });
    this.rerunRole = new IamRole(this, "rerun-role", {
      count: base,
      name: `${name}-rerun`,
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "rerun-policy", {
      count: base,
      name: "rerun-on-protected-clusters",
      role: attributeOf(this.rerunRole, "id"),
      policy: policyDocument(
        rerunFunctionStatements({
          place,
          clusters: props.clusters,
          taskDefinitionFamilies: props.taskDefinitionFamilies ?? [],
          passRoleArns: this.passRoleArns(props.passRoleArns, `arn:${place.partition}:iam::${place.account}:role/*`),
          logGroupArn: attributeOf(rerunLogs, "arn"),
        }),
        encoding,
      ),
    });
    this.rerunFunction = this.lambda("rerun", `${name}-rerun`, base, attributeOf(this.rerunRole, "arn"), rerunLogs, {
      RETRYABLE_REASONS: jsonText(retryableReasons),
      MAX_ATTEMPTS: numberText(maxAttempts),
      FIRST_DELAY_SECONDS: numberText(firstDelaySeconds),
      BACKOFF_RATE: numberText(backoffRate),
      MAX_DELAY_SECONDS: numberText(maxDelaySeconds),
      JITTER: jitter,
      VERIFY_INTERVAL_SECONDS: numberText(verifyIntervalSeconds),
      VERIFY_TIMEOUT_SECONDS: numberText(verifyTimeoutSeconds),
      RERUN_PROGRAM_FAILURE_FAMILIES: jsonText(rerunProgramFailureFamilies),
      ...(props.retryableStoppedReasons !== undefined ? { RETRYABLE_STOPPED_REASONS: jsonText(props.retryableStoppedReasons) } : {}),
    }, 90);
    // The checks no single variable's validation can make (before Terraform 1.9).
    const preconditions = [
      ...(delaysKnown
        ? []
        : [
            {
              condition: hcl`${maxDelaySeconds} >= ${firstDelaySeconds}`,
              errorMessage: `The largest wait (${numberText(maxDelaySeconds)} s) must not be shorter than the first (${numberText(firstDelaySeconds)} s).`,
            },
          ]),
      ...(verifyKnown
        ? []
        : [
            {
              condition: hcl`${verifyTimeoutSeconds} >= ${verifyIntervalSeconds}`,
              errorMessage: `The deadline for a rerun's tasks to start (${numberText(verifyTimeoutSeconds)} s) must not be shorter than the interval between checks (${numberText(verifyIntervalSeconds)} s).`,
            },
          ]),
    ];
    if (preconditions.length > 0) this.rerunFunction.lifecycle = { precondition: preconditions };
    const rerunFunctionArn = attributeOf(this.rerunFunction, "arn");

    // Slack notifier.
    const notifierPresence = allOf(create, isSet(slackParameter));
    if (notifierPresence !== false) {
      const count = countOf(notifierPresence);
      const notifierLogs = new CloudwatchLogGroup(this, "notifier-logs", { count, name: `/aws/lambda/${name}-notifier`, retentionInDays: logRetentionDays });
      const notifierRole = new IamRole(this, "notifier-role", {
        count,
        name: `${name}-notifier`,
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }),
      });
      const notifierRoleId = attributeOf(notifierRole, "id");
      new IamRolePolicy(this, "notifier-policy", {
        count,
        name: "read-webhook-parameter",
        role: notifierRoleId,
        policy: policyDocument(
          notifierFunctionStatements({
            place,
            slackWebhookParameterName: slackParameter!,
            slackWebhookKmsKeyArn: props.slackWebhookKmsKeyArn,
            deadLetterQueueArn: dlqArn,
            logGroupArn: attributeOf(notifierLogs, "arn"),
          }),
          encoding,
        ),
      });
      if (Token.isUnresolved(props.slackWebhookKmsKeyArn)) {
        // Known only to Terraform, and possibly null: its grant is a policy of its own, switched with it.
        new IamRolePolicy(this, "notifier-key-policy", {
          count: countOf(allOf(notifierPresence, isSet(props.slackWebhookKmsKeyArn))),
          name: "decrypt-webhook-parameter",
          role: notifierRoleId,
          policy: policyDocument(decryptParameterStatements(place, props.slackWebhookKmsKeyArn!), encoding),
        });
      }
      // The parameter's NAME only: the URL is read at run time and never lands in state.
      const notifier = this.lambda("notifier", `${name}-notifier`, count, attributeOf(notifierRole, "arn"), notifierLogs, {
        SLACK_WEBHOOK_PARAMETER: slackParameter!,
        SLACK_TIMEOUT_MS: "5000",
      });
      const notifierName = attributeOf(notifier, "function_name");
      // Slack down or slow: Lambda retries the SNS event twice, then parks it in the queue.
      new LambdaFunctionEventInvokeConfig(this, "notifier-retries", {
        count,
        functionName: notifierName,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 21600,
        destinationConfig: { onFailure: { destination: dlqArn } },
      });
      new LambdaPermission(this, "notifier-from-sns", {
        count,
        statementId: "InvokeFromNoticesTopic",
        action: "lambda:InvokeFunction",
        functionName: notifierName,
        principal: "sns.amazonaws.com",
        sourceArn: topicArn,
      });
      new SnsTopicSubscription(this, "notifier-subscription", {
        count,
        topicArn,
        protocol: "lambda",
        endpoint: attributeOf(notifier, "arn"),
        // If SNS itself cannot invoke the function, the notice is parked rather than dropped.
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }),
      });
      this.notifierFunction = notifier;
    }

    // State machine.
    const sfnLogs = new CloudwatchLogGroup(this, "state-machine-logs", { count: base, name: `/aws/vendedlogs/states/${name}`, retentionInDays: logRetentionDays });
    const sfnRole = new IamRole(this, "state-machine-role", {
      count: base,
      name: `${name}-state-machine`,
      assumeRolePolicy: assumeRolePolicy("states.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "state-machine-policy", {
      count: base,
      name: "rerun-and-notify",
      role: attributeOf(sfnRole, "id"),
      policy: policyDocument(stateMachineStatements({ rerunFunctionArn, topicArn, kmsKeyArn: this.kmsKeyArn }), encoding),
    });
    this.stateMachine = new SfnStateMachine(this, "state-machine", {
      count: base,
      name,
      type: "STANDARD",
      roleArn: attributeOf(sfnRole, "arn"),
      definition: JSON.stringify(rerunStateMachineDefinition({ rerunFunctionArn, topicArn })),
      loggingConfiguration: { logDestination: `${attributeOf(sfnLogs, "arn")}:*`, includeExecutionData: true, level: "ALL" },
    });
    const stateMachineArn = attributeOf(this.stateMachine, "arn");

    // Detection.
    const patternInput = { clusters: props.clusters, ignoreStartedBy, rerunRoleName: `${name}-rerun` };
    let eventPattern: string;
    if (holdsTokens(patternInput)) {
      eventPattern = new TerraformLocal(this, "launch-failure-pattern", launchFailurePatternExpression(patternInput)).asString;
    } else {
      this.eventPattern = launchFailurePattern(patternInput);
      eventPattern = JSON.stringify(this.eventPattern);
    }
    this.rule = new CloudwatchEventRule(this, "launch-failures", {
      count: base,
      name: `${name}-launch-failures`,
      description: "RunTask/StartTask calls on protected clusters that ECS answered with failures",
      eventPattern,
    });
    const ruleArn = attributeOf(this.rule, "arn");
    const eventsRole = new IamRole(this, "events-role", {
      count: base,
      name: `${name}-events`,
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", { sourceAccount: place.account }),
    });
    new IamRolePolicy(this, "events-policy", {
      count: base,
      name: "start-rerun-executions",
      role: attributeOf(eventsRole, "id"),
      policy: policyDocument(startExecutionStatements(stateMachineArn), encoding),
    });
    new CloudwatchEventTarget(this, "launch-failures-target", {
      count: base,
      rule: attributeOf(this.rule, "name"),
      targetId: "rerun-state-machine",
      arn: stateMachineArn,
      roleArn: attributeOf(eventsRole, "arn"),
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
      deadLetterConfig: { arn: dlqArn },
    });
    let ruleArns: string | string[] = ruleArn;
    const taskFailuresPresence = allOf(create, anyOf(catchFailedToStart, reportProgramFailures));
    if (taskFailuresPresence !== false) {
      const taskPatternInput = { clusters: props.clusters, ignoreStartedBy, catchFailedToStart, reportProgramFailures };
      const count = countOf(taskFailuresPresence);
      // Accepted but never started, or started and failed: the same state machine takes both, after
      // the Lambda has normalized them into the one launch-failure record.
      const taskStateRule = new CloudwatchEventRule(this, "task-failures", {
        count,
        name: `${name}-task-failures`,
        description: "Tasks on protected clusters that stopped before starting, or exited non-zero",
        eventPattern: holdsTokens(taskPatternInput)
          ? new TerraformLocal(this, "task-failure-pattern", taskStateFailurePatternExpression(taskPatternInput)).asString
          : JSON.stringify(taskStateFailurePattern({ ...taskPatternInput, catchFailedToStart: catchFailedToStart === true, reportProgramFailures: reportProgramFailures === true })),
      });
      new CloudwatchEventTarget(this, "task-failures-target", {
        count,
        rule: attributeOf(taskStateRule, "name"),
        targetId: "rerun-state-machine",
        arn: stateMachineArn,
        roleArn: attributeOf(eventsRole, "arn"),
        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
        deadLetterConfig: { arn: dlqArn },
      });
      const taskRuleArn = attributeOf(taskStateRule, "arn");
      // A rule switched off by Terraform has no ARN (null), which the policy must not name.
      ruleArns = taskFailuresPresence === create ? [ruleArn, taskRuleArn] : Token.asList(Fn.compact([ruleArn, taskRuleArn]));
      this.taskStateRule = taskStateRule;
    }
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

    const trailPresence = allOf(create, presenceOf(props.createTrail, false));
    if (trailPresence !== false) {
      this.trail = new ManagementEventsTrail(this, "trail", { name: `${name}-management-events`, place, presence: trailPresence });
    }

    const alarmsPresence = allOf(create, presenceOf(props.createAlarms, true));
    if (alarmsPresence !== false) {
      const alarm = (id: string, presence: Presence, config: Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "evaluationPeriods" | "comparisonOperator" | "threshold" | "period">) => {
        this.alarms[id] = new CloudwatchMetricAlarm(this, `alarm-${id}`, {
          count: countOf(presence),
          evaluationPeriods: 1,
          period: 300,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topicArn],
          ...config,
        });
      };
      alarm("executionsFailed", alarmsPresence, {
        alarmName: `${name}-gave-up`,
        alarmDescription: "A rerun execution failed: a scheduled task could not be launched (gave up) or its event was invalid.",
        namespace: "AWS/States",
        metricName: "ExecutionsFailed",
        dimensions: { StateMachineArn: stateMachineArn },
        statistic: "Sum",
      });
      alarm("deadLetters", alarmsPresence, {
        alarmName: `${name}-dead-letters`,
        alarmDescription: "An event or notice could not be delivered and waits in the dead-letter queue.",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: attributeOf(this.deadLetterQueue, "name") },
        statistic: "Maximum",
      });
      alarm("rerunErrors", alarmsPresence, {
        alarmName: `${name}-rerun-errors`,
        alarmDescription: "The rerun Lambda failed.",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: attributeOf(this.rerunFunction, "function_name") },
        statistic: "Sum",
      });
      if (this.notifierFunction) {
        alarm("notifierErrors", allOf(alarmsPresence, notifierPresence), {
          alarmName: `${name}-notifier-errors`,
          alarmDescription: "The Slack notifier failed (it retries; undelivered notices go to the dead-letter queue).",
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: attributeOf(this.notifierFunction, "function_name") },
          statistic: "Sum",
        });
      }
    }

    if (Token.isUnresolved(expectedRuns) || (expectedRuns as readonly ExpectedRun[]).length > 0) {
      // The third way a job goes missing: it was never invoked. Only the absence of a success shows it.
      this.missedRuns = new MissedRunAlarms(this, "missed-runs", { name, clusters: props.clusters, expectedRuns, topicArn, logRetentionDays, presence: create });
    }
  }

  /** Roles the rerun may pass: the given ones, or `fallback` when none are (or Terraform's value is null). */
  private passRoleArns(given: readonly string[] | undefined, fallback: string): readonly string[] {
    if (given === undefined) return [fallback];
    if (!Token.isUnresolved(given)) return given;
    return Token.asList(hcl`${given} != null ? ${given} : [${fallback}]`);
  }

  private lambda(
    kind: LambdaName,
    functionName: string,
    count: number | undefined,
    roleArn: string,
    logs: CloudwatchLogGroup,
    environment: Record<string, string>,
    timeoutSeconds = 30,
  ): LambdaFunction {
    const pkg = buildLambdaPackage(kind);
    let filename: string;
    let sourceCodeHash: string;
    if (this.packageDirectory === undefined) {
      filename = new TerraformAsset(this, `${kind}-package`, { path: pkg.zipPath, type: AssetType.FILE }).path;
      sourceCodeHash = pkg.sourceCodeHash;
    } else {
      // Hashed by Terraform from the file it uploads, so the hash follows whatever zip ships.
      filename = `${this.packageDirectory}/${kind}.zip`;
      sourceCodeHash = Token.asString(Fn.filebase64sha256(filename));
      this.packages[kind] = pkg;
    }
    return new LambdaFunction(this, `${kind}-function`, {
      count,
      functionName,
      role: roleArn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename,
      sourceCodeHash,
      memorySize: 256,
      timeout: timeoutSeconds,
      environment: { variables: { NODE_OPTIONS: "--enable-source-maps", ...environment } },
      loggingConfig: { logFormat: "Text", logGroup: attributeOf(logs, "name") },
      dependsOn: [logs],
    });
  }
}
