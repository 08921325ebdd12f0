/**
 * The starter: the rules' target, a Lambda that starts the rerun state machine under the failure's
 * own name, so that EventBridge's at-least-once delivery yields exactly one execution per failure.
 * Created in the pipeline's own scope.
 */
import type { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { attributeOf } from "../../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../../iam";
import { addPipelineFunction, type FunctionPackaging } from "./pipeline-function";
import { starterFunctionStatements, type AwsPlace } from "../iam/pipeline-policies";
import { addRole, type RoleOptions } from "../iam/role-options";

/** Props of {@link addStarterFunction}. */
export interface StarterFunctionProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** The count switching it, from `countOf`; undefined when it surely exists. @default undefined */
  readonly count?: number;
  /** Account, region and partition (for the role's trust). */
  readonly place: AwsPlace;
  /** Its role's name: IAM names are global in an account, so it carries the region (iam-names.ts). */
  readonly roleName: string;
  /** The user's permissions boundary and path for its role. @default {} */
  readonly roles?: RoleOptions;
  /** The state machine it starts. */
  readonly stateMachineArn: string;
  /** Where events it could not hand over are parked (after Lambda's async retries). */
  readonly deadLetterQueueArn: string;
  /** Days its logs are kept. */
  readonly logRetentionDays: number;
  /** How the policy document is written. */
  readonly encoding: DocumentEncoding;
  /** Where its package goes. */
  readonly packaging: FunctionPackaging;
}

/** Adds the starter's log group, role, function and async retries to `scope` itself; returns the function. */
export function addStarterFunction(scope: Construct, props: StarterFunctionProps): LambdaFunction {
  const { name, count, place, stateMachineArn, logRetentionDays, encoding } = props;
  const dlqArn = props.deadLetterQueueArn;
  const logs = new CloudwatchLogGroup(scope, "starter-logs", { count, name: `/aws/lambda/${name}-starter`, retentionInDays: logRetentionDays });
  const role = addRole(scope, "starter-role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }) }, props.roles ?? {});
  new IamRolePolicy(scope, "starter-policy", {
    count,
    name: "start-rerun-executions",
    role: attributeOf(role, "id"),
    policy: policyDocument(starterFunctionStatements({ stateMachineArn, deadLetterQueueArn: dlqArn, logGroupArn: attributeOf(logs, "arn") }), encoding),
  });
  const starter = addPipelineFunction(scope, {
    kind: "starter",
    functionName: `${name}-starter`,
    count,
    roleArn: attributeOf(role, "arn"),
    logs,
    environment: { STATE_MACHINE_ARN: stateMachineArn },
    packaging: props.packaging,
  });
  // Step Functions throttled or unavailable: Lambda retries the event twice (a named StartExecution
  // is idempotent, so a retry never starts a second execution), then parks it in the queue, whose
  // alarm tells a human.
  new LambdaFunctionEventInvokeConfig(scope, "starter-retries", {
    count,
    functionName: attributeOf(starter, "function_name"),
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: 21600,
    destinationConfig: { onFailure: { destination: dlqArn } },
  });
  return starter;
}
