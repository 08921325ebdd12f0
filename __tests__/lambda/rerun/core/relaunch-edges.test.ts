// Edges of the relaunch side of the rerun core that its mutation run (issue 23) found unpinned: how
// an ECS answer is read, which patterns judge which kind of reason, the messages of the decisions a
// human reads, and where a Lambda runs. Every expected value is written out.
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { applyAnswer, distinctReasons, normaliseFailures } from "../../../../lambda/rerun/core/relaunch/launch-answer";
import { decide } from "../../../../lambda/rerun/core/relaunch/decision";
import { placeOfFunctionArn } from "../../../../lambda/rerun/core/relaunch/place";
import { isFailureRetryable } from "../../../../lambda/rerun/core/relaunch/reason-classification";
import { DEFAULT_RERUN_CONFIG } from "../../../../lambda/rerun/config";
import type { LaunchFailure } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL } from "../../helpers";

const NOW = Date.parse("2025-03-04T03:05:00Z");
const RUN = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)); // requested 3, placed 2, reasons ["AGENT"]

describe("an ECS answer's failures", () => {
  test("keep only the text members of each entry, and pass over entries that are not objects", () => {
    expect(
      normaliseFailures([
        { arn: "arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/ci-1", reason: "RESOURCE:MEMORY", detail: "needs 512" },
        null,
        { arn: 5, reason: 7, detail: {} } as never,
        { reason: "AGENT" },
      ]),
    ).toEqual([{ arn: "arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/ci-1", reason: "RESOURCE:MEMORY", detail: "needs 512" }, {}, { reason: "AGENT" }]);
  });

  test("give each non-empty reason once, in order of first appearance", () => {
    expect(distinctReasons([{ reason: "" }, {}, { reason: "AGENT" }, { reason: "RESOURCE:CPU" }, { reason: "AGENT" }, { reason: "  " }])).toEqual(["AGENT", "RESOURCE:CPU"]);
  });
});

describe("folding an answer into the failure", () => {
  test("a task without an ARN counts as placed but adds no ARN to follow", () => {
    const next = applyAnswer({ ...RUN, placed: 0, remaining: 3, taskArns: [] }, { tasks: [{ containerInstanceArn: "ci-1" }, { taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t2" }], failures: [] });
    expect([next.placed, next.remaining, next.taskArns]).toEqual([2, 1, ["arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t2"]]);
  });

  test("a StartTask task without a container instance leaves every instance pending", () => {
    const start = parseLaunchEvent(loadFixture(STARTTASK_PARTIAL));
    const next = applyAnswer({ ...start, pendingContainerInstances: ["ci/a", "ci/b"] }, { tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t3" }] });
    expect(next.pendingContainerInstances).toEqual(["ci/a", "ci/b"]);
  });
});

describe("which patterns judge a failure's reasons", () => {
  const policy = { retryableReasons: ["RESOURCE:*"], retryableStoppedReasons: ["CannotPullContainerError*"], rerunProgramFailureFamilies: [] };

  test("a rejected launch is judged by the launch reasons' patterns only, never by the stopped reasons' globs", () => {
    expect(isFailureRetryable({ ...RUN, reasonKind: "launch", reasons: ["RESOURCE:MEMORY"] }, policy)).toBe(true);
    expect(isFailureRetryable({ ...RUN, reasonKind: "launch", reasons: ["CannotPullContainerError: pull access denied"] }, policy)).toBe(false);
  });

  test("a task that failed to start is retryable when any one of its reasons is", () => {
    expect(isFailureRetryable({ ...RUN, reasonKind: "stopped", reasons: ["ResourceInitializationError: secrets", "CannotPullContainerError: timeout"] }, policy)).toBe(true);
  });
});

describe("the messages of decisions a human reads", () => {
  test("a program failure that is not rerun says so", () => {
    const failure: LaunchFailure = { ...RUN, source: "task-state-change", failureType: "program_failed", reasonKind: "program", reasons: ["EssentialContainerExited: app exited 1"], remaining: 1 };
    expect(decide(failure, DEFAULT_RERUN_CONFIG, NOW).message).toBe("the task ran and exited non-zero; not rerun (a program failure)");
  });

  test("a failure without any reason is not rerun, and says it gave none", () => {
    expect(decide({ ...RUN, reasons: [] }, DEFAULT_RERUN_CONFIG, NOW)).toMatchObject({ next: "not_retryable", message: "no failure reason given; not rerun" });
  });
});

describe("where a Lambda runs", () => {
  test("an ARN whose account is not twelve digits names no place, even with a good region", () => {
    expect(placeOfFunctionArn("arn:aws:lambda:eu-west-1:not-an-account:function:ecs-rerun")).toBeUndefined();
    expect(placeOfFunctionArn("arn:aws:lambda:eu-west-1:111122223333:function:ecs-rerun")).toEqual({ account: "111122223333", region: "eu-west-1" });
  });
});
