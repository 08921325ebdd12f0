// Missed-run detection in the drill: stopped tasks judged by the real run counter, its verdict
// lines counted by the synthesized metric filters, and each missed-run alarm evaluated once a
// period, its changes published to the topic.

import { evaluateAlarm, matchesFilterPattern, parseFilterPattern, type AlarmState } from "./cloudwatch";
import type { DeliveryReport, DrillResult, RunScope } from "../drill-types";
import { matchesEventPattern } from "../event-pattern/event-pattern-matcher";
import type { EcsTaskStateChangeEvent } from "../local-aws/local-aws";

/**
 * Returns the listener of the local endpoint's task events, `countRun` (the successful-runs rule and
 * the run counter, for any stopped task's event), the successful runs the filters counted (real
 * timestamps, by metric name) and each judged task's verdict; `start` runs a stopped task's event
 * through the pipeline, `judge` is the run counter (its verdict lines go to `lines`).
 */
export function taskEventListener(
  { pipeline, note, track }: RunScope,
  start: (event: unknown, origin: DeliveryReport["origin"]) => void,
  judge: (event: unknown) => Promise<{ counted: boolean; lines: string[] }>,
): {
  successfulRuns: Record<string, number[]>;
  countedAsSuccess: Record<string, boolean>;
  countRun: (e: unknown) => void;
  onTaskEvent: (e: EcsTaskStateChangeEvent) => void;
} {
  const successfulRuns: Record<string, number[]> = {};
  const countedAsSuccess: Record<string, boolean> = {};
  const filters = pipeline.metricFilters.map((f) => ({ ...f, terms: parseFilterPattern(f.pattern) }));
  // The successful-runs rule sends possible successes to the run counter; the metric filters count
  // the verdict lines it logs.
  const countRun = (e: unknown) => {
    // Clusters may be spread over several rules (pattern size limits): any of them sends the event.
    if (!pipeline.successPatterns.some((pattern) => matchesEventPattern(pattern, e))) return;
    const detail = (e as { detail: { taskArn: string; group?: string } }).detail;
    track(
      judge(e).then(({ counted, lines }) => {
        countedAsSuccess[detail.taskArn] = counted;
        for (const line of lines) {
          const record = JSON.parse(line) as unknown;
          for (const f of filters) {
            if (!matchesFilterPattern(f.terms, record)) continue;
            (successfulRuns[f.metricName] ??= []).push(Date.now());
            note(0, `successful run counted: ${detail.group} (${f.metricName})`);
          }
        }
        if (!counted) note(0, `stopped task ${detail.taskArn.split("/").pop()} not counted as a successful run`);
      }),
    );
  };
  const onTaskEvent = (e: EcsTaskStateChangeEvent) => {
    countRun(e);
    if (e.detail.lastStatus === "STOPPED") start(e, "task-event");
  };
  return { successfulRuns, countedAsSuccess, countRun, onTaskEvent };
}

/** Returns `watchAlarms`, which starts the alarms' periodic evaluation, and what it records. */
export function missedRunAlarms(
  { pipeline, clock, note, running }: RunScope,
  account: string,
  successfulRuns: Record<string, number[]>,
  deliverNotice: (event: number, message: string) => Promise<void>,
): { alarmChanges: DrillResult["alarmChanges"]; watchers: ReturnType<typeof setInterval>[]; watchAlarms: () => void } {
  // CloudWatch evaluates each missed-run alarm once a period and publishes its changes to the topic.
  const alarmChanges: DrillResult["alarmChanges"] = [];
  const watchers: ReturnType<typeof setInterval>[] = [];
  const watchAlarms = () => {
    for (const spec of pipeline.missedRunAlarms) {
      let state: AlarmState = "INSUFFICIENT_DATA";
      watchers.push(
        setInterval(() => {
          const next = evaluateAlarm(spec, successfulRuns[spec.metric_name] ?? [], Date.now());
          if (next === state) return;
          alarmChanges.push({ t: clock.elapsedSeconds(), alarmName: spec.alarm_name, from: state, to: next });
          note(0, `alarm ${spec.alarm_name}: ${state} -> ${next}`);
          const message = JSON.stringify({
            AlarmName: spec.alarm_name,
            AlarmDescription: spec.alarm_description,
            AWSAccountId: account,
            NewStateValue: next,
            NewStateReason: `Threshold Crossed: no datapoint >= ${spec.threshold} in the last ${spec.evaluation_periods} periods of ${spec.period} s`,
            StateChangeTime: new Date().toISOString(),
            Region: pipeline.region,
            AlarmArn: `arn:aws:cloudwatch:${pipeline.region}:${account}:alarm:${spec.alarm_name}`,
            OldStateValue: state,
          });
          state = next;
          const delivery = deliverNotice(0, message);
          running.add(delivery);
          void delivery.finally(() => running.delete(delivery));
        }, spec.period * 1000),
      );
    }
  };
  return { alarmChanges, watchers, watchAlarms };
}
