// One scenario of the fault sweep: where the failure comes from, how its event is delivered, and
// the faults every dependency meets. Generated (and shrunk) by fast-check from a seed.
import fc from "fast-check";
import type { SlackAnswer } from "../slack/local-slack";
import type { OperationFault } from "../local-aws/local-aws";

/**
 * Where the failure comes from:
 * - runtask-rejected / starttask-rejected: the launch answered with failures only (CloudTrail);
 * - partial: a RunTask of `count` placed `placed` of them;
 * - failed-to-start: a task accepted, then stopped with TaskFailedToStart (task state change);
 * - program-failure: a task that ran and exited 1 (reported, never rerun: no family opted in);
 * - service-task: a service's task that failed to start (its service replaces it);
 * - unprotected-cluster: a rejected launch on a cluster the pipeline does not protect;
 * - hidden-environment: a rejected RunTask whose environment override CloudTrail hid, with no
 *   schedule holding it (replaying it would run another job: a human must be asked).
 */
export type Source = "runtask-rejected" | "starttask-rejected" | "partial" | "failed-to-start" | "program-failure" | "service-task" | "unprotected-cluster" | "hidden-environment";

export const SOURCES: readonly Source[] = ["runtask-rejected", "starttask-rejected", "partial", "failed-to-start", "program-failure", "service-task", "unprotected-cluster", "hidden-environment"];

/**
 * Answers of the local ECS to the pipeline's launch calls, in order (the last repeats): reasons ECS
 * rejects with, placements, throttling, a 5xx or a dropped connection before the call took effect,
 * a 5xx or a dropped answer after it did, a task that never starts, one that starts and exits 1.
 */
export const LAUNCH_ANSWERS = [
  "ok",
  "AGENT",
  "RESOURCE:MEMORY",
  "ATTRIBUTE",
  "partial:1",
  "throttle",
  "error:ServerException",
  "drop",
  "5xx-after",
  "drop-after",
  "nostart:TaskFailedToStart: RESOURCE:MEMORY",
  "exit:1",
] as const;

/**
 * Where the failure happens: in the hub's own account and region, or in a spoke's (222233334444,
 * eu-west-1), from where its event is forwarded to the hub bus and the rerun is made through the
 * spoke's relaunch role.
 */
export type Place = "home" | "spoke";

/**
 * How the failure's event reaches the rules (AWS delivers service events best effort): its copies
 * delivered; never ("record never delivered" for a CloudTrail record, "task event never delivered"
 * for a task's); or not while the failure rules are disabled, for the first hour.
 */
export type Delivery = "delivered" | "never" | "rules-off-an-hour";

export interface Scenario {
  readonly source: Source;
  readonly place: Place;
  /** Tasks the original call asked for (RunTask count; StartTask: the fixture's two instances). */
  readonly count: number;
  /** Of those, the ones the original call placed (partial only). */
  readonly placed: number;
  /** Seconds after the start at which each copy of the event is delivered (1 to 3 copies, any order). */
  readonly deliverAt: readonly number[];
  /** Answers to the pipeline's launch calls; the last repeats. */
  readonly ecs: readonly string[];
  /** Faults of the reads and of StartExecution, per call in order. */
  readonly describeTasks: readonly OperationFault[];
  readonly listTasks: readonly OperationFault[];
  readonly tagResource: readonly OperationFault[];
  readonly startExecution: readonly OperationFault[];
  /**
   * Faults of the launch pacer's UpdateItem, per call in order: up to two heal within the pacer's
   * own tries; three in a row send that launch out unpaced, which its alarm reports.
   */
  readonly updateItem: readonly OperationFault[];
  /** Per publish of the state machine: throttled (retried) or refused (KMS access denied). */
  readonly sns: readonly ("ok" | "throttle" | "fail")[];
  /** Slack's answers ("ok" or "500"); the last repeats. */
  readonly slack: readonly SlackAnswer[];
  /** Per rerun-Lambda invocation: one that dies mid-way (after its first ECS call took effect). */
  readonly lambda: readonly ("ok" | "die")[];
  /** A throttling storm over the first `seconds` (0: none): every ECS call throttled but every `passEvery`-th (0: none passes). */
  readonly storm: { readonly seconds: number; readonly passEvery: number };
  /** How the event is delivered. */
  readonly delivery: Delivery;
  /** Whether the reconciler runs on its schedule (always when the event is lost; it is deployed by default). */
  readonly reconcile: boolean;
  /** Seconds after the start of the reconciler's first invocation (the schedule's phase). */
  readonly reconcilerPhaseSeconds: number;
  /** Per reconciler invocation: 0 runs, N > 0 dies once N of its calls took effect ("reconciler invocation dies"). */
  readonly reconcilerDeaths: readonly number[];
  /** Faults of LookupEvents, per call in order ("LookupEvents throttled", or a 5xx or no answer). */
  readonly lookupEvents: readonly OperationFault[];
  /** Seconds after its call the CloudTrail record appears in event history (CloudTrail's delivery delay). */
  readonly historyDelaySeconds: number;
}

