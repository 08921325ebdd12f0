/**
 * The launch pacer: the rerun Lambda's turn on the shared launch clock, kept in one DynamoDB item
 * (the pure half, and why GCRA and why this rate, is core/relaunch/pacing.ts). Before each launch the
 * Lambda reserves a slot with a conditional UpdateItem, then goes at once, waits a few seconds, or
 * hands back "later" to wait for its slot in Step Functions. When the pacer itself fails (DynamoDB
 * unreachable, throttled past its retries, access denied, table gone) the launch goes out unpaced:
 * ECS throttling is still handled as before (retried, never an attempt used up), and the failure is
 * logged with PACER_UNAVAILABLE, which a metric filter counts and an alarm watches.
 */
import { SLOT_CLOCK_KEY_ATTRIBUTE, reserveSlot, type SlotClockSender } from "../shared/slot-clock";
import type { LaunchFailure, Decision } from "../shared/contract";
import { type Env, envValue, numberInRange } from "../shared/env";
import { describeError, logJson } from "../shared/log";
import { classifyEcsError } from "./core/relaunch/ecs-errors";
import { DEFAULT_LAUNCHES_PER_SECOND, LAUNCHES_PER_SECOND_LIMITS, PACER_ITEM_KEY, heldSlotMs, pacedLater, planSlot, slotIntervalMs } from "./core/relaunch/pacing";

/** What the pacer needs from DynamoDB: a `DynamoDBClient` (created with `maxAttempts: 1`: the pacer retries itself) or a stub. */
export type DynamoSender = SlotClockSender;

/**
 * Partition key value of the item holding the home place's clock; a hub keeps one more item per
 * place it launches in (core/relaunch/pacing.ts, pacerItemKey), whose keys start with PACER_PLACE_KEY_PREFIX.
 */
export { PACER_ITEM_KEY, PACER_PLACE_KEY_PREFIX } from "./core/relaunch/pacing";
/** Name of the table's partition key. */
export const PACER_KEY_ATTRIBUTE = SLOT_CLOCK_KEY_ATTRIBUTE;
/** The phrase every pacer failure is logged with; the pipeline's metric filter counts it. */
export const PACER_UNAVAILABLE = "launch pacer unavailable";
/** The phrase a launch the pacer holds back (its slot later than now) is logged with, once; a metric filter counts it. */
export const LAUNCH_PACED = "launch held back by the pacer";
/** Tries of a reservation that meets throttling, a 5xx or no answer, before launching unpaced. */
export const PACER_TRIES = 3;

/** The pacer's settings, from the rerun Lambda's environment. */
export interface PacingConfig {
  /** Table holding the clock; undefined: pacing is off and every launch goes at once. */
  readonly table?: string;
  /** Tasks launched per second by all reruns of the account and region together. */
  readonly launchesPerSecond: number;
}

/**
 * PACER_TABLE          table name                   default unset (no pacing)
 * LAUNCHES_PER_SECOND  number 0.1..40               default 10
 */
export function readPacingConfig(env: Env): PacingConfig {
  const { min, max } = LAUNCHES_PER_SECOND_LIMITS;
  return { table: envValue(env, "PACER_TABLE"), launchesPerSecond: numberInRange(env, "LAUNCHES_PER_SECOND", min, max, DEFAULT_LAUNCHES_PER_SECOND) };
}

export interface PacerDeps {
  readonly dynamodb?: DynamoSender;
  /**
   * ms since the epoch, the invocation's own clock. Every reservation compares the shared `tat`
   * with its own `now`, and AWS documents no bound on how far the clocks of two Lambda execution
   * environments may disagree. What a clock off by d costs, in delays, never in losses: a launch
   * whose clock runs late waits up to d too long for its slot; one whose clock runs early moves the
   * clock up to d ahead, so the launches after it wait up to d longer, and it may itself go up to d
   * before its slot, so launches may bunch and briefly exceed the configured rate by about
   * d x rate. ECS's
   * bucket absorbs such a bunch (burst 100) or throttles it, and a throttled launch is retried as
   * "later" without using an attempt. Launches stay at most one per attempt whatever the clocks say:
   * the clock orders pacing only, never which launches happen (clientToken, owner tags).
   */
  readonly now: () => number;
  /** Waits inside the invocation (a simulated clock injects its own). */
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1) for the jitter between tries. */
  readonly random: () => number;
}

/** Go now (slot come, or pacing off or failed), or the hand-back that waits for the slot in Step Functions. */
export type Turn = { kind: "go" } | { kind: "later"; failure: LaunchFailure; decision: Decision };

export class LaunchPacer {
  constructor(
    readonly config: PacingConfig,
    private readonly deps: PacerDeps,
  ) {}

  /**
   * This attempt's turn: the slot it holds or a new one, then go, wait for it here, or hand back.
   * `remainingMs` is the invocation's budget; `key` the item of the place's clock (core/relaunch/pacing.ts,
   * pacerItemKey); never throws for the pacer's own failures.
   */
  async turn(failure: LaunchFailure, attempt: number, maxAttempts: number, remainingMs: number, ctx: Record<string, unknown>, key: string = PACER_ITEM_KEY): Promise<Turn> {
    if (this.config.table === undefined || this.deps.dynamodb === undefined) return { kind: "go" };
    let slotMs = heldSlotMs(failure, attempt);
    const fresh = slotMs === undefined;
    if (slotMs === undefined) {
      slotMs = await this.reserve(failure.remaining, ctx, key);
      if (slotMs === undefined) return { kind: "go" };
    }
    const plan = planSlot(slotMs, this.deps.now(), remainingMs);
    if (plan.kind === "go") return plan;
    const slotAt = new Date(slotMs).toISOString();
    // Once per launch the pacer holds back (not again when its held slot comes round): a metric filter counts it.
    if (fresh) logJson("INFO", LAUNCH_PACED, { ...ctx, slotAt });
    if (plan.kind === "wait") {
      logJson("INFO", "launch paced: waiting for its slot", { ...ctx, slotAt, waitMs: plan.ms });
      await this.deps.sleep(plan.ms);
      return { kind: "go" };
    }
    logJson("INFO", "launch paced: handed back until its slot", { ...ctx, slotAt, delaySeconds: plan.delaySeconds });
    return { kind: "later", ...pacedLater(failure, attempt, maxAttempts, slotMs, plan.delaySeconds) };
  }

  /**
   * Reserves the slot of a launch of `cost` tasks on the place's clock (shared/slot-clock.ts): ms
   * since the epoch, or undefined when the pacer failed (logged with PACER_UNAVAILABLE).
   */
  async reserve(cost: number, ctx: Record<string, unknown>, key: string = PACER_ITEM_KEY): Promise<number | undefined> {
    const { table, launchesPerSecond } = this.config;
    try {
      return await reserveSlot(this.deps.dynamodb!, table!, key, slotIntervalMs(cost, launchesPerSecond), this.deps, {
        tries: PACER_TRIES,
        // Throttled, a 5xx or no answer: try again shortly; anything else will not heal now.
        transient: (err) => classifyEcsError(err).outcome !== "gave_up",
      });
    } catch (err) {
      return this.unavailable(err, ctx);
    }
  }

  private unavailable(err: unknown, ctx: Record<string, unknown>): undefined {
    logJson("ERROR", `${PACER_UNAVAILABLE}: launching unpaced`, { ...ctx, table: this.config.table, ...describeError(err) });
    return undefined;
  }
}
