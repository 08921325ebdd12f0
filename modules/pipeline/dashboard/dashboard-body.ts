/**
 * The pipeline's CloudWatch dashboard as data: a pure function of the names it draws, so tests read
 * the very body the stacks deploy. Its shape follows "Dashboard Body Structure and Syntax"
 * (CloudWatch API Reference): a `widgets` array, each widget with `type`, `x`, `y`, `width`,
 * `height` (a grid 24 units wide) and `properties`; a metric widget's `metrics` are arrays of
 * namespace, metric name, dimension name/value pairs and a rendering object, and it needs a
 * `region`; an alarm status widget lists alarm ARNs.
 */
import { PACER_FAILURE_METRIC } from "../pacing/launch-pacer";
import { NOTICE_FAILURE_METRIC } from "../orchestration/rerun-state-machine";
import { FOUND_BY_RECONCILER_METRIC } from "../reconciler/reconciler-names";
import { PIPELINE_METRICS } from "./pipeline-metrics";

/** What the body names; any of these may be Terraform expressions (string tokens). */
export interface DashboardInput {
  /** The pipeline's name: the NoticesFailed metric's dimension (its state machine's name). */
  readonly name: string;
  /** The pipeline's own metrics' namespace, `ECSRerun/<name>` (pipelineNamespace). */
  readonly namespace: string;
  /** The region the metrics live in. */
  readonly region: string;
  /** The state machine's ARN (the AWS/States metrics' dimension). */
  readonly stateMachineArn: string;
  /** The dead-letter queue's name (AWS/SQS). */
  readonly deadLetterQueueName: string;
}

/** A metric of a metric widget: namespace, name, dimension pairs, then how to draw it. */
export type MetricLine = readonly (string | Readonly<Record<string, string | number>>)[];

/** One widget of the body. */
export interface Widget {
  readonly type: "metric" | "alarm" | "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The body: what `dashboard_body` holds, as JSON. */
export interface DashboardBody {
  readonly widgets: readonly Widget[];
}

/** Widgets are 12 wide and 6 high: two a row. */
const WIDTH = 12;
const HEIGHT = 6;
/** Counts per five minutes, as the alarms look at them. */
const PERIOD = 300;

const at = (index: number) => ({ x: (index % 2) * WIDTH, y: Math.floor(index / 2) * HEIGHT, width: WIDTH, height: HEIGHT });

/** A graph of `metrics` summed per five minutes. */
function graph(index: number, title: string, region: string, metrics: readonly MetricLine[], stat = "Sum"): Widget {
  return { type: "metric", ...at(index), properties: { title, region, view: "timeSeries", stacked: false, period: PERIOD, stat, metrics } };
}

/**
 * Every widget but the missed runs': failures found by path, how they ended, time to recovery,
 * launches paced, notices that failed. Metrics of parts switched off (no reconciler, no pacer) are
 * drawn all the same, with no data.
 */
export function dashboardWidgets(input: DashboardInput): Widget[] {
  const ns = input.namespace;
  const M = PIPELINE_METRICS;
  const own = (metric: string, label: string, extra: Record<string, string | number> = {}): MetricLine => [ns, metric, { label, ...extra }];
  return [
    graph(0, "Failures found, by path", input.region, [
      own(M.foundByEvent.metric, "by their event (the rules)"),
      own(FOUND_BY_RECONCILER_METRIC, "by the reconciler (their event never came)"),
      ["AWS/States", "ExecutionsStarted", "StateMachineArn", input.stateMachineArn, { label: "executions started (self-tests too)" }],
    ]),
    graph(1, "How failures ended", input.region, [
      own(M.recoveries.metric, "recovered"),
      own(M.gaveUp.metric, "gave up"),
      own(M.needsHuman.metric, "needs a human (request not recoverable)"),
      own(M.notRetryable.metric, "not retryable (a human must look)"),
    ]),
    graph(
      2,
      "Time to recovery (seconds from the rejected launch to its replacement running)",
      input.region,
      [own(M.secondsToRecovery.metric, "average", { stat: "Average" }), own(M.secondsToRecovery.metric, "slowest", { stat: "Maximum" })],
      "Average",
    ),
    graph(3, "Launches paced", input.region, [own(M.launchesPaced.metric, "held back for the shared launch rate"), own(PACER_FAILURE_METRIC, "sent unpaced (the pacer failed)")]),
    graph(4, "Notices that failed", input.region, [
      [NOTICE_FAILURE_METRIC.namespace, NOTICE_FAILURE_METRIC.metricName, NOTICE_FAILURE_METRIC.dimension, input.name, { label: "not published (parked in the dead-letter queue)" }],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", input.deadLetterQueueName, { label: "waiting in the dead-letter queue", stat: "Maximum" }],
    ]),
  ];
}

/** The missed-run alarms' states, beside the last graph. */
export function missedRunsWidget(alarmArns: readonly string[]): Widget {
  return { type: "alarm", ...at(5), properties: { title: "Missed runs (dead man's switches)", alarms: alarmArns } };
}

/** The whole body for literal missed-run alarms (none: no missed-runs widget). */
export function dashboardBody(input: DashboardInput, missedRunAlarmArns: readonly string[]): DashboardBody {
  const widgets = dashboardWidgets(input);
  return { widgets: missedRunAlarmArns.length > 0 ? [...widgets, missedRunsWidget(missedRunAlarmArns)] : widgets };
}

/** Every metric the body draws, as [namespace, name] (for the tests that find each one's source). */
export function metricsOf(body: DashboardBody): [string, string][] {
  return body.widgets.flatMap((w) => (w.type === "metric" ? (w.properties.metrics as MetricLine[]).map((m) => [m[0] as string, m[1] as string] as [string, string]) : []));
}