const faults = (max: number) => fc.array(fc.constantFrom<OperationFault>("ok", "5xx", "throttle", "drop"), { maxLength: max });

/** Scenarios, weighted towards the sources the pipeline acts on. */
export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    source: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Source>("runtask-rejected") },
      { weight: 3, arbitrary: fc.constant<Source>("starttask-rejected") },
      { weight: 2, arbitrary: fc.constant<Source>("partial") },
      { weight: 3, arbitrary: fc.constant<Source>("failed-to-start") },
      { weight: 1, arbitrary: fc.constant<Source>("program-failure") },
      { weight: 1, arbitrary: fc.constant<Source>("service-task") },
      { weight: 1, arbitrary: fc.constant<Source>("unprotected-cluster") },
      { weight: 1, arbitrary: fc.constant<Source>("hidden-environment") },
    ),
    count: fc.integer({ min: 1, max: 3 }),
    placedFraction: fc.integer({ min: 1, max: 2 }),
    deliverAt: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 3 }),
    ecs: fc.array(fc.constantFrom(...LAUNCH_ANSWERS), { minLength: 1, maxLength: 5 }),
    describeTasks: faults(4),
    listTasks: faults(3),
    tagResource: faults(2),
    startExecution: faults(3),
    updateItem: faults(4),
    sns: fc.array(fc.constantFrom<"ok" | "throttle" | "fail">("ok", "throttle", "fail"), { maxLength: 3 }),
    // Slack's 500 only: to the pipeline a hung Slack is the same failure (the notifier throws and
    // Lambda retries), but it costs the notifier's real timeout; the drill's scenarios cover it.
    // 429: Slack rate-limits the post; the notifier folds the notice into the minute's digest.
    slack: fc.array(fc.constantFrom<SlackAnswer>("ok", "500", "429"), { minLength: 1, maxLength: 4 }),
    lambda: fc.array(fc.constantFrom<"ok" | "die">("ok", "die"), { maxLength: 3 }),
    // 1 call in 7 passing is the nastiest storm: each call spends all its in-handler retries and
    // then succeeds, so an invocation making several calls runs long.
    storm: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ seconds: 0, passEvery: 0 }) },
      { weight: 2, arbitrary: fc.record({ seconds: fc.integer({ min: 120, max: 600 }), passEvery: fc.constantFrom(0, 2, 7, 7, 7) }) },
    ),
    // Drawn last, so every other field of a seed's scenario is what it was before spokes existed;
    // it shrinks towards the hub's own place.
    place: fc.oneof({ weight: 3, arbitrary: fc.constant<Place>("home") }, { weight: 1, arbitrary: fc.constant<Place>("spoke") }),
    // The second path, drawn after everything else (so each seed's event-path scenario is as it was):
    // an event lost in one scenario in four, and the reconciler beside a delivered one in one in four.
    delivery: fc.oneof(
      { weight: 9, arbitrary: fc.constant<Delivery>("delivered") },
      { weight: 2, arbitrary: fc.constant<Delivery>("never") },
      { weight: 1, arbitrary: fc.constant<Delivery>("rules-off-an-hour") },
    ),
    reconcileDelivered: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    reconcilerPhaseSeconds: fc.integer({ min: 1, max: 300 }),
    reconcilerDeaths: fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }) }), { maxLength: 3 }),
    lookupEvents: fc.array(fc.constantFrom<OperationFault>("ok", "throttle", "throttle", "throttle", "5xx", "drop"), { maxLength: 6 }),
    historyDelaySeconds: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 1200 }) }),
  })
  .map(({ placedFraction, reconcileDelivered, ...s }) => {
    // A partial placement needs a shortfall: at least two asked, fewer placed.
    const count = s.source === "partial" ? Math.max(2, s.count) : s.source === "starttask-rejected" ? 2 : s.count;
    const placed = s.source === "partial" ? Math.min(count - 1, placedFraction) : s.source === "starttask-rejected" ? 1 : 0;
    return { ...s, count, placed, reconcile: s.delivery !== "delivered" || reconcileDelivered };
  });

