/**
 * The launch pacer's infrastructure: the DynamoDB table holding the shared launch clock (one item,
 * see lambda/rerun/core/relaunch/pacing.ts for the algorithm and the rate), the rerun role's right to write
 * that one item, and a metric filter and alarm counting the launches that went out unpaced because
 * the pacer failed.
 *
 * Why a DynamoDB item: every rerun of an account and region must share one clock, across executions
 * and Lambda instances. One conditional UpdateItem per launch is atomic, costs $0.625 per million
 * (on-demand writes, us-east-1), needs no capacity planning and no servers, and an unused table
 * costs nothing. The alternatives cost more or pace worse: an SQS queue drained at bounded
 * concurrency adds a poller and a second state store per failure; Step Functions' Map concurrency
 * limits one execution, not many; reserved concurrency limits invocations, not launches per second;
 * client-side adaptive retries only react to throttling once the shared bucket is already empty, for
 * the account's other callers too.
 */
import { Construct } from "constructs";
import { Token, conditional } from "cdktf";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PACER_ITEM_KEY, PACER_KEY_ATTRIBUTE, PACER_PLACE_KEY_PREFIX, PACER_UNAVAILABLE } from "../../../lambda/rerun/pacer";
import { attributeOf, countOf, type Presence } from "../../hcl/presence";
import { policyDocument, type DocumentEncoding, type PolicyStatement } from "../../iam";

/** Metric counting launches that went out unpaced, in the pipeline's own namespace `ECSRerun/<name>`. */
export const PACER_FAILURE_METRIC = "LaunchPacerFailures";

/** Props of {@link LaunchPacer}. */
export interface LaunchPacerProps {
  /** Prefix of the names (table, policy, filter, alarm). */
  readonly name: string;
  /** Whether the pacer exists: `true`, or a Terraform bool expression that count-switches it. @default true */
  readonly presence?: Presence;
  /** How its policy document is written. @default "json" */
  readonly encoding?: DocumentEncoding;
}

/** The rerun Lambda's IAM statement: reserve slots on the one item of the one table, nothing else. */
export function pacerStatements(tableArn: string): PolicyStatement[] {
  return [
    {
      // UpdateItem alone: the pacer never reads, scans or deletes. dynamodb:LeadingKeys limits it to
      // the clock's item, so the role cannot write anything else into the table.
      Sid: "ReserveLaunchSlots",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: tableArn,
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [PACER_ITEM_KEY] } },
    },
  ];
}

/**
 * A hub's rerun Lambda's IAM statement: reserve slots on the clocks of the spokes' places too. ECS
 * throttles per account and region, so each place a hub launches in has its own clock item,
 * `launches#<account>#<region>` (lambda/rerun/core/relaunch/pacing.ts); StringLike because the places are the
 * spokes' and may grow without a new policy.
 */
export function spokePacerStatements(tableArn: string): PolicyStatement[] {
  return [
    {
      Sid: "ReserveSpokeLaunchSlots",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: tableArn,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${PACER_PLACE_KEY_PREFIX}*`] } },
    },
  ];
}

/**
 * The shared launch clock of the account and region. Create it, hand {@link environment} to the
 * rerun Lambda, then {@link allow} its role and {@link watch} its log group (the Lambda's role and
 * log group come into being after its environment is written, hence three steps).
 */
export class LaunchPacer extends Construct {
  /** The table holding the clock. */
  public readonly table: DynamodbTable;

  private readonly presence: Presence;
  private readonly encoding: DocumentEncoding;

  constructor(scope: Construct, id: string, private readonly props: LaunchPacerProps) {
    super(scope, id);
    this.presence = props.presence ?? true;
    this.encoding = props.encoding ?? "json";
    this.table = new DynamodbTable(this, "table", {
      count: countOf(this.presence),
      name: `${props.name}-launch-pacer`,
      // On demand: a storm writes a few per second for minutes, then nothing for weeks.
      billingMode: "PAY_PER_REQUEST",
      hashKey: PACER_KEY_ATTRIBUTE,
      attribute: [{ name: PACER_KEY_ATTRIBUTE, type: "S" }],
      // Encrypted at rest with the AWS managed key aws/dynamodb (KMS), whose use CloudTrail records;
      // the item is a timestamp, so the pipeline's own key (and its key policy grants) would add
      // nothing but cost. No point-in-time recovery: a lost clock restarts at the next launch.
      serverSideEncryption: { enabled: true },
    });
  }

  /** The rerun Lambda's environment for the pacer: the table (empty when Terraform switched it off) and the rate. */
  environment(launchesPerSecond: number): Record<string, string> {
    const name = attributeOf(this.table, "name");
    return {
      PACER_TABLE: this.presence === true ? name : Token.asString(conditional(this.presence, name, "")),
      LAUNCHES_PER_SECOND: Token.isUnresolved(launchesPerSecond) ? Token.asString(launchesPerSecond) : String(launchesPerSecond),
    };
  }

  /** Lets `role` (the rerun Lambda's) reserve slots. */
  allow(role: IamRole): void {
    new IamRolePolicy(this, "policy", {
      count: countOf(this.presence),
      name: "reserve-launch-slots",
      role: attributeOf(role, "id"),
      policy: policyDocument(pacerStatements(attributeOf(this.table, "arn")), this.encoding),
    });
  }

  /**
   * Lets `role` reserve slots on the spokes' clocks as well, when `presence` (the hub's, with the
   * pacer's) holds: a policy of its own, so a pipeline without spokes keeps exactly the one above.
   */
  allowSpokeClocks(role: IamRole, presence: Presence): void {
    new IamRolePolicy(this, "spoke-policy", {
      count: countOf(presence),
      name: "reserve-spoke-launch-slots",
      role: attributeOf(role, "id"),
      policy: policyDocument(spokePacerStatements(attributeOf(this.table, "arn")), this.encoding),
    });
  }

  /**
   * Counts the pacer failures the rerun Lambda logs in `logGroupName`, and alarms on any when
   * `alarm` is given (returning the alarm). The Lambda's Text log lines carry the JSON after a
   * prefix, so the filter matches the exact phrase rather than a JSON field.
   */
  watch(logGroupName: string, alarm: { presence: Presence; actions: readonly string[] } | undefined): CloudwatchMetricAlarm | undefined {
    const namespace = `ECSRerun/${this.props.name}`;
    new CloudwatchLogMetricFilter(this, "failures", {
      count: countOf(this.presence),
      name: `${this.props.name}-launch-pacer-failures`,
      logGroupName,
      pattern: `"${PACER_UNAVAILABLE}"`,
      metricTransformation: { namespace, name: PACER_FAILURE_METRIC, value: "1", unit: "Count" },
    });
    if (alarm === undefined) return undefined;
    return new CloudwatchMetricAlarm(this, "alarm", {
      count: countOf(alarm.presence),
      alarmName: `${this.props.name}-launch-pacer-failures`,
      alarmDescription:
        "The launch pacer failed after its retries (DynamoDB unreachable, access denied, the table gone): reruns went out unpaced, so a storm may meet ECS throttling (still retried, no attempt lost) and crowd the account's other ECS callers.",
      namespace,
      metricName: PACER_FAILURE_METRIC,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: alarm.actions as string[],
    });
  }
}
