/**
 * What keeps Slack readable in a storm (lambda/notifier/core/digest.ts, store.ts, digest-queue.ts):
 * the notifier's table (per-minute notice counts, the Slack clock, the digest gate, a bot's threads),
 * the digest queue holding the notices folded in a storm, the schedule that asks the notifier for the
 * minute's digest, the notifier's rights on them, and their alarms.
 *
 * Why this shape. SNS -> notifier stays the path of a lone notice, so it reaches Slack at once (no
 * batching window in front of it). Counting needs one shared number per minute across concurrent
 * notifier invocations: an atomic DynamoDB UpdateItem (one write a notice, $1.25 per million on demand).
 * The folded notices need a buffer that survives failures and counts each once: SQS, whose messages
 * are deleted only after the digest that counts them was posted, come back after their visibility
 * timeout otherwise, and move to the dead-letter queue after maxReceiveCount. A digest needs a clock:
 * a schedule once a minute (43,200 invocations and empty ReceiveMessage calls a month, a few cents).
 */
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Token } from "cdktf";
import { DIGEST_GATE_KEY, NOTICE_STORE_UNAVAILABLE, SLACK_CLOCK_KEY } from "../../../lambda/notifier/store";
import { SLOT_CLOCK_KEY_ATTRIBUTE } from "../../../lambda/shared/slot-clock";
import { attributeOf, countOf, type Presence } from "../../hcl/presence";
import { policyDocument, type DocumentEncoding, type PolicyStatement } from "../../iam";

/** Metric counting the notifier's store failures, in the pipeline's namespace `ECSRerun/<name>`. */
export const NOTICE_STORE_FAILURE_METRIC = "NoticeStoreFailures";
/** A folded notice older than this in the digest queue means digests are not going out. */
export const DIGEST_DELAY_ALARM_SECONDS = 600;
/** Receives of a folded notice before it moves to the dead-letter queue (each flush that failed to post it is one). */
export const DIGEST_MAX_RECEIVES = 10;

/** Props of {@link NoticeStorm}. */
export interface NoticeStormProps {
  /** Prefix of the names. */
  readonly name: string;
  /** Whether it exists (the notifier's presence). */
  readonly presence: Presence;
  /** The pipeline's dead-letter queue, where a notice no digest could post ends up. */
  readonly deadLetterQueueArn: string;
  /** How its policy documents are written. */
  readonly encoding: DocumentEncoding;
}

/** The notifier's rights: the four kinds of item of its table, and the digest queue. */
export function noticeStormStatements(tableArn: string, queueArn: string): PolicyStatement[] {
  return [
    {
      // Counts, the Slack clock, the digest gate and a bot's threads: GetItem and UpdateItem only (no
      // scan, no delete: TTL deletes), and only on those keys.
      Sid: "CountPaceAndThreadNotices",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: tableArn,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["window#*", SLACK_CLOCK_KEY, DIGEST_GATE_KEY, "thread#*"] } },
    },
    { Sid: "FoldAndDigestNotices", Effect: "Allow", Action: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: queueArn },
  ];
}

export class NoticeStorm extends Construct {
  public readonly table: DynamodbTable;
  public readonly queue: SqsQueue;
  /** The once-a-minute schedule that asks for the digest. */
  public readonly schedule: CloudwatchEventRule;

  private readonly count: number | undefined;

