/** The dead-letter queue EventBridge schedules send what they could not deliver to, with its depth alarm. */
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";

/** Props of {@link ScheduleDeadLetterQueue}. */
export interface ScheduleDeadLetterQueueProps {
  /** Queue name. */
  readonly name: string;
  /** ARN pattern of the EventBridge rules allowed to send here, e.g. `arn:aws:events:r:a:rule/batch-ec2-*`. */
  readonly sourceRuleArnPattern: string;
  /** SNS topic ARNs the depth alarm notifies. @default [] */
  readonly alarmActions?: readonly string[];
  /** How long undelivered invocations are kept, in seconds. @default 1209600 (14 days, the SQS maximum) */
  readonly retentionSeconds?: number;
}

/**
 * Where EventBridge puts a scheduled invocation it could not deliver after its retries (throttled,
 * role lacks permission, cluster gone), with an alarm on its depth so the loss is seen.
 */
export class ScheduleDeadLetterQueue extends Construct {
  /** The dead-letter queue. */
  public readonly queue: SqsQueue;
  /** Alarm when any message waits in the queue. */
  public readonly depthAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ScheduleDeadLetterQueueProps) {
    super(scope, id);
    const retentionSeconds = props.retentionSeconds ?? 1209600;
    if (!Number.isInteger(retentionSeconds) || retentionSeconds < 60 || retentionSeconds > 1209600) {
      throw new Error(`retentionSeconds = ${retentionSeconds} is invalid: expected a whole number from 60 to 1209600`);
    }
    this.queue = new SqsQueue(this, "queue", {
      name: props.name,
      messageRetentionSeconds: retentionSeconds,
      sqsManagedSseEnabled: true,
    });
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EventBridgeRulesOfThisCluster",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: this.queue.arn,
            Condition: { ArnLike: { "aws:SourceArn": props.sourceRuleArnPattern } },
          },
        ],
      }),
    });
    this.depthAlarm = new CloudwatchMetricAlarm(this, "depth-alarm", {
      alarmName: `${props.name}-not-empty`,
      alarmDescription: "A scheduled task invocation could not be delivered to ECS and waits in the dead-letter queue.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.queue.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [...(props.alarmActions ?? [])],
    });
  }
}
