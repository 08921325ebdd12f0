// The one line an ended failure logs (lambda/rerun/core/notices/outcome.ts), which the dashboard's
// metric filters count: only the dashboard's synthesizing suite read it before, which the mutation
// run leaves out, so the line is pinned here whole, as the literal JSON the filters select on.
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { outcomeLine } from "../../../../lambda/rerun/core/notices/outcome";
import type { Decision, DecisionNext, LaunchFailure } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const EXECUTION = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";
/** The failed launch's event time is 2025-03-04T03:00:07Z. */
const FAILURE: LaunchFailure = { ...parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)), attemptsLaunched: 2 };
const decision = (next: DecisionNext): Decision => ({ next, attempt: 2, nextAttempt: 3, maxAttempts: 3, delaySeconds: 0, retryable: true });
/** The fields every line ends with, in the order it writes them. */
const TAIL =
  '"eventId":"b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e","executionArn":"arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0",' +
  '"account":"123456789012","region":"ap-northeast-1","cluster":"arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",' +
  '"taskDefinition":"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12"}';

describe("the outcome line of an ended failure", () => {
  test("a recovery says how many seconds passed from the failed launch to its replacement, rounded", () => {
    expect(outcomeLine(FAILURE, decision("recovered"), EXECUTION, Date.parse("2025-03-04T03:01:09.600Z"))).toBe(
      `{"msg":"failure ended","outcome":"recovered","secondsToRecovery":63,"attempts":2,"foundBy":"event",${TAIL}`,
    );
  });

  test("a recovery seen before its event's own time (clocks apart) counts 0 seconds, never less", () => {
    expect(outcomeLine(FAILURE, decision("recovered"), EXECUTION, Date.parse("2025-03-04T03:00:00Z"))).toBe(
      `{"msg":"failure ended","outcome":"recovered","secondsToRecovery":0,"attempts":2,"foundBy":"event",${TAIL}`,
    );
  });

  test("a recovery whose event time cannot be read has no time to recovery rather than a wrong one", () => {
    expect(outcomeLine({ ...FAILURE, eventTime: "not a time" }, decision("recovered"), EXECUTION, Date.parse("2025-03-04T03:01:09Z"))).toBe(
      `{"msg":"failure ended","outcome":"recovered","attempts":2,"foundBy":"event",${TAIL}`,
    );
  });

  test.each<[DecisionNext, string]>([
    ["gave_up", "gave_up"],
    ["needs_human", "needs_human"],
    ["not_retryable", "not_retryable"],
    ["report", "program_failed"],
  ])("decision %s ends the failure as %s, with no time to recovery", (next, outcome) => {
    expect(outcomeLine(FAILURE, decision(next), EXECUTION, Date.parse("2025-03-04T03:01:09Z"))).toBe(
      `{"msg":"failure ended","outcome":"${outcome}","attempts":2,"foundBy":"event",${TAIL}`,
    );
  });

  test("a failure the reconciler found says so", () => {
    expect(outcomeLine({ ...FAILURE, foundBy: "reconciler" }, decision("gave_up"), EXECUTION, Date.parse("2025-03-04T03:01:09Z"))).toBe(
      `{"msg":"failure ended","outcome":"gave_up","attempts":2,"foundBy":"reconciler",${TAIL}`,
    );
  });

  test.each<DecisionNext>(["retry", "verify", "later", "already_handled", "self_test"])("decision %s leaves the failure open (or is none of its own): no line", (next) => {
    expect(outcomeLine(FAILURE, decision(next), EXECUTION, Date.parse("2025-03-04T03:01:09Z"))).toBeUndefined();
  });
});
