// CloudTrail event history for one account and region: LookupEvents, answered from the RunTask and
// StartTask records the local ECS produced there (and any record a drill puts in the history, such as
// the original failure of an event file), in the request and response shape @aws-sdk/client-cloudtrail
// sends and parses (AWS JSON 1.1, X-Amz-Target CloudTrail_20131101.LookupEvents).
//
// What AWS documents and this twin does (CloudTrail API Reference, "LookupEvents"; CloudTrail User
// Guide, "Working with CloudTrail Event history"):
// - management events of the last 90 days, of this account and region only;
// - LookupAttributes: at most one, AttributeKey one of EventId, EventName, ReadOnly, Username,
//   ResourceType, ResourceName, EventSource, AccessKeyId (InvalidLookupAttributesException);
// - StartTime/EndTime inclusive ("events that occur after or at" / "before or at"), start after end
//   is InvalidTimeRangeException;
// - MaxResults 1 to 50, default 50 (InvalidMaxResultsException); NextToken must come back with the
//   same parameters (InvalidNextTokenException);
// - EventCategory "insight" only (InvalidEventCategoryException); there are no Insights events here;
// - "The rate of lookup requests is limited to two per second, per account, per Region. If this limit
//   is exceeded, a throttling error occurs": ThrottlingException, HTTP 429, when a rate is set;
// - events newest first, each with CloudTrailEvent, the record's JSON text.
// A record appears in the history `delaySeconds` after its eventTime (default 0): CloudTrail
// "typically delivers logs within an average of about 5 minutes of an API call. This time is not
// guaranteed" (CloudTrail User Guide, "Getting and viewing your CloudTrail log files").
import { createHash } from "node:crypto";
import { ApiError, type LocalService, type Reply } from "./protocol";
import type { CloudTrailApiCallEvent } from "./shapes";

/** The X-Amz-Target prefix of CloudTrail's operations, as the SDK sends it. */
export const CLOUDTRAIL_TARGET_PREFIX = "CloudTrail_20131101";
/** How long event history keeps a record. */
export const EVENT_HISTORY_DAYS = 90;
/** AWS's documented LookupEvents rate, per account and region. */
export const LOOKUP_EVENTS_PER_SECOND = 2;
export const LOOKUP_EVENTS_MAX_RESULTS = 50;

const ATTRIBUTE_KEYS = ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

type CloudTrailRecord = Record<string, any>;

/** How the history behaves: its documented rate limit (off by default) and its delivery delay. */
export interface HistorySettings {
  /** LookupEvents calls allowed per second (AWS: 2); undefined: no limit. */
  lookupsPerSecond?: number;
  /** Seconds after its eventTime a record becomes visible. @default 0 */
  delaySeconds?: number;
}

/** The user name event history shows for a record (the role's name for a role session, as the console shows it). */
function userNameOf(record: CloudTrailRecord): string | undefined {
  const u = record.userIdentity ?? {};
  return u.sessionContext?.sessionIssuer?.userName ?? u.userName ?? (typeof u.arn === "string" ? u.arn.split("/").pop() : undefined);
}

function attributeOf(record: CloudTrailRecord, key: AttributeKey): string | undefined {
  switch (key) {
    case "EventId":
      return record.eventID;
    case "EventName":
      return record.eventName;
    case "EventSource":
      return record.eventSource;
    case "ReadOnly":
      return String(record.readOnly ?? false);
    case "Username":
      return userNameOf(record);
    case "AccessKeyId":
      return record.userIdentity?.accessKeyId;
    default:
      // ResourceType / ResourceName: ECS launch records list no resources in event history here.
      return undefined;
  }
}

const seconds = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ApiError("SerializationException", `${name} must be a timestamp`);
  return v * 1000;
};

export class LocalCloudTrailHistory implements LocalService {
  readonly operations = new Set<string | undefined>(["LookupEvents"]);
  /** Records put in the history by hand (the drill's original failure), besides those the local ECS emitted. */
  private readonly added: CloudTrailRecord[] = [];
  /** Times of the lookups answered within the last second (for the rate limit). */
  private recent: number[] = [];

  constructor(
    /** The place's emitted "AWS API Call via CloudTrail" events (their `detail` is the record). */
    private readonly emitted: readonly CloudTrailApiCallEvent[],
    private readonly settings: () => HistorySettings,
  ) {}

