// Missed-run detection in the drill: successful task events counted by the log group's metric
// filters, and each missed-run alarm evaluated once a period, its changes published to the topic.

import { evaluateAlarm, matchesFilterPattern, parseFilterPattern, type AlarmState } from "./cloudwatch";
import type { DeliveryReport, DrillResult, RunScope } from "./drill-types";
import { matchesEventPattern } from "./event-pattern-matcher";
import type { EcsTaskStateChangeEvent } from "./local-aws";

/**
 * Returns the listener of the local endpoint's task events and the successful runs it counts
 * (real timestamps, by metric name); `start` runs a stopped task's event through the pipeline.
 */
export function taskEventListener(
  { pipeline, note }: RunScope,
  start: (event: unknown, origin: DeliveryReport["origin"]) => void,
): { successfulRuns: Record<string, number[]>; onTaskEvent: (e: EcsTaskStateChangeEvent) => void } {
  // Task events: failures go through the task-failures rule; successes into the log group whose
  // metric filters count them for the missed-run alarms.
  const successfulRuns: Record<string, number[]> = {};
  const filters = pipeline.metricFilters.map((f) => ({ ...f, terms: parseFilterPattern(f.pattern) }));
  const onTaskEvent = (e: EcsTaskStateChangeEvent) => {
    if (pipeline.successPatterns.some((pattern) => matchesEventPattern(pattern, e))) {
      for (const f of filters) {
        if (!matchesFilterPattern(f.terms, e)) continue;
        (successfulRuns[f.metricName] ??= []).push(Date.now());
        note(0, `successful run counted: ${e.detail.group} stopped with exit code 0 (${f.metricName})`);
      }
    }
    if (e.detail.lastStatus === "STOPPED") start(e, "task-event");
  };
  return { successfulRuns, onTaskEvent };
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
