// The failure a drill run is about, recorded where AWS keeps it whether or not its event is ever
// delivered (what the reconciler sweeps): a rejected launch's CloudTrail record in the event history
// of its account and region, a stopped task among its account and region's tasks.
import type { LocalAws } from "./local-aws/local-aws";

type Json = Record<string, unknown>;

const detailOf = (event: Json): Json => (typeof event.detail === "object" && event.detail !== null ? (event.detail as Json) : {});
const isTaskEvent = (event: Json) => event["detail-type"] === "ECS Task State Change";

/** Records `event`'s failure in the local endpoints (nothing for an event that is neither kind). */
export function recordFailure(aws: LocalAws, event: Json): void {
  const detail = detailOf(event);
  if (isTaskEvent(event)) {
    if (typeof detail.taskArn === "string") aws.addRecordedTask(detail);
  } else if (typeof detail.eventID === "string") {
    aws.addToEventHistory(detail);
  }
}

/** When the failure happened (ms since the epoch): the record's eventTime, the task's stoppedAt, else the event's time. */
export function failureTimeOf(event: Json): number | undefined {
  const detail = detailOf(event);
  for (const t of [isTaskEvent(event) ? detail.stoppedAt : detail.eventTime, event.time]) {
    const ms = typeof t === "string" ? Date.parse(t) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}