  /** Puts a record (an event's `detail`) in this place's history, as if CloudTrail had recorded it here. */
  add(record: CloudTrailRecord): void {
    this.added.push(structuredClone(record));
  }

  reset(): void {
    this.added.length = 0;
    this.recent = [];
  }

  /** Every record the history holds, visible or not, oldest first. */
  records(): CloudTrailRecord[] {
    return [...this.added, ...this.emitted.map((e) => e.detail as CloudTrailRecord)].sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
  }

  answer(op: string, request: Record<string, unknown>, at: number): Reply {
    if (op !== "LookupEvents") throw new ApiError("UnknownOperationException", `Unknown operation ${op}`);
    const { lookupsPerSecond, delaySeconds = 0 } = this.settings();
    if (lookupsPerSecond !== undefined) {
      this.recent = this.recent.filter((t) => at - t < 1000);
      if (this.recent.length >= lookupsPerSecond) throw new ApiError("ThrottlingException", "Rate exceeded", {}, 429);
      this.recent.push(at);
    }
    return { status: 200, body: this.lookup(request, at, delaySeconds), answer: "ok" };
  }

  private lookup(request: Record<string, unknown>, at: number, delaySeconds: number): Record<string, unknown> {
    const attributes = (request.LookupAttributes ?? []) as { AttributeKey?: unknown; AttributeValue?: unknown }[];
    if (!Array.isArray(attributes) || attributes.length > 1) throw new ApiError("InvalidLookupAttributesException", "You can specify only one lookup attribute.");
    const attribute = attributes[0];
    if (attribute !== undefined && (!(ATTRIBUTE_KEYS as readonly unknown[]).includes(attribute.AttributeKey) || typeof attribute.AttributeValue !== "string" || attribute.AttributeValue === "")) {
      throw new ApiError("InvalidLookupAttributesException", `Invalid lookup attribute ${JSON.stringify(attribute)}`);
    }
    if (request.EventCategory !== undefined && request.EventCategory !== "insight") throw new ApiError("InvalidEventCategoryException", "EventCategory must be insight");
    const max = request.MaxResults ?? LOOKUP_EVENTS_MAX_RESULTS;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > LOOKUP_EVENTS_MAX_RESULTS) throw new ApiError("InvalidMaxResultsException", "MaxResults must be from 1 to 50");
    const oldest = at - EVENT_HISTORY_DAYS * 86_400_000;
    const start = Math.max(seconds(request.StartTime, "StartTime") ?? oldest, oldest);
    const end = seconds(request.EndTime, "EndTime") ?? at;
    if (request.StartTime !== undefined && request.EndTime !== undefined && start > end) throw new ApiError("InvalidTimeRangeException", "StartTime is after EndTime");
    // A token is bound to the parameters it was issued with.
    const params = createHash("sha256").update(JSON.stringify([attribute ?? null, request.StartTime ?? null, request.EndTime ?? null, request.EventCategory ?? null])).digest("hex").slice(0, 16);
    let offset = 0;
    if (request.NextToken !== undefined) {
      const token = /^([0-9a-f]{16})-(\d+)$/.exec(Buffer.from(String(request.NextToken), "base64").toString("utf8"));
      if (token === null || token[1] !== params) throw new ApiError("InvalidNextTokenException", "Invalid NextToken: it must be used with the parameters of the call that returned it");
      offset = Number(token[2]);
    }
    // Insights events: none here.
    const matching =
      request.EventCategory === "insight"
        ? []
        : this.records()
            .filter((r) => {
              const t = Date.parse(r.eventTime);
              return t >= start && t <= end && t + delaySeconds * 1000 <= at && (attribute === undefined || attributeOf(r, attribute.AttributeKey as AttributeKey) === attribute.AttributeValue);
            })
            .reverse();
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? Buffer.from(`${params}-${offset + max}`).toString("base64") : undefined;
    return {
      Events: page.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly ?? false),
        ...(r.userIdentity?.accessKeyId ? { AccessKeyId: r.userIdentity.accessKeyId } : {}),
        EventTime: Date.parse(r.eventTime) / 1000,
        EventSource: r.eventSource,
        ...(userNameOf(r) !== undefined ? { Username: userNameOf(r) } : {}),
        Resources: [],
        CloudTrailEvent: JSON.stringify(r),
      })),
      ...(next !== undefined ? { NextToken: next } : {}),
    };
  }
}