  constructor(scope: Construct, id: string, private readonly props: NoticeStormProps) {
    super(scope, id);
    this.count = countOf(props.presence);
    this.table = new DynamodbTable(this, "table", {
      count: this.count,
      name: `${props.name}-notices`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: SLOT_CLOCK_KEY_ATTRIBUTE,
      attribute: [{ name: SLOT_CLOCK_KEY_ATTRIBUTE, type: "S" }],
      // Counters and threads expire by themselves: TTL on expiresAt (epoch seconds), deleted "typically
      // within two days of expiration" (DynamoDB API Reference, UpdateTimeToLive).
      ttl: { attributeName: "expiresAt", enabled: true },
      // Encrypted at rest with the AWS managed key aws/dynamodb: it holds counts, times and Slack
      // message timestamps, no notice, token or URL.
      serverSideEncryption: { enabled: true },
    });
    this.queue = new SqsQueue(this, "queue", {
      count: this.count,
      name: `${props.name}-digest`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 4 * 24 * 3600,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: props.deadLetterQueueArn, maxReceiveCount: DIGEST_MAX_RECEIVES }),
    });
    this.schedule = new CloudwatchEventRule(this, "schedule", {
      count: this.count,
      name: `${props.name}-digest`,
      description: "Asks the notifier for the storm digest of the last minute (nothing is posted when no notice was folded).",
      scheduleExpression: "rate(1 minute)",
    });
  }

  /** The notifier's environment for the storm parts. */
  environment(digestAbovePerMinute: number): Record<string, string> {
    return {
      NOTICE_TABLE: attributeOf(this.table, "name"),
      DIGEST_QUEUE_URL: attributeOf(this.queue, "url"),
      DIGEST_ABOVE_PER_MINUTE: Token.isUnresolved(digestAbovePerMinute) ? Token.asString(digestAbovePerMinute) : String(digestAbovePerMinute),
    };
  }

  /** Lets the notifier use the table and the queue, and the schedule invoke it. */
  wire(notifier: LambdaFunction, roleId: string): void {
    new IamRolePolicy(this, "policy", {
      count: this.count,
      name: "count-pace-and-digest-notices",
      role: roleId,
      policy: policyDocument(noticeStormStatements(attributeOf(this.table, "arn"), attributeOf(this.queue, "arn")), this.props.encoding),
    });
    new CloudwatchEventTarget(this, "target", { count: this.count, rule: attributeOf(this.schedule, "name"), targetId: "digest", arn: attributeOf(notifier, "arn") });
    new LambdaPermission(this, "permission", {
      count: this.count,
      statementId: "InvokeForTheDigest",
      action: "lambda:InvokeFunction",
      functionName: attributeOf(notifier, "function_name"),
      principal: "events.amazonaws.com",
      sourceArn: attributeOf(this.schedule, "arn"),
    });
  }

  /**
   * Alarms: the store failing (notices then go unpaced and unfolded: a storm floods Slack and meets
   * 429s), and folded notices waiting longer than DIGEST_DELAY_ALARM_SECONDS (digests not going out).
   */
  alarms(notifierLogGroupName: string, alarm: { presence: Presence; actions: readonly string[] }): Record<string, CloudwatchMetricAlarm> {
    const namespace = `ECSRerun/${this.props.name}`;
    new CloudwatchLogMetricFilter(this, "store-failures", {
      count: this.count,
      name: `${this.props.name}-notice-store-failures`,
      logGroupName: notifierLogGroupName,
      pattern: `"${NOTICE_STORE_UNAVAILABLE}"`,
      metricTransformation: { namespace, name: NOTICE_STORE_FAILURE_METRIC, value: "1", unit: "Count" },
    });
    const common = { count: countOf(alarm.presence), evaluationPeriods: 1, period: 300, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching", alarmActions: alarm.actions as string[] };
    return {
      noticeStoreFailures: new CloudwatchMetricAlarm(this, "store-alarm", {
        ...common,
        alarmName: `${this.props.name}-notice-store-failures`,
        alarmDescription: `The notifier could not use its table ${this.props.name}-notices: notices went to Slack unpaced and unfolded, so a storm may flood the channel and meet 429s (still retried, then parked in the dead-letter queue).`,
        namespace,
        metricName: NOTICE_STORE_FAILURE_METRIC,
        statistic: "Sum",
        threshold: 0,
      }),
      digestDelayed: new CloudwatchMetricAlarm(this, "delay-alarm", {
        ...common,
        alarmName: `${this.props.name}-digest-delayed`,
        alarmDescription: `Notices folded in a storm have waited more than ${DIGEST_DELAY_ALARM_SECONDS} s for their digest (Slack refusing, the notifier failing, its schedule off): they move to the dead-letter queue after ${DIGEST_MAX_RECEIVES} tries.`,
        // "The approximate age of the oldest non-deleted message in the queue", seconds, dimension
        // QueueName (SQS Developer Guide, "Available CloudWatch metrics for Amazon SQS").
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: attributeOf(this.queue, "name") },
        statistic: "Maximum",
        threshold: DIGEST_DELAY_ALARM_SECONDS,
      }),
    };
  }
}
