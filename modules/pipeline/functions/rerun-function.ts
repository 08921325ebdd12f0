// The pipeline's rerun Lambda: its logs, its role (a relaunch role, whose calls every pipeline's rules ignore),
// its policy and the function, with the checks on its settings only Terraform can make. In the pipeline's scope.
import type { Construct } from "constructs";
import { Fn, Token, type IResolvable } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { hcl, holdsTokens } from "../../hcl/hcl-expression";
import { attributeOf } from "../../hcl/presence";
import { assumeRolePolicy } from "../../iam";
import { addPipelineFunction, type FunctionPackaging } from "./pipeline-function";
import type { PipelineInputs } from "../pipeline-inputs";
import { rerunFunctionStatements, type AwsPlace } from "../iam/pipeline-policies";
import { addRole, type RoleOptions } from "../iam/role-options";
import { addRelaunchPolicies } from "../iam/cluster-policies";
import { longestLogGroupArn, type OtherInlinePolicies } from "../iam/role-policy-budget";
import { clusterPlacePrecondition } from "../cluster-place";

/** What to do with a cluster of another account or region, as the pipeline's refusals say it. */
export const FOREIGN_CLUSTER_FIX = "Protect it from a pipeline in its own account and region, or make this pipeline its hub (spoke_clusters) with a spoke there.";

/** Props of {@link addRerunFunction}. */
export interface RerunFunctionProps {
  /** The pipeline's checked inputs: names, log retention, policy encoding, and the retry and verify settings passed on. */
  readonly inputs: PipelineInputs;
  /** Protected clusters (names or ARNs) the rerun may launch on. */
  readonly clusters: readonly string[];
  /** Task definition families it may rerun; empty means any family of the account. @default [] */
  readonly taskDefinitionFamilies?: readonly string[];
  /** Roles it may pass to tasks; an expression that is null means every role of the account. @default every role of the account */
  readonly passRoleArns?: readonly string[];
  /** Stopped reasons worth a rerun. @default the rerun Lambda's list */
  readonly retryableStoppedReasons?: readonly string[];
  /** Account, region and partition (for the role's trust and the policy's ARNs). */
  readonly place: AwsPlace;
  /** The region when known at synth, for the check that every cluster ARN is of this place. @default the provider's (place.region) */
  readonly region?: string;
  /** Its role's name: IAM names are global in an account, so it carries the region (iam-names.ts). */
  readonly roleName: string;
  /** The user's permissions boundary (the role keeps the path `/ecs-rerun/`, its mark). @default {} */
  readonly roles?: RoleOptions;
  /** The count switching it, from `countOf`; undefined when it surely exists. @default undefined */
  readonly count?: number;
  /** Where its package goes. */
  readonly packaging: FunctionPackaging;
  /** More environment variables (the launch pacer's, the hub's). @default {} */
  readonly environment?: Record<string, string>;
  /** Variables only Terraform knows whether to set (the hub's, in the module): a map expression merged in. @default undefined */
  readonly moreEnvironment?: IResolvable;
  /** What the role's other inline policies (the pacer's, the hub's) may take of IAM's quota for a role. @default none */
  readonly otherInlinePolicies?: readonly OtherInlinePolicies[];
}

/** What {@link addRerunFunction} made. */
export interface RerunFunction {
  /** The function's role. */
  readonly role: IamRole;
  /** The function. */
  readonly fn: LambdaFunction;
  /** Its log group. */
  readonly logs: CloudwatchLogGroup;
}

/** A number or list as Lambda's environment wants it: a string, written now or by Terraform. */
const numberText = (v: number) => (Token.isUnresolved(v) ? Token.asString(v) : String(v));
const jsonText = (v: unknown) => (holdsTokens(v) ? Token.asString(Fn.jsonencode(v)) : JSON.stringify(v));

/** Roles the rerun may pass: the given ones, or `fallback` when none are (or Terraform's value is null). */
export function passRoleArns(given: readonly string[] | undefined, fallback: string): readonly string[] {
  if (given === undefined) return [fallback];
  if (!Token.isUnresolved(given)) return given;
  return Token.asList(hcl`${given} != null ? ${given} : [${fallback}]`);
}

