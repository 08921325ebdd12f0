// The notice's fields that report where a failure stands (lambda/rerun/core/notices/notice.ts): how
// long it has been open, what it first was, and which container's log to link. Found unpinned by
// the rerun core's mutation run (issue 23); each expected value is written out.
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { buildNotice } from "../../../../lambda/rerun/core/notices/notice";
import type { Decision, LaunchFailure, NoticeKind } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const EXECUTION = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";
const BASE = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)); // reasons ["AGENT"]
const DECISION: Decision = { next: "gave_up", attempt: 3, nextAttempt: 4, maxAttempts: 3, delaySeconds: 0, retryable: true };
/** Detected five minutes and 0.4 s before NOW. */
const DETECTED: LaunchFailure = { ...BASE, detectedAt: "2025-03-04T03:00:10Z" };
const NOW = Date.parse("2025-03-04T03:05:10.400Z");

describe("how long a failure has been open", () => {
  test.each<NoticeKind>(["still_trying", "recovered", "gave_up", "not_retryable", "program_failed", "needs_human"])(
    "a %s notice says it, in whole seconds since detection",
    (kind) => {
      expect(buildNotice(kind, DETECTED, DECISION, EXECUTION, NOW).openSeconds).toBe(300);
    },
  );

  test.each<NoticeKind>(["detected", "retrying", "self_test"])("a %s notice does not (it is no outcome)", (kind) => {
    expect(buildNotice(kind, DETECTED, DECISION, EXECUTION, NOW)).not.toHaveProperty("openSeconds");
  });

  test("without the step's time, or before detection was recorded, there is none", () => {
    expect(buildNotice("gave_up", DETECTED, DECISION, EXECUTION)).not.toHaveProperty("openSeconds");
    expect(buildNotice("gave_up", BASE, DECISION, EXECUTION, NOW)).not.toHaveProperty("openSeconds");
  });
});

describe("what a failure first was", () => {
  test("is told when its reasons have changed since", () => {
    expect(buildNotice("recovered", { ...BASE, firstReasons: ["RESOURCE:MEMORY", "AGENT"] }, DECISION, EXECUTION, NOW).firstReasons).toEqual(["RESOURCE:MEMORY", "AGENT"]);
    // Same items, other order: the first observation differs, and is told.
    expect(buildNotice("recovered", { ...BASE, reasons: ["AGENT", "RESOURCE:CPU"], firstReasons: ["RESOURCE:CPU", "AGENT"] }, DECISION, EXECUTION, NOW).firstReasons).toEqual([
      "RESOURCE:CPU",
      "AGENT",
    ]);
  });

  test("is not told when it is what the notice already says, or was never recorded", () => {
    expect(buildNotice("recovered", { ...BASE, firstReasons: ["AGENT"] }, DECISION, EXECUTION, NOW)).not.toHaveProperty("firstReasons");
    expect(buildNotice("recovered", { ...BASE, reasons: ["AGENT", "RESOURCE:CPU"], firstReasons: ["AGENT", "RESOURCE:CPU"] }, DECISION, EXECUTION, NOW)).not.toHaveProperty("firstReasons");
    expect(buildNotice("recovered", { ...BASE, firstReasons: [] }, DECISION, EXECUTION, NOW)).not.toHaveProperty("firstReasons");
    expect(buildNotice("recovered", BASE, DECISION, EXECUTION, NOW)).not.toHaveProperty("firstReasons");
  });

  test("reasons joined without a separator are still told apart", () => {
    expect(buildNotice("recovered", { ...BASE, reasons: ["AB", "C"], firstReasons: ["A", "BC"] }, DECISION, EXECUTION, NOW).firstReasons).toEqual(["A", "BC"]);
  });

  test("the notice's copy is its own: changing it leaves the failure's untouched", () => {
    const failure: LaunchFailure = { ...BASE, firstReasons: ["RESOURCE:MEMORY"] };
    buildNotice("recovered", failure, DECISION, EXECUTION, NOW).firstReasons?.push("X");
    expect(failure.firstReasons).toEqual(["RESOURCE:MEMORY"]);
  });
});

describe("which container's log the notice links", () => {
  test("the first container with both a log group and a stream; one with only half is passed over", () => {
    const failure: LaunchFailure = {
      ...BASE,
      containers: [
        { name: "envoy", exitCode: 1, logGroup: "/ecs/envoy" },
        { name: "fluent", exitCode: 1, logStream: "batch/fluent/t1" },
        { name: "app", exitCode: 2, logGroup: "/ecs/nightly-report", logStream: "batch/app/t1" },
      ],
    };
    const notice = buildNotice("program_failed", failure, DECISION, EXECUTION, NOW);
    expect([notice.logGroup, notice.logStream]).toEqual(["/ecs/nightly-report", "batch/app/t1"]);
    expect(notice).not.toHaveProperty("logRegion");
  });

  test("no container with both: no link at all", () => {
    const notice = buildNotice("program_failed", { ...BASE, containers: [{ name: "app", exitCode: 2, logGroup: "/ecs/nightly-report" }] }, DECISION, EXECUTION, NOW);
    expect(notice).not.toHaveProperty("logGroup");
    expect(notice).not.toHaveProperty("logStream");
  });
});
