/**
 * The self-test: a synthetic failure sent straight to the starter (`npm run self-test`, or `aws
 * lambda invoke`), which goes through the deployed state machine, the rerun Lambda, the topic and
 * the notifier like a real one, launches nothing, and ends in one "self-test" notice. Its envelope is
 * none a detection rule could match: every rule asks for `source` "aws.ecs" (CloudTrail records of ECS
 * calls, ECS task events), and this source is not AWS's ("aws." is AWS's own prefix: a custom event's
 * source "can't start with the aws. prefix", as AWS::Scheduler::Schedule's EventBridge PutEvents
 * parameters say). It is never put on a bus at all: the CLI invokes the starter directly.
 * Shared by the starter, the rerun Lambda and the CLI that sends it.
 */

/** The envelope's `source`: ours, not AWS's, so no detection rule (all match "aws.ecs") ever sees it. */
export const SELF_TEST_SOURCE = "ecs-rerun.self-test";
/** The envelope's `detail-type`. */
export const SELF_TEST_DETAIL_TYPE = "ecs-rerun self-test";

/** What the CLI puts in `detail`: who sent it, for the notice. */
export interface SelfTestDetail {
  /** Who asked for it, e.g. "npm run self-test" or "aws lambda invoke". */
  readonly sentBy: string;
}

/** A self-test event, shaped as EventBridge shapes events so every handler reads it as one. */
export interface SelfTestEvent {
  readonly version: "0";
  /** A fresh UUID: the execution is named after it (`self-test-<id>`), so each self-test runs once. */
  readonly id: string;
  readonly "detail-type": typeof SELF_TEST_DETAIL_TYPE;
  readonly source: typeof SELF_TEST_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: SelfTestDetail;
}

/** Builds the event; `account` may be unknown to the sender ("" then: the rerun Lambda takes its own). */
export function selfTestEvent(input: { id: string; time: Date; region: string; account?: string; sentBy: string }): SelfTestEvent {
  return {
    version: "0",
    id: input.id,
    "detail-type": SELF_TEST_DETAIL_TYPE,
    source: SELF_TEST_SOURCE,
    account: input.account ?? "",
    time: input.time.toISOString(),
    region: input.region,
    resources: [],
    detail: { sentBy: input.sentBy },
  };
}

/** Whether `event` is a self-test (by its source alone: nothing else may carry it). */
export function isSelfTestEvent(event: unknown): event is SelfTestEvent {
  return typeof event === "object" && event !== null && (event as { source?: unknown }).source === SELF_TEST_SOURCE;
}
