/**
 * Rerun core: pacing, the pure half of the launch pacer (the DynamoDB half is ../pacer.ts). Every
 * rerun of one account and region takes a turn on one shared clock, so a storm of rejected launches
 * goes out at a steady, configured rate instead of fighting ECS's own throttle for it.
 *
 * The clock is GCRA (the generic cell rate algorithm): one number, the theoretical arrival time
 * `tat`, the earliest moment the next launch may go. A launch of `cost` tasks reserved at `now`
 * takes the slot max(tat, now) and moves tat to slot + cost / rate. With no storm tat lies in the
 * past, so the slot is `now` and pacing adds no delay at all; in a storm the slots line up, one
 * interval apart. A reservation is one conditional write, and the slot it returns is final: the
 * launch waits for it (inside the invocation when it is near, in a Step Functions Wait when not)
 * and never asks again, so each recovery costs at most one extra Wait round in a storm.
 *
 * Why one shared clock, and why this rate: ECS throttles per account and region with token buckets,
 * RunTask and StartTask sharing the "cluster resource modify actions" bucket (burst 100, refill 40
 * per second) with StopTask, ExecuteCommand and the agents' updates, and Fargate also limits task
 * launches to 100 at once and 20 per second ("Request throttling for the Amazon ECS API",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html; "AWS Fargate
 * throttling quotas", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html).
 * Those buckets are shared by every caller of the account: the schedules themselves, services'
 * deployments, people. Hence DEFAULT_LAUNCHES_PER_SECOND: a quarter of RunTask's sustained rate and
 * half of Fargate's, which leaves most of both to the account's other callers.
 */
import type { Decision, LaunchFailure } from "../../../shared/contract";
import type { Place } from "./place";

/** Partition key value of the item holding the home place's clock (the one key before hubs existed). */
export const PACER_ITEM_KEY = "launches";
/** Prefix of the keys of other places' clocks: "launches#<account>#<region>". */
export const PACER_PLACE_KEY_PREFIX = `${PACER_ITEM_KEY}#`;

/**
 * The item holding the clock of a place's launches. ECS's buckets are per account and region, so a
 * hub keeps one clock per place it launches in: its own place keeps today's key (a hub deployed over
 * a running pipeline goes on with the same clock), every other place gets its own, so a storm in
 * one spoke never slows another's recoveries. `place` undefined: the home place.
 */
export function pacerItemKey(place?: Place): string {
  return place === undefined ? PACER_ITEM_KEY : `${PACER_PLACE_KEY_PREFIX}${place.account}#${place.region}`;
}

/** Default pace: tasks launched per second by all reruns of one account and region together. */
export const DEFAULT_LAUNCHES_PER_SECOND = 10;
/** Allowed pace: from one launch every ten seconds to ECS's RunTask refill rate (40 per second). */
export const LAUNCHES_PER_SECOND_LIMITS = { min: 0.1, max: 40 } as const;

/**
 * Longest wait for a slot inside the invocation; a slot further off is handed back as "later" and
 * waited for in a Step Functions Wait. Five seconds of a 256 MB arm64 Lambda cost about a fifth of
 * the three state transitions (Route, Backoff, Rerun) a Wait round costs, and they keep at most
 * rate x 5 s invocations waiting at once.
 */
export const MAX_WAIT_IN_INVOCATION_MS = 5_000;
/** Time an invocation keeps after waiting for its slot: the launch and its quick look must still fit. */
export const TIME_AFTER_WAIT_MS = 30_000;

/** Milliseconds one launch of `cost` tasks occupies on the shared clock at `launchesPerSecond`. */
export function slotIntervalMs(cost: number, launchesPerSecond: number): number {
  return (Math.max(1, cost) * 1000) / launchesPerSecond;
}

/**
 * GCRA reservation: the slot a launch of `cost` tasks gets at `nowMs` when the shared clock reads
 * `tatMs` (undefined: never used), and what the clock reads after it. The conditional writes in
 * ../pacer.ts do exactly this, atomically, in DynamoDB.
 */
export function reserveSlot(tatMs: number | undefined, nowMs: number, cost: number, launchesPerSecond: number): { slotMs: number; tatMs: number } {
  const slotMs = tatMs === undefined || tatMs <= nowMs ? nowMs : tatMs;
  return { slotMs, tatMs: slotMs + slotIntervalMs(cost, launchesPerSecond) };
}

/**
 * What a launch does with its slot at `nowMs`, given `remainingMs` of its invocation's budget:
 * - go: the slot has come;
 * - wait: it comes within MAX_WAIT_IN_INVOCATION_MS and the invocation can afford the wait;
 * - later: a Step Functions Wait of `delaySeconds`, the whole seconds to the slot (at least 1), so
 *   the next round lands less than a second before its slot and waits out the rest itself.
 */
export type SlotPlan = { kind: "go" } | { kind: "wait"; ms: number } | { kind: "later"; delaySeconds: number };

export function planSlot(slotMs: number, nowMs: number, remainingMs: number = Number.POSITIVE_INFINITY): SlotPlan {
  const ms = Math.ceil(slotMs - nowMs);
  if (ms <= 0) return { kind: "go" };
  if (ms <= MAX_WAIT_IN_INVOCATION_MS && ms + TIME_AFTER_WAIT_MS <= remainingMs) return { kind: "wait", ms };
  return { kind: "later", delaySeconds: Math.max(1, Math.floor(ms / 1000)) };
}

/** The slot this `attempt` already holds, if the failure remembers one (a slot of an earlier attempt is spent). */
export function heldSlotMs(failure: LaunchFailure, attempt: number): number | undefined {
  // It came back from the state machine: trust only a well-formed one.
  const held = failure.launchSlot as { attempt?: unknown; atMs?: unknown } | undefined;
  return held?.attempt === attempt && typeof held.atMs === "number" && Number.isFinite(held.atMs) ? held.atMs : undefined;
}

/**
 * The hand-back of a launch whose slot is `delaySeconds` away: the same attempt after a Wait, its slot
 * remembered so the next round launches without reserving again. Not a deferral: ECS was not asked
 * and did nothing wrong, so MAX_DEFERRALS is not charged; and there is one such round per attempt.
 */
export function pacedLater(failure: LaunchFailure, attempt: number, maxAttempts: number, slotMs: number, delaySeconds: number): { failure: LaunchFailure; decision: Decision } {
  return {
    failure: { ...failure, launchSlot: { attempt, atMs: slotMs } },
    decision: {
      next: "later",
      attempt: failure.attemptsLaunched,
      nextAttempt: attempt,
      maxAttempts,
      delaySeconds,
      retryable: true,
      message: `paced: launch slot at ${new Date(slotMs).toISOString()}, the account's reruns go at a shared rate`,
    },
  };
}
