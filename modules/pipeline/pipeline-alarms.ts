// The pipeline's own alarms, on the notices topic: a rerun that gave up, a dead letter, a failing
// Lambda. Created in the pipeline's own scope.
import type { Construct } from "constructs";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { allOf, attributeOf, countOf, type Presence } from "../hcl/presence";

/** Props of {@link addPipelineAlarms}. */
export interface PipelineAlarmsProps {
  /** Prefix of the alarms' names. */
  readonly name: string;
  /** Whether the alarms exist: a Terraform bool expression count-switches them; never `false`. */
  readonly presence: Presence;
  /** The topic the alarms notify. */
  readonly topicArn: string;
  /** The rerun state machine, whose failed executions alarm. */
  readonly stateMachineArn: string;
  /** The dead-letter queue, whose visible messages alarm. */
  readonly deadLetterQueue: SqsQueue;
  /** The rerun Lambda, whose errors alarm. */
  readonly rerunFunction: LambdaFunction;
  /** The Slack notifier, whose errors alarm, when there is one. @default undefined */
  readonly notifierFunction?: LambdaFunction;
  /** Whether the notifier exists (switches its alarm with it). @default true */
  readonly notifierPresence?: Presence;
}

/** Adds the alarms to `scope` itself; returns them by role (executionsFailed, deadLetters, rerunErrors, notifierErrors). */
export function addPipelineAlarms(scope: Construct, props: PipelineAlarmsProps): Record<string, CloudwatchMetricAlarm> {
  const { name, topicArn, stateMachineArn } = props;
  const alarmsPresence = props.presence;
  const alarms: Record<string, CloudwatchMetricAlarm> = {};
  const alarm = (id: string, presence: Presence, config: Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "evaluationPeriods" | "comparisonOperator" | "threshold" | "period">) => {
    alarms[id] = new CloudwatchMetricAlarm(scope, `alarm-${id}`, {
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
    dimensions: { QueueName: attributeOf(props.deadLetterQueue, "name") },
    statistic: "Maximum",
  });
  alarm("rerunErrors", alarmsPresence, {
    alarmName: `${name}-rerun-errors`,
    alarmDescription: "The rerun Lambda failed.",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: attributeOf(props.rerunFunction, "function_name") },
    statistic: "Sum",
  });
  if (props.notifierFunction) {
    alarm("notifierErrors", allOf(alarmsPresence, props.notifierPresence ?? true), {
      alarmName: `${name}-notifier-errors`,
      alarmDescription: "The Slack notifier failed (it retries; undelivered notices go to the dead-letter queue).",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: attributeOf(props.notifierFunction, "function_name") },
      statistic: "Sum",
    });
  }
  return alarms;
}
