// Tests of lambda/rerun/core/notices/notice.ts: notice kinds and the notice built from a decision.
import { DEFAULT_RERUN_CONFIG } from "../../../../lambda/rerun/config";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { decide } from "../../../../lambda/rerun/core/relaunch/decision";
import { buildNotice, noticeKindAfterClassify, noticeKindAfterRerun } from "../../../../lambda/rerun/core/notices/notice";
import type { Decision, LaunchFailure } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const NOW = Date.parse("2025-03-04T03:05:00Z");

describe("notice", () => {
  const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
  const executionArn = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";

  it("carries the next delay when a retry follows", () => {
    const decision = decide(failure, { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" }, NOW);
    const notice = buildNotice("detected", failure, decision, executionArn);
    expect(notice).toEqual({
      kind: "detected",
      source: "cloudtrail",
      failureType: "rejected",
      cluster: failure.cluster,
      clusterName: "batch-ec2",
      taskDefinition: failure.taskDefinition,
      action: "RunTask",
      reasons: ["AGENT"],
      attempt: 0,
      maxAttempts: 3,
      requested: 3,
      placed: 2,
      remaining: 1,
      nextDelaySeconds: 30,
      eventId: failure.eventId,
      executionArn,
      region: "ap-northeast-1",
      account: "123456789012",
      startedBy: "events-rule/nightly-report-batch",
      eventTime: failure.eventTime,
      taskArns: failure.taskArns,
    });
  });

  it("has no next delay and keeps the message when nothing follows", () => {
    const decision = decide({ ...failure, reasons: ["ATTRIBUTE"], attemptsLaunched: 1 }, DEFAULT_RERUN_CONFIG, NOW);
    const notice = buildNotice(noticeKindAfterRerun(decision), { ...failure, reasons: ["ATTRIBUTE"] }, decision, executionArn);
    expect(notice).toMatchObject({ kind: "not_retryable", attempt: 1, message: expect.stringContaining("ATTRIBUTE") });
    expect(notice).not.toHaveProperty("nextDelaySeconds");
  });

  it.each<[Decision["next"], string]>([
    ["retry", "retrying"],
    ["verify", "retrying"],
    ["recovered", "recovered"],
    ["gave_up", "gave_up"],
    ["not_retryable", "not_retryable"],
    ["report", "program_failed"],
  ])("after a rerun, decision %s becomes notice kind %s", (next, kind) => {
    const decision: Decision = { next, attempt: 1, nextAttempt: 2, maxAttempts: 3, delaySeconds: 0, retryable: true };
    expect(noticeKindAfterRerun(decision)).toBe(kind);
  });

  it.each<[Decision["next"], string]>([
    ["retry", "detected"],
    ["recovered", "detected"],
    ["not_retryable", "not_retryable"],
    ["report", "program_failed"],
  ])("after classify, decision %s becomes notice kind %s", (next, kind) => {
    const decision: Decision = { next, attempt: 0, nextAttempt: 1, maxAttempts: 3, delaySeconds: 0, retryable: true };
    expect(noticeKindAfterClassify(decision)).toBe(kind);
  });

  it("carries the task-state fields and the first failing container's log stream", () => {
    const programFailure: LaunchFailure = {
      ...failure,
      source: "task-state-change",
      failureType: "program_failed",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t1",
      stoppedReason: "Essential container in task exited",
      notCarriedOver: ["tags"],
      containers: [
        { name: "sidecar", exitCode: 2 },
        { name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/t1", logRegion: "ap-northeast-1" },
      ],
    };
    const decision: Decision = { next: "report", attempt: 0, nextAttempt: 1, maxAttempts: 3, delaySeconds: 0, retryable: false };
    expect(buildNotice("program_failed", programFailure, decision, executionArn)).toMatchObject({
      kind: "program_failed",
      source: "task-state-change",
      failureType: "program_failed",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t1",
      stoppedReason: "Essential container in task exited",
      notCarriedOver: ["tags"],
      containers: programFailure.containers,
      logGroup: "/ecs/nightly-report",
      logStream: "batch/app/t1",
      logRegion: "ap-northeast-1",
    });
  });
});
