// CloudTrail + EventBridge for launches: the "AWS API Call via CloudTrail" event each RunTask/StartTask
// call produces, kept and handed to the listener the way the production rule would receive it.
import { randomUUID } from "node:crypto";
import type { EcsTask } from "../simulation/task-lifecycle";
import { isoSeconds, type Reply } from "./protocol";
import type { CloudTrailApiCallEvent, Identity } from "./shapes";

// CloudTrail's current record version; consumers must accept any 1.x (the fixtures are 1.08).
const CLOUDTRAIL_EVENT_VERSION = "1.11";

export class LocalCloudTrail {
  readonly events: CloudTrailApiCallEvent[] = [];

  constructor(
    private readonly account: string,
    private readonly region: string,
    /** The router's list of listener errors, shared with the other services. */
    private readonly callbackErrors: unknown[],
    private onCloudTrailEvent?: (event: CloudTrailApiCallEvent) => void,
    /** Keep every event in `events` (false: hand them to the listener only). */
    private readonly keep = true,
  ) {}

  /** Replaces the listener; returns the old one. */
  setListener(listener: ((event: CloudTrailApiCallEvent) => void) | undefined): ((event: CloudTrailApiCallEvent) => void) | undefined {
    const previous = this.onCloudTrailEvent;
    this.onCloudTrailEvent = listener;
    return previous;
  }

  /** Forgets the events sent so far. */
  reset(): void {
    this.events.length = 0;
  }

  cloudTrailEvent(
    op: "RunTask" | "StartTask",
    request: Record<string, unknown>,
    reply: Reply,
    caller: Identity,
    at: number,
    requestId: string,
    /** Where the call came from: its address and user agent, as CloudTrail records them. */
    origin: { readonly remoteAddress?: string; readonly userAgent?: string },
  ): CloudTrailApiCallEvent {
    const time = isoSeconds(at);
    const invokedBy = caller.type === "AssumedRole" ? caller.invokedBy : undefined;
    const ok = reply.errorCode === undefined;
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ecs",
      account: this.account,
      time,
      region: this.region,
      resources: [],
      detail: {
        eventVersion: CLOUDTRAIL_EVENT_VERSION,
        userIdentity: structuredClone(caller),
        eventTime: time,
        eventSource: "ecs.amazonaws.com",
        eventName: op,
        awsRegion: this.region,
        sourceIPAddress: invokedBy ?? origin.remoteAddress ?? "127.0.0.1",
        userAgent: invokedBy ?? origin.userAgent ?? "",
        ...(ok ? {} : { errorCode: reply.errorCode, errorMessage: reply.errorMessage }),
        requestParameters: structuredClone(request),
        // Failed calls (throttled, errors) carry no response in CloudTrail.
        responseElements: ok ? { tasks: (reply.tasks ?? []).map(cloudTrailTask), failures: structuredClone(reply.failures ?? []) } : null,
        requestID: requestId,
        eventID: randomUUID(),
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: this.account,
        eventCategory: "Management",
      },
    };
  }

  emit(event: CloudTrailApiCallEvent): void {
    if (this.keep) this.events.push(event);
    if (!this.onCloudTrailEvent) return;
    try {
      // A kept event is the record: the listener gets its own copy.
      this.onCloudTrailEvent(this.keep ? structuredClone(event) : event);
    } catch (err) {
      this.callbackErrors.push(err);
    }
  }
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** CloudTrail renders task timestamps as Java's "Mar 5, 2025, 3:00:06 AM" (UTC), not epoch seconds. */
function cloudTrailTimestamp(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

function cloudTrailTask(task: EcsTask): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(task) as unknown as Record<string, unknown>;
  for (const field of ["createdAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt"] as const) {
    const v = task[field];
    if (typeof v === "number") out[field] = cloudTrailTimestamp(v);
  }
  return out;
}
