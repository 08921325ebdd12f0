/**
 * The reconciler: the pipeline's second path. A Lambda on an EventBridge schedule that sweeps what AWS
 * keeps anyway (CloudTrail event history, the clusters' stopped tasks) and hands every failure to the
 * state machine under the execution name the event path gives it, so the two paths never run a
 * failure twice and a failure whose event never arrived is still handled (lambda/reconciler).
 * Exists only when `everyMinutes` is not 0: a pipeline without it synthesizes exactly as before.
 */
import { Construct } from "constructs";
import { Fn, Token, conditional, type IResolvable } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { hcl } from "../../hcl/hcl-expression";
import { allOf, attributeOf, countOf, type Presence } from "../../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../../iam";
import { addPipelineFunction, type FunctionPackaging } from "../functions/pipeline-function";
import type { AwsPlace } from "../iam/pipeline-policies";
import { addRole, type RoleOptions } from "../iam/role-options";
import { CURSOR_KEY_ATTRIBUTE, FOUND_BY_RECONCILER, FOUND_BY_RECONCILER_METRIC } from "./reconciler-names";
import { reconcilerStatements } from "./reconciler-policies";

/** Props of {@link Reconciler}. */
export interface ReconcilerProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Whether it exists: `true`, or a Terraform bool expression that count-switches it. */
  readonly presence: Presence;
  /** Minutes between runs (1 to 1440), a literal or a Terraform number expression. */
  readonly everyMinutes: number;
  /** Account, region and partition. */
  readonly place: AwsPlace;
  /** Its role's name (region-qualified, iam-names.ts). */
  readonly roleName: string;
  /** The user's permissions boundary and path for the role (role-options.ts). @default none */
  readonly roles?: RoleOptions;
  /** The state machine it hands failures to. */
  readonly stateMachineArn: string;
  /** The home place's protected clusters. */
  readonly clusters: readonly string[];
  /** `startedBy` values left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Whether tasks that failed to start are caught (as by the task-failure rule). */
  readonly catchFailedToStart: Presence;
  /** Whether program failures are reported (as by the task-failure rule). */
  readonly reportProgramFailures: Presence;
  /** Days its logs are kept. */
  readonly logRetentionDays: number;
  /** How documents are written. */
  readonly encoding: DocumentEncoding;
  /** Where its package goes. */
  readonly packaging: FunctionPackaging;
  /**
   * A hub's spokes: their cluster ARNs, the pattern of their sweep roles' ARNs (with {account} and
   * {region}), and the policy letting the reconciler's role assume those roles, with when it exists
   * (hub-bus.ts sweepAssumePolicy; none without spoke accounts). @default no spokes
   */
  readonly hub?: { readonly spokeClusters: readonly string[]; readonly roleArnPattern: string; readonly assumePolicy?: { readonly document: string; readonly presence: Presence } };
  /** Its alarms (failures it found, its errors) and where they go; undefined: no alarms. @default undefined */
  readonly alarms?: { readonly presence: Presence; readonly actions: readonly string[] };
}

/** A literal or Terraform boolean as the "true"/"false" text the Lambda reads. */
function flag(value: Presence): string {
  return typeof value === "boolean" ? String(value) : Token.asString(conditional(value, "true", "false"));
}