/** Adds the rerun Lambda and what it needs to `scope` itself. */
export function addRerunFunction(scope: Construct, props: RerunFunctionProps): RerunFunction {
  const { inputs, place, count } = props;
  const { name, logRetentionDays, encoding, maxAttempts, firstDelaySeconds, backoffRate, maxDelaySeconds, verifyIntervalSeconds, verifyTimeoutSeconds } = inputs;
  const rerunLogs = new CloudwatchLogGroup(scope, "rerun-logs", { count, name: `/aws/lambda/${name}-rerun`, retentionInDays: logRetentionDays });
  // A relaunch role: its path /ecs-rerun/ is the mark every pipeline's rules exclude, so no pipeline catches any pipeline's reruns.
  const rerunRole = addRole(scope, "rerun-role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }) }, props.roles ?? {}, "relaunch");
  const families = props.taskDefinitionFamilies ?? [];
  // The clusters the inline policy has no room for go to managed policies (cluster-policies.ts).
  addRelaunchPolicies(scope, {
    kind: "rerun",
    name,
    role: rerunRole,
    roleName: props.roleName,
    count,
    presence: count === undefined ? true : Token.asAny(hcl`${count} > 0`),
    place,
    clusters: props.clusters,
    taskDefinitionFamilies: families,
    grants: (at, clusters, measured) =>
      rerunFunctionStatements({
        place: at,
        clusters,
        taskDefinitionFamilies: families,
        passRoleArns: passRoleArns(props.passRoleArns, `arn:${at.partition}:iam::${at.account}:role/*`),
        logGroupArn: measured ? longestLogGroupArn(at) : attributeOf(rerunLogs, "arn"),
      }),
    others: props.otherInlinePolicies,
    hint: "protect fewer clusters in this pipeline (clusters), or split them over pipelines of different names; fewer taskDefinitionFamilies and passRoleArns (module: task_definition_families, pass_role_arns) also make room",
    encoding,
  });
  const rerunFunction = addPipelineFunction(scope, {
    kind: "rerun",
    functionName: `${name}-rerun`,
    count,
    roleArn: attributeOf(rerunRole, "arn"),
    logs: rerunLogs,
    environment: {
      RETRYABLE_REASONS: jsonText(inputs.retryableReasons),
      MAX_ATTEMPTS: numberText(maxAttempts),
      FIRST_DELAY_SECONDS: numberText(firstDelaySeconds),
      BACKOFF_RATE: numberText(backoffRate),
      MAX_DELAY_SECONDS: numberText(maxDelaySeconds),
      JITTER: inputs.jitter,
      VERIFY_INTERVAL_SECONDS: numberText(verifyIntervalSeconds),
      VERIFY_TIMEOUT_SECONDS: numberText(verifyTimeoutSeconds),
      RERUN_PROGRAM_FAILURE_FAMILIES: jsonText(inputs.rerunProgramFailureFamilies),
      ...(props.retryableStoppedReasons !== undefined ? { RETRYABLE_STOPPED_REASONS: jsonText(props.retryableStoppedReasons) } : {}),
      ...props.environment,
    },
    moreEnvironment: props.moreEnvironment,
    timeoutSeconds: 90,
    packaging: props.packaging,
  });
  // The checks no single variable's validation can make (before Terraform 1.9).
  const preconditions = [
    ...(inputs.delaysKnown
      ? []
      : [
          {
            condition: hcl`${maxDelaySeconds} >= ${firstDelaySeconds}`,
            errorMessage: `The largest wait (${numberText(maxDelaySeconds)} s) must not be shorter than the first (${numberText(firstDelaySeconds)} s).`,
          },
        ]),
    ...(inputs.verifyKnown
      ? []
      : [
          {
            condition: hcl`${verifyTimeoutSeconds} >= ${verifyIntervalSeconds}`,
            errorMessage: `The deadline for a rerun's tasks to start (${numberText(verifyTimeoutSeconds)} s) must not be shorter than the interval between checks (${numberText(verifyIntervalSeconds)} s).`,
          },
        ]),
  ];
  const foreign = clusterPlacePrecondition(props.clusters, props.region ?? props.place.region, props.place.account, FOREIGN_CLUSTER_FIX);
  if (foreign) preconditions.push(foreign);
  if (preconditions.length > 0) rerunFunction.lifecycle = { precondition: preconditions };
  return { role: rerunRole, fn: rerunFunction, logs: rerunLogs };
}
