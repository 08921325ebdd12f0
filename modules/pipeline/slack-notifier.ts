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
import { allOf, attributeOf, countOf, isSet, type Presence } from "../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../iam";
import { addPipelineFunction, type FunctionPackaging } from "./pipeline-function";
import { decryptParameterStatements, notifierFunctionStatements, type AwsPlace } from "./pipeline-policies";
import { addRole, type RoleOptions } from "./role-options";

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
  /** Name of the SSM SecureString holding the webhook URL (the URL itself never lands in state). */
  readonly slackWebhookParameterName: string;
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

/** Adds the notifier's log group, role, function, retries and subscription to `scope` itself; returns the function. */
export function addSlackNotifier(scope: Construct, props: SlackNotifierProps): LambdaFunction {
  const { name, place, topicArn, logRetentionDays, encoding } = props;
  const notifierPresence = props.presence;
  const slackParameter = props.slackWebhookParameterName;
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
  // The parameter's NAME only: the URL is read at run time and never lands in state.
  const notifier = addPipelineFunction(scope, {
    kind: "notifier",
    functionName: `${name}-notifier`,
    count,
    roleArn: attributeOf(notifierRole, "arn"),
    logs: notifierLogs,
    environment: {
      SLACK_WEBHOOK_PARAMETER: slackParameter,
      SLACK_TIMEOUT_MS: "5000",
    },
    packaging: props.packaging,
  });
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
  return notifier;
}
