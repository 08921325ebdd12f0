// The pipeline's own alarms, on the notices topic: a rerun that gave up, a dead letter, a failing
// rerun Lambda, a notice that could not be published. Each fires on a real fault only: what heals
// within its retries (ECS throttling, a Slack hiccup) is not alarmed. Created in the pipeline's scope.
import type { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { attributeOf, countOf, type Presence } from "../../hcl/presence";
import { NOTICE_FAILURE_METRIC } from "./rerun-state-machine";

/** Props of {@link addPipelineAlarms}. */
export interface PipelineAlarmsProps {
  /** Prefix of the alarms' names. */
  readonly name: string;
  /** Whether the alarms exist: a Terraform bool expression count-switches them; never `false`. */
  readonly presence: Presence;
  /** The topic the alarms notify. */
  readonly topicArn: string;
  /** Actions besides the topic (a literal list or a Terraform list expression). @default [] */
  readonly alarmActions?: readonly string[];
  /** The rerun state machine, whose failed executions alarm. */
  readonly stateMachineArn: string;
  /** The dead-letter queue, whose visible messages alarm. */
  readonly deadLetterQueue: SqsQueue;
  /** The rerun Lambda, whose errors alarm. */
  readonly rerunFunction: LambdaFunction;
}

/** The topic, then the user's other actions (a literal list, or a Terraform list expression joined by `concat`). */
export function withTopic(topicArn: string, extra: readonly string[] = []): string[] {
  return Token.isUnresolved(extra) ? Token.asList(Fn.concat([[topicArn], extra as string[]])) : [topicArn, ...extra];
}

/**
 * Adds the alarms to `scope` itself; returns them by role (executionsFailed, deadLetters, rerunErrors,
 * noticesFailed). The Slack notifier has no errors alarm of its own: Lambda retries it, and a notice
 * that still fails lands in the dead-letter queue, whose alarm is the one that means "a human was
 * not told".
 */
export function addPipelineAlarms(scope: Construct, props: PipelineAlarmsProps): Record<string, CloudwatchMetricAlarm> {
  const { name, topicArn, stateMachineArn } = props;
  const alarmsPresence = props.presence;
  const alarmActions = withTopic(topicArn, props.alarmActions);
  const alarms: Record<string, CloudwatchMetricAlarm> = {};
  const alarm = (id: string, presence: Presence, config: Omit<CloudwatchMetricAlarmConfig, "alarmActions" | "evaluationPeriods" | "comparisonOperator" | "threshold" | "period">) => {
    alarms[id] = new CloudwatchMetricAlarm(scope, `alarm-${id}`, {
      count: countOf(presence),
      evaluationPeriods: 1,
      period: 300,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions,
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
  alarm("noticesFailed", alarmsPresence, {
    alarmName: `${name}-notices-failed`,
    alarmDescription:
      "Step Functions could not publish a notice to the topic (the rerun went on without it). This alarm's own action is that topic: when the topic itself is broken, give the alarm another action too.",
    namespace: NOTICE_FAILURE_METRIC.namespace,
    metricName: NOTICE_FAILURE_METRIC.metricName,
    dimensions: { [NOTICE_FAILURE_METRIC.dimension]: name },
    statistic: "Sum",
  });
  return alarms;
}
