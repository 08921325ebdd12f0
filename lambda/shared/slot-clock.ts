/**
 * A shared clock of slots in one DynamoDB item (GCRA: the item holds `tat`, the theoretical arrival
 * time, the earliest moment the next slot may start). The launch pacer (rerun/pacer.ts) paces
 * launches on it, the notifier paces Slack posts on another item. Two conditional writes, each
 * atomic, stand for GCRA's tat = max(tat, now) + interval, which no single update expression can
 * compute:
 *   busy: SET tat = tat + interval IF tat > now                 (slot: the old tat)
 *   idle: SET tat = now + interval IF tat is absent or <= now   (slot: now)
 * The busy write is tried first, so a storm pays one write per slot and a lone caller two. A write
 * whose condition fails changed nothing; when both fail (another caller moved the clock past now in
 * between) the pair is tried again.
 */
import type { UpdateItemCommand, UpdateItemCommandOutput } from "@aws-sdk/client-dynamodb";

// Loaded at the first reservation, not at the Lambda's init (lambda/shared/lazy-client.ts says why).
const dynamodbSdk = (): typeof import("./sdk/dynamodb") => require("./sdk/dynamodb");

/** What the clock needs from DynamoDB: a `DynamoDBClient` (created with `maxAttempts: 1`: the clock retries itself) or a stub. */
export interface SlotClockSender {
  send(command: UpdateItemCommand): Promise<UpdateItemCommandOutput>;
}

/** Name of the clock table's partition key. */
export const SLOT_CLOCK_KEY_ATTRIBUTE = "pk";

export interface SlotClockDeps {
  /** ms since the epoch (the caller's own clock; see the launch pacer on clocks that disagree). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1) for the jitter between tries. */
  readonly random: () => number;
}

export interface SlotClockOptions {
  /** Tries of a reservation that meets a transient error before it gives up. */
  readonly tries: number;
  /** Whether an error may heal on its own (throttled, 5xx, no answer). Others end the reservation at once. */
  readonly transient: (err: unknown) => boolean;
}

const isConditionFailure = (err: unknown) => (err as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";

/**
 * Reserves the next slot `intervalMs` long on the clock in item `key` of `table`: its start, ms
 * since the epoch. Throws the error that ended it (one that will not heal, or the last of `tries`
 * transient ones), or PacerContention when the clock kept moving between the two writes.
 */
export async function reserveSlot(dynamodb: SlotClockSender, table: string, key: string, intervalMs: number, deps: SlotClockDeps, options: SlotClockOptions): Promise<number> {
  const update = (nowMs: number, busy: boolean) =>
    dynamodb.send(
      new (dynamodbSdk().UpdateItemCommand)({
        TableName: table,
        Key: { [SLOT_CLOCK_KEY_ATTRIBUTE]: { S: key } },
        UpdateExpression: busy ? "SET #tat = #tat + :interval" : "SET #tat = :next",
        ConditionExpression: busy ? "#tat > :now" : "attribute_not_exists(#tat) OR #tat <= :now",
        ExpressionAttributeNames: { "#tat": "tat" },
        ExpressionAttributeValues: busy
          ? { ":interval": { N: String(intervalMs) }, ":now": { N: String(nowMs) } }
          : { ":next": { N: String(nowMs + intervalMs) }, ":now": { N: String(nowMs) } },
        ReturnValues: "UPDATED_NEW",
      }),
    );
  let failures = 0;
  for (let round = 1; round <= 2 * options.tries; round++) {
    for (const busy of [true, false]) {
      const nowMs = deps.now();
      try {
        const out = await update(nowMs, busy);
        if (!busy) return nowMs;
        const tat = Number(out.Attributes?.tat?.N);
        if (!Number.isFinite(tat)) throw Object.assign(new Error("UpdateItem answered without the clock's new value"), { name: "PacerAnswerInvalid" });
        return tat - intervalMs;
      } catch (err) {
        if (isConditionFailure(err)) continue;
        if (!options.transient(err) || ++failures >= options.tries) throw err;
        await deps.sleep(Math.floor(deps.random() * 50 * 2 ** failures));
      }
    }
  }
  throw Object.assign(new Error("the clock kept moving between the two writes"), { name: "PacerContention" });
}
