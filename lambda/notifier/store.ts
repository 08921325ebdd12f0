/**
 * The notifier's small DynamoDB table (NOTICE_TABLE; partition key `pk`, TTL attribute `expiresAt`,
 * encrypted at rest): four kinds of item, each written with one conditional or atomic UpdateItem,
 * so any number of notifier invocations at once agree:
 * - `window#<minute>`: how many notices this minute (the storm threshold), expiring after a day;
 * - `slack-clock`: the Slack pacing clock (shared/slot-clock.ts), one post a second;
 * - `digest-gate`: when the last digest went out (at most one a minute);
 * - `thread#<execution ARN>`: a failure's first Slack message (bot token only: channel and `ts`),
 *   so later steps update it and reply in its thread, expiring after THREAD_TTL_SECONDS.
 * It holds no notice, no token and no URL: counts, times and message timestamps.
 */
import type { GetItemCommand, UpdateItemCommand, GetItemCommandOutput, UpdateItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { classifyEcsError } from "../rerun/core/relaunch/ecs-errors";
import { SLOT_CLOCK_KEY_ATTRIBUTE, reserveSlot, type SlotClockDeps } from "../shared/slot-clock";

// Loaded at the store's first call, not at the Lambda's init (lambda/shared/lazy-client.ts says why).
const dynamodbSdk = (): typeof import("../shared/sdk/dynamodb") => require("../shared/sdk/dynamodb");

/** What the store needs from DynamoDB: a `DynamoDBClient` (with `maxAttempts: 1`: the clock retries itself) or a stub. */
export interface NoticeStoreSender {
  send(command: UpdateItemCommand): Promise<UpdateItemCommandOutput>;
  send(command: GetItemCommand): Promise<GetItemCommandOutput>;
}

export const SLACK_CLOCK_KEY = "slack-clock";
export const DIGEST_GATE_KEY = "digest-gate";
/** A failure's thread lives as long as its execution can: the longest waits add up to hours, not days. */
export const THREAD_TTL_SECONDS = 7 * 24 * 3600;
/**
 * Window counters outlive their minute by a day. TTL takes epoch seconds, and "DynamoDB typically
 * deletes expired items within two days of expiration" (DynamoDB API Reference, UpdateTimeToLive):
 * an expired item may still be read meanwhile, which no key here minds (a window is only ever read
 * in its own minute; a thread a week old is still that failure's).
 */
const WINDOW_TTL_SECONDS = 24 * 3600;
/** The phrase every store failure is logged with; the pipeline's metric filter counts it. */
export const NOTICE_STORE_UNAVAILABLE = "notice store unavailable";

const key = (pk: string) => ({ [SLOT_CLOCK_KEY_ATTRIBUTE]: { S: pk } });
const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));
const isConditionFailure = (err: unknown) => (err as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";

export class NoticeStore {
  constructor(
    private readonly table: string,
    private readonly dynamodb: NoticeStoreSender,
    private readonly deps: SlotClockDeps,
  ) {}

  /** Counts one more notice in the window `windowKey` and returns the count, this one included. */
  async countNotice(windowKey: string): Promise<number> {
    const out = await this.dynamodb.send(
      new (dynamodbSdk().UpdateItemCommand)({
        TableName: this.table,
        Key: key(windowKey),
        UpdateExpression: "SET #n = if_not_exists(#n, :zero) + :one, #ttl = :ttl",
        ExpressionAttributeNames: { "#n": "n", "#ttl": "expiresAt" },
        ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" }, ":ttl": { N: epochSeconds(this.deps.now() + WINDOW_TTL_SECONDS * 1000) } },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const n = Number(out.Attributes?.n?.N);
    if (!Number.isFinite(n)) throw Object.assign(new Error("UpdateItem answered without the window's count"), { name: "StoreAnswerInvalid" });
    return n;
  }

  /** The start of this post's slot on the Slack clock (ms since the epoch), `perSecond` posts a second. */
  reserveSlackSlot(perSecond: number): Promise<number> {
    return reserveSlot(this.dynamodb, this.table, SLACK_CLOCK_KEY, Math.round(1000 / perSecond), this.deps, {
      tries: 3,
      transient: (err) => classifyEcsError(err).outcome !== "gave_up",
    });
  }

  /**
   * Slack answered 429 with Retry-After: no post of this pipeline goes before `untilMs` (the clock
   * moves forward, never back).
   */
  async holdSlackUntil(untilMs: number): Promise<void> {
    try {
      await this.dynamodb.send(
        new (dynamodbSdk().UpdateItemCommand)({
          TableName: this.table,
          Key: key(SLACK_CLOCK_KEY),
          UpdateExpression: "SET #tat = :until",
          ConditionExpression: "attribute_not_exists(#tat) OR #tat < :until",
          ExpressionAttributeNames: { "#tat": "tat" },
          ExpressionAttributeValues: { ":until": { N: String(untilMs) } },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** Claims the next digest: true when none went out in the last `minGapMs` (the claim is atomic). */
  async claimDigest(minGapMs: number): Promise<boolean> {
    const now = this.deps.now();
    try {
      await this.dynamodb.send(
        new (dynamodbSdk().UpdateItemCommand)({
          TableName: this.table,
          Key: key(DIGEST_GATE_KEY),
          UpdateExpression: "SET #at = :now",
          ConditionExpression: "attribute_not_exists(#at) OR #at <= :earliest",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":now": { N: String(now) }, ":earliest": { N: String(now - minGapMs) } },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** The first message of a failure's thread, if one was posted. */
  async thread(executionArn: string): Promise<{ channel: string; ts: string } | undefined> {
    const out = await this.dynamodb.send(new (dynamodbSdk().GetItemCommand)({ TableName: this.table, Key: key(`thread#${executionArn}`), ConsistentRead: true }));
    const channel = out.Item?.channel?.S;
    const ts = out.Item?.ts?.S;
    return channel && ts ? { channel, ts } : undefined;
  }

  /** Keeps a failure's first message; a thread kept already (a retried invocation) stays. */
  async keepThread(executionArn: string, channel: string, ts: string): Promise<void> {
    try {
      await this.dynamodb.send(
        new (dynamodbSdk().UpdateItemCommand)({
          TableName: this.table,
          Key: key(`thread#${executionArn}`),
          UpdateExpression: "SET #channel = :channel, #ts = :ts, #ttl = :ttl",
          ConditionExpression: "attribute_not_exists(#ts)",
          ExpressionAttributeNames: { "#channel": "channel", "#ts": "ts", "#ttl": "expiresAt" },
          ExpressionAttributeValues: { ":channel": { S: channel }, ":ts": { S: ts }, ":ttl": { N: epochSeconds(this.deps.now() + THREAD_TTL_SECONDS * 1000) } },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