export class Reconciler extends Construct {
  /** The function that sweeps and hands failures over. */
  public readonly function: LambdaFunction;
  /** The table of its cursors (one item per place). */
  public readonly cursorTable: DynamodbTable;
  /** The schedule that runs it. */
  public readonly schedule: CloudwatchEventRule;
  /** Its role. */
  public readonly role: IamRole;
  /** Its alarms, by role (foundByReconciler, errors), when alarms are asked for. */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const { name, place, encoding } = props;
    const count = countOf(props.presence);
    this.cursorTable = new DynamodbTable(this, "cursors", {
      count,
      name: `${name}-reconciler`,
      // On demand: a few reads and writes per run.
      billingMode: "PAY_PER_REQUEST",
      hashKey: CURSOR_KEY_ATTRIBUTE,
      attribute: [{ name: CURSOR_KEY_ATTRIBUTE, type: "S" }],
      // Encrypted at rest with the AWS managed key aws/dynamodb; the items are timestamps.
      serverSideEncryption: { enabled: true },
    });
    const logs = new CloudwatchLogGroup(this, "logs", { count, name: `/aws/lambda/${name}-reconciler`, retentionInDays: props.logRetentionDays });
    this.role = addRole(this, "role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: place.account }) }, props.roles ?? {});
    new IamRolePolicy(this, "policy", {
      count,
      name: "reconcile",
      role: attributeOf(this.role, "id"),
      policy: policyDocument(
        reconcilerStatements({ place, clusters: props.clusters, stateMachineArn: props.stateMachineArn, cursorTableArn: attributeOf(this.cursorTable, "arn"), logGroupArn: attributeOf(logs, "arn") }),
        encoding,
      ),
    });
    const assume = props.hub?.assumePolicy;
    if (assume) {
      // A hub reads each spoke's history and stopped tasks through the spoke's sweep role (read-only,
      // trusting this role alone): the relaunch roles trust the rerun role only, and may launch.
      new IamRolePolicy(this, "spoke-policy", { count: countOf(allOf(props.presence, assume.presence)), name: "assume-spoke-sweep-roles", role: attributeOf(this.role, "id"), policy: assume.document });
    }
    const every = props.everyMinutes;
    // The run stops sweeping 20 s before its timeout; a run never outlasts the next one's start by much.
    const timeoutSeconds = Token.isUnresolved(every) ? (Token.asNumber(hcl`min(240, ${every} * 60 - 10)`) as number) : Math.min(240, every * 60 - 10);
    this.function = addPipelineFunction(this, {
      kind: "reconciler",
      functionName: `${name}-reconciler`,
      count,
      roleArn: attributeOf(this.role, "arn"),
      logs,
      timeoutSeconds,
      environment: {
        STATE_MACHINE_ARN: props.stateMachineArn,
        CLUSTERS: Token.isUnresolved(props.clusters) ? Fn.jsonencode(props.clusters) : JSON.stringify(props.clusters),
        IGNORE_STARTED_BY: Token.isUnresolved(props.ignoreStartedBy) ? Fn.jsonencode(props.ignoreStartedBy) : JSON.stringify(props.ignoreStartedBy),
        CATCH_FAILED_TO_START: flag(props.catchFailedToStart),
        REPORT_PROGRAM_FAILURES: flag(props.reportProgramFailures),
        CURSOR_TABLE: attributeOf(this.cursorTable, "name"),
        ...(props.hub
          ? {
              SPOKE_CLUSTERS: Token.isUnresolved(props.hub.spokeClusters) ? Fn.jsonencode(props.hub.spokeClusters) : JSON.stringify(props.hub.spokeClusters),
              SPOKE_ROLE_ARN_PATTERN: props.hub.roleArnPattern,
            }
          : {}),
      },
      packaging: props.packaging,
    });
    // A failed run is not retried: the next scheduled run starts from the same cursor.
    new LambdaFunctionEventInvokeConfig(this, "retries", { count, functionName: attributeOf(this.function, "function_name"), maximumRetryAttempts: 0 });
    const rate = Token.isUnresolved(every) ? Token.asString(hcl`${every} == 1 ? "rate(1 minute)" : "rate(\${${every}} minutes)"`) : every === 1 ? "rate(1 minute)" : `rate(${every} minutes)`;
    this.schedule = new CloudwatchEventRule(this, "schedule", { count, name: `${name}-reconcile`, description: "Runs the reconciler: finds failed launches whose events never arrived", scheduleExpression: rate });
    new CloudwatchEventTarget(this, "schedule-target", { count, rule: attributeOf(this.schedule, "name"), arn: attributeOf(this.function, "arn") });
    new LambdaPermission(this, "schedule-permission", {
      count,
      action: "lambda:InvokeFunction",
      functionName: attributeOf(this.function, "function_name"),
      principal: "events.amazonaws.com",
      sourceArn: attributeOf(this.schedule, "arn"),
    });

    // Every failure it starts itself means the event path missed one: counted, and alarmed below.
    const namespace = `ECSRerun/${name}`;
    new CloudwatchLogMetricFilter(this, "found", {
      count,
      name: `${name}-found-by-reconciler`,
      logGroupName: attributeOf(logs, "name"),
      pattern: `"${FOUND_BY_RECONCILER}"`,
      metricTransformation: { namespace, name: FOUND_BY_RECONCILER_METRIC, value: "1", unit: "Count" },
    });
    if (props.alarms) {
      const alarmCount = countOf(allOf(props.presence, props.alarms.presence));
      const common = { count: alarmCount, period: 300, evaluationPeriods: 1, threshold: 0, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching", statistic: "Sum", alarmActions: props.alarms.actions as string[] };
      this.alarms.foundByReconciler = new CloudwatchMetricAlarm(this, "alarm-found", {
        ...common,
        alarmName: `${name}-found-by-reconciler`,
        alarmDescription:
          "The reconciler found a failed launch whose event never started an execution, and handed it over: the event path is broken somewhere (a rule disabled or edited, the trail stopped, a cluster not protected by the rules, a spoke not forwarding, or an event AWS did not deliver).",
        namespace,
        metricName: FOUND_BY_RECONCILER_METRIC,
      });
      this.alarms.reconcilerErrors = new CloudwatchMetricAlarm(this, "alarm-errors", {
        ...common,
        alarmName: `${name}-reconciler-errors`,
        alarmDescription: "The reconciler failed: it could not read a place it serves or hand a failure over (the next run tries again from its cursor).",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: attributeOf(this.function, "function_name") },
      });
    }
  }
}

/** Whether a reconciler exists for `everyMinutes` (0 turns it off), with `create`: a literal or a Terraform bool expression. */
export function reconcilerPresence(create: Presence, everyMinutes: number): Presence {
  if (!Token.isUnresolved(everyMinutes)) return everyMinutes === 0 ? false : create;
  return allOf(create, hcl`${everyMinutes} > 0` as IResolvable);
}
