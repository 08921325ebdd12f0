/**
 * The audit's input, online: CloudTrail event history, which every account has for its last 90 days
 * of management events, trail or not. One `LookupEvents` per event name (the API takes one lookup
 * attribute a request: "Currently the list can contain only one item"), 50 events a page, and at
 * most two requests a second per account and Region, "If this limit is exceeded, a throttling error
 * occurs" (CloudTrail API Reference, LookupEvents). Pages are paced to that rate, so a long period
 * reads slowly rather than throttled.
 */
import { LookupEventsCommand, type LookupEventsCommandOutput } from "@aws-sdk/client-cloudtrail";
import { LAUNCH_ACTIONS } from "../../lambda/rerun/core/failure/cloudtrail-event";

/** Event history reaches back this far (CloudTrail API Reference, LookupEvents: "within the last 90 days"). */
export const LOOKUP_MAX_DAYS = 90;
/** The largest page LookupEvents returns. */
export const LOOKUP_PAGE = 50;
/** Two requests a second per account and Region: one every 500 ms. */
export const LOOKUP_INTERVAL_MS = 500;

/** What the lookups need from CloudTrail: a `CloudTrailClient` or a stub with the same `send`. */
export interface LookupSender {
  send(command: LookupEventsCommand): Promise<LookupEventsCommandOutput>;
}

/** Options of {@link lookUpLaunchRecords}. */
export interface LookupOptions {
  readonly since: Date;
  readonly until: Date;
  /** Waits between requests; a test passes one that only records. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told after each page, e.g. to show progress. @default nothing */
  readonly onPage?: (eventName: string, records: number) => void;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every RunTask and StartTask record of the period, and how many events came without a readable record. */
export interface LookedUp {
  readonly records: Record<string, unknown>[];
  readonly unreadable: number;
}

/** Reads the period's RunTask and StartTask records, paging and pacing as CloudTrail allows. */
export async function lookUpLaunchRecords(cloudtrail: LookupSender, options: LookupOptions): Promise<LookedUp> {
  const sleep = options.sleep ?? pause;
  const records: Record<string, unknown>[] = [];
  let unreadable = 0;
  let calls = 0;
  for (const eventName of LAUNCH_ACTIONS) {
    let nextToken: string | undefined;
    do {
      if (calls++ > 0) await sleep(LOOKUP_INTERVAL_MS);
      const page = await cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: eventName }],
          StartTime: options.since,
          EndTime: options.until,
          MaxResults: LOOKUP_PAGE,
          NextToken: nextToken,
        }),
      );
      for (const event of page.Events ?? []) {
        try {
          records.push(JSON.parse(event.CloudTrailEvent ?? "") as Record<string, unknown>);
        } catch {
          unreadable++; // counted and shown: the report never hides what it could not judge
        }
      }
      options.onPage?.(eventName, records.length);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return { records, unreadable };
}
