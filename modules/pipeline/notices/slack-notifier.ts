// The pipeline's Slack notifier: a Lambda subscribed to the notices topic that reads the webhook URL
// from SSM at run time, with retries and the dead-letter queue behind it. Created in the pipeline's scope.
import type { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { allOf, attributeOf, countOf, isSet, type Presence } from "../../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../../iam";
import { addPipelineFunction, type FunctionPackaging } from "../functions/pipeline-function";
import { decryptParameterStatements, notifierFunctionStatements, type AwsPlace } from "../iam/pipeline-policies";
import { addRole, type RoleOptions } from "../iam/role-options";
import { NoticeStorm } from "./notice-storm";
import type { SlackInputs } from "./notify-inputs";

/** Props of {@link addSlackNotifier}. */
export interface SlackNotifierProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Whether it exists: a Terraform bool expression count-switches every resource; never `false`. */
  readonly presence: Presence;
  /** Account, region and partition (for the role's trust and the policy's ARNs). */
  readonly place: AwsPlace;
  /** Its role's name: IAM names are global in an account, so it carries the region (iam-names.ts). */
  readonly roleName: string;
  /** The user's permissions boundary and path for its role. @default {} */
  readonly roles?: RoleOptions;
  /** How it reaches Slack: the parameter it reads (a webhook URL or a bot token, never in state) and its environment (notify-inputs.ts). */
  readonly slack: SlackInputs;
  /** Notices of a minute above which they fold into the digest (notice-storm.ts). */
  readonly digestAbovePerMinute: number;
  /** Customer-managed KMS key of that parameter, if it does not use `aws/ssm`. @default undefined */
  readonly slackWebhookKmsKeyArn?: string;
  /** The notices topic the function subscribes to. */
  readonly topicArn: string;
  /** Where notices that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
  /** Days the function's logs are kept. */
  readonly logRetentionDays: number;
  /** How the policy documents are written. */
  readonly encoding: DocumentEncoding;
  /** Where the function's package goes. */
  readonly packaging: FunctionPackaging;
}

/** What {@link addSlackNotifier} made that the pipeline wires further. */
export interface SlackNotifier {
  readonly fn: LambdaFunction;
  /** The storm parts: table, digest queue, schedule (call `alarms` to alarm on them). */
  readonly storm: NoticeStorm;
  /** The function's log group (the storm's store-failure filter reads it). */
  readonly logGroupName: string;
}

/** Adds the notifier's log group, role, function, retries, subscription and storm parts to `scope` itself. */
export function addSlackNotifier(scope: Construct, props: SlackNotifierProps): SlackNotifier {
  const { name, place, topicArn, logRetentionDays, encoding } = props;
  const notifierPresence = props.presence;
  const slackParameter = props.slack.parameterName;
  const dlqArn = props.deadLetterQueueArn;
  const count = countOf(notifierPresence);
  const notifierLogs = new CloudwatchLogGroup(scope, "notifier-logs", { count, name: `/aws/lambda/${name}-notifier`, retentionInDays: logRetentionDays });
  const notifierRole = addRole(scope, "notifier-role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }) }, props.roles ?? {});
  const notifierRoleId = attributeOf(notifierRole, "id");
  new IamRolePolicy(scope, "notifier-policy", {
    count,
    name: "read-webhook-parameter",
    role: notifierRoleId,
    policy: policyDocument(
      notifierFunctionStatements({
        place,
        slackWebhookParameterName: slackParameter,
        slackWebhookKmsKeyArn: props.slackWebhookKmsKeyArn,
        deadLetterQueueArn: dlqArn,
        logGroupArn: attributeOf(notifierLogs, "arn"),
      }),
      encoding,
    ),
  });
  if (Token.isUnresolved(props.slackWebhookKmsKeyArn)) {
    // Known only to Terraform, and possibly null: its grant is a policy of its own, switched with it.
    new IamRolePolicy(scope, "notifier-key-policy", {
      count: countOf(allOf(notifierPresence, isSet(props.slackWebhookKmsKeyArn))),
      name: "decrypt-webhook-parameter",
      role: notifierRoleId,
      policy: policyDocument(decryptParameterStatements(place, props.slackWebhookKmsKeyArn!), encoding),
    });
  }
  // Folding and pacing in a storm (notice-storm.ts): created with the notifier, in the pipeline's scope.
  const storm = new NoticeStorm(scope, "notice-storm", { name, presence: notifierPresence, deadLetterQueueArn: dlqArn, encoding });
  // The parameter's NAME only: the URL or token is read at run time and never lands in state.
  const notifier = addPipelineFunction(scope, {
    kind: "notifier",
    functionName: `${name}-notifier`,
    count,
    roleArn: attributeOf(notifierRole, "arn"),
    logs: notifierLogs,
    environment: {
      ...props.slack.environment,
      SLACK_TIMEOUT_MS: "5000",
      ...storm.environment(props.digestAbovePerMinute),
    },
    // A post may wait for its slot on the Slack clock (up to 10 s), a digest reads and deletes up to
    // 10,000 folded notices: 60 s, of which the handler keeps a margin.
    timeoutSeconds: 60,
    packaging: props.packaging,
  });
  if (props.slack.preconditions.length > 0) notifier.lifecycle = { precondition: props.slack.preconditions };
  storm.wire(notifier, notifierRoleId);
  const notifierName = attributeOf(notifier, "function_name");
  // Slack down or slow: Lambda retries the SNS event twice, then parks it in the queue.
  new LambdaFunctionEventInvokeConfig(scope, "notifier-retries", {
    count,
    functionName: notifierName,
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: 21600,
    destinationConfig: { onFailure: { destination: dlqArn } },
  });
  new LambdaPermission(scope, "notifier-from-sns", {
    count,
    statementId: "InvokeFromNoticesTopic",
    action: "lambda:InvokeFunction",
    functionName: notifierName,
    principal: "sns.amazonaws.com",
    sourceArn: topicArn,
  });
  new SnsTopicSubscription(scope, "notifier-subscription", {
    count,
    topicArn,
    protocol: "lambda",
    endpoint: attributeOf(notifier, "arn"),
    // If SNS itself cannot invoke the function, the notice is parked rather than dropped.
    redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }),
  });
  return { fn: notifier, storm, logGroupName: attributeOf(notifierLogs, "name") };
}