/** The tasks the failure left owed, by the scenario's own definition (never by the pipeline's count). */
export function shortfallOf(s: Scenario): number {
  switch (s.source) {
    case "runtask-rejected":
    case "partial":
    case "starttask-rejected":
    case "hidden-environment":
      return s.count - s.placed;
    case "failed-to-start":
      return 1;
    default:
      return 0;
  }
}

/** Sources the pipeline must never launch anything for (a hidden request would be another job). */
export function mustNotLaunch(s: Scenario): boolean {
  return s.source === "program-failure" || s.source === "service-task" || s.source === "unprotected-cluster" || s.source === "hidden-environment";
}

/** One line describing a scenario, for reports. */
export function describeScenario(s: Scenario): string {
  const parts = [
    `${s.source}${s.count > 1 || s.placed > 0 ? ` (${s.placed}/${s.count} placed)` : ""}${s.place === "spoke" ? " in the spoke 222233334444/eu-west-1" : ""}`,
    `delivered at ${s.deliverAt.join(",")} s`,
    `ecs ${s.ecs.join(",")}`,
  ];
  const listed = (name: string, list: readonly string[]) => (list.some((f) => f !== "ok") ? [`${name} ${list.join(",")}`] : []);
  parts.push(...listed("DescribeTasks", s.describeTasks), ...listed("ListTasks", s.listTasks), ...listed("TagResource", s.tagResource));
  parts.push(...listed("StartExecution", s.startExecution), ...listed("UpdateItem", s.updateItem), ...listed("sns", s.sns), ...listed("slack", s.slack), ...listed("lambda", s.lambda));
  if (s.storm.seconds > 0) parts.push(`ECS throttled for ${s.storm.seconds} s${s.storm.passEvery > 1 ? ` (1 call in ${s.storm.passEvery} passes)` : ""}`);
  const taskSource = s.source === "failed-to-start" || s.source === "program-failure" || s.source === "service-task";
  if (s.delivery === "never") parts.push(taskSource ? "task event never delivered" : "record never delivered");
  if (s.delivery === "rules-off-an-hour") parts.push("rules disabled for an hour");
  if (s.reconcile) {
    parts.push(`reconciler from ${s.reconcilerPhaseSeconds} s`);
    if (s.reconcilerDeaths.some((d) => d > 0)) parts.push(`reconciler invocations die after ${s.reconcilerDeaths.join(",")} calls (0: none)`);
    parts.push(...listed("LookupEvents", s.lookupEvents));
    if (s.historyDelaySeconds > 0) parts.push(`records appear in event history after ${s.historyDelaySeconds} s`);
  }
  return parts.join("; ");
}
