import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { missedRunAlarmShape, resolveExpectedRun, successFilterPattern, successfulRunPattern, type ExpectedRun } from "./missed-run";
import { clusterArnMatchers } from "./task-state-pattern";

/** Props of {@link MissedRunAlarms}. */
export interface MissedRunAlarmsProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Protected clusters (names or ARNs) whose tasks are watched. */
  readonly clusters: readonly string[];
  /** The jobs that must succeed once per interval. */
  readonly expectedRuns: readonly ExpectedRun[];
  /** SNS topic the alarms notify (when they fire and when they clear). */
  readonly topicArn: string;
  /** Days the logged successful runs are kept. @default 30 */
  readonly logRetentionDays?: number;
}

/**
 * A dead man's switch per job: successful task stops go from an EventBridge rule into a log group,
 * a metric filter per job counts them, and an alarm fires when a whole interval plus grace passes
 * without one. All managed parts: nothing polls, nothing runs between jobs, and a job that was never
 * invoked (schedule disabled, role broken, region trouble) is caught precisely because nothing arrives.
 */
export class MissedRunAlarms extends Construct {
  /** The rule sending successful task stops to the log group. */
  public readonly rule: CloudwatchEventRule;
  /** The log group holding successful runs. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The alarms, by job name. */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The metric namespace of the success counts. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: MissedRunAlarmsProps) {
    super(scope, id);
    if (props.expectedRuns.length === 0) throw new Error("expectedRuns = [] is invalid: expected at least one job to watch");
    const runs = props.expectedRuns.map(resolveExpectedRun);
    const names = new Set<string>();
    for (const r of runs) {
      if (names.has(r.name)) throw new Error(`expectedRuns name = "${r.name}" is invalid: expected a name no other expected run has`);
      names.add(r.name);
    }
    this.namespace = `ECSRerun/${props.name}`;

    this.logGroup = new CloudwatchLogGroup(this, "successful-runs", {
      // EventBridge writes only to log groups under /aws/events/.
      name: `/aws/events/${props.name}/successful-runs`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: `${props.name}-successful-runs`,
      description: "Tasks on protected clusters that stopped after their essential container exited 0",
      eventPattern: JSON.stringify(successfulRunPattern(clusterArnMatchers(props.clusters))),
    });
    new CloudwatchLogResourcePolicy(this, "events-may-write", {
      policyName: `${props.name}-successful-runs`,
      policyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EventBridgeWritesSuccessfulRuns",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${this.logGroup.arn}:*`,
            Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
          },
        ],
      }),
    });
    new CloudwatchEventTarget(this, "to-log-group", { rule: this.rule.name, targetId: "successful-runs-log", arn: this.logGroup.arn });

    for (const run of runs) {
      const metricName = `SuccessfulRuns-${run.name}`;
      new CloudwatchLogMetricFilter(this, `count-${run.name}`, {
        name: `${props.name}-${run.name}-successful-runs`,
        logGroupName: this.logGroup.name,
        pattern: successFilterPattern(run),
        metricTransformation: { namespace: this.namespace, name: metricName, value: "1", unit: "Count" },
      });
      const { period, evaluationPeriods } = missedRunAlarmShape(run.intervalSeconds, run.graceSeconds);
      const what = run.family !== undefined ? `task definition family ${run.family}` : `tasks started by ${run.startedBy}`;
      this.alarms[run.name] = new CloudwatchMetricAlarm(this, `alarm-${run.name}`, {
        alarmName: `${props.name}-${run.name}-missed-run`,
        alarmDescription: `No successful run of ${what} for ${run.intervalSeconds + run.graceSeconds} s (interval ${run.intervalSeconds} s + grace ${run.graceSeconds} s): the job was not invoked, or every run failed.`,
        namespace: this.namespace,
        metricName,
        statistic: "Sum",
        period,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // No datapoint is exactly what a missed run looks like.
        treatMissingData: "breaching",
        alarmActions: [props.topicArn],
        okActions: [props.topicArn],
      });
    }
  }
}
