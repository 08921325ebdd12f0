// Rerun core branches no unit test reached (issue 23, measured with Stryker): notice kinds of the last
// decisions, a spoke refusing infrastructure roles, a StartTask rerun of an answer without tasks.
import { decide } from "../../../../lambda/rerun/core/relaunch/decision";
import { infrastructureRolesOf, infrastructureRolesRefusal } from "../../../../lambda/rerun/core/failure/infrastructure-roles";
import { answerTasks, applyAnswer } from "../../../../lambda/rerun/core/relaunch/launch-answer";
import { buildNotice, commandLacks, noticeKindAfterClassify, noticeKindAfterRerun } from "../../../../lambda/rerun/core/notices/notice";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { buildRerunRequest } from "../../../../lambda/rerun/core/failure/rerun-request";
import type { Decision } from "../../../../lambda/shared/contract";
import { agentEvent, loadFixture, STARTTASK_PARTIAL } from "../../helpers";

const decision = (next: Decision["next"]): Decision => ({ next, attempt: 1, nextAttempt: 2, maxAttempts: 3, delaySeconds: 0, retryable: false });

describe("notice kinds", () => {
  it("after classify and after a rerun", () => {
    expect((["not_retryable", "needs_human", "report", "gave_up", "retry", "verify", "later", "recovered", "already_handled", "self_test"] as const).map((n) => noticeKindAfterClassify(decision(n)))).toEqual([
      "not_retryable",
      "needs_human",
      "program_failed",
      "gave_up",
      "detected",
      "detected",
      "detected",
      "detected",
      "detected",
      "self_test",
    ]);
    expect((["retry", "verify", "later", "already_handled", "report", "recovered", "gave_up", "not_retryable", "needs_human", "self_test"] as const).map((n) => noticeKindAfterRerun(decision(n)))).toEqual([
      "retrying",
      "retrying",
      "retrying",
      "retrying",
      "program_failed",
      "recovered",
      "gave_up",
      "not_retryable",
      "needs_human",
      "self_test",
    ]);
  });

  it("a needs-a-human notice carries what could not be recovered and the command for the shortfall; foundBy travels", () => {
    const failure = { ...parseLaunchEvent(agentEvent()), unrecoverable: ["overrides (hidden by CloudTrail)"], foundBy: "reconciler" as const };
    const notice = buildNotice("needs_human", failure, decision("needs_human"), "arn:exec");
    expect(notice.missing).toEqual(["overrides (hidden by CloudTrail)"]);
    expect(notice.runTaskCommand).toMatch(/^aws ecs run-task --cluster \S+ --task-definition \S+ --count 1 /);
    expect(notice.runTaskCommand).toMatch(/ --region ap-northeast-1$/);
    expect(notice.foundBy).toBe("reconciler");
    expect(buildNotice("needs_human", { ...failure, unrecoverable: undefined }, decision("needs_human"), "arn:exec").missing).toEqual([]);
    expect(buildNotice("gave_up", failure, decision("gave_up"), "arn:exec")).not.toHaveProperty("missing");
  });

  it("what a by-hand command lacks: hidden values of a CloudTrail record, or what a task record does not carry", () => {
    const ct = parseLaunchEvent(agentEvent());
    expect(commandLacks({ ...ct, request: { ...ct.request, overrides: "HIDDEN_DUE_TO_SECURITY_REASONS" } })).toEqual(["overrides (hidden by CloudTrail)"]);
    expect(commandLacks({ ...ct, source: "task-state-change", notCarriedOver: ["tags"] })).toEqual(["tags (not in the task record)"]);
    expect(commandLacks({ ...ct, source: "task-state-change" })).toEqual([]);
  });
});

describe("a service's task", () => {
  it("is already handled, and the message names its group and starter", () => {
    const failure = { ...parseLaunchEvent(agentEvent()), group: "service:web", startedBy: "ecs-svc/1" };
    const policy = { retryableReasons: ["AGENT"], retryableStoppedReasons: [], rerunProgramFailureFamilies: [], maxAttempts: 3, firstDelaySeconds: 30, backoffRate: 2, maxDelaySeconds: 300, jitter: "NONE" as const, verifyIntervalSeconds: 30, verifyTimeoutSeconds: 300 };
    expect(decide(failure, policy, 0).message).toBe("a service's task (group service:web, startedBy ecs-svc/1): its service scheduler replaces it; ecs-rerun never launches it");
    expect(decide({ ...failure, startedBy: undefined }, policy, 0).message).toBe("a service's task (group service:web, startedBy ?): its service scheduler replaces it; ecs-rerun never launches it");
    expect(decide({ ...failure, group: undefined }, policy, 0).message).toBe("a service's task (group ?, startedBy ecs-svc/1): its service scheduler replaces it; ecs-rerun never launches it");
  });
});

describe("decision: the whole answer for a service's task and for tasks still to be seen started", () => {
  const policy = { retryableReasons: ["AGENT"], retryableStoppedReasons: [], rerunProgramFailureFamilies: [], maxAttempts: 3, firstDelaySeconds: 30, backoffRate: 2, maxDelaySeconds: 300, jitter: "NONE" as const, verifyIntervalSeconds: 20, verifyTimeoutSeconds: 300 };
  it("a service's task: already handled, never retryable", () => {
    const d = decide({ ...parseLaunchEvent(agentEvent()), group: "service:web" }, policy, 0);
    expect([d.next, d.retryable, d.attempt, d.nextAttempt, d.delaySeconds]).toEqual(["already_handled", false, 0, 1, 0]);
  });

  it("launched tasks not yet seen started: verify until the deadline, then give up", () => {
    const failure = { ...parseLaunchEvent(agentEvent()), attemptsLaunched: 1, unconfirmedTaskArns: ["t1", "t2"], verifyDeadline: "2026-01-01T00:05:00Z", remaining: 0 };
    const before = Date.parse("2026-01-01T00:04:59Z");
    expect(decide(failure, policy, before)).toEqual(expect.objectContaining({ next: "verify", nextAttempt: 1, delaySeconds: 20, message: "waiting for 2 task(s) to start (until 2026-01-01T00:05:00Z)" }));
    expect(decide(failure, policy, Date.parse("2026-01-01T00:05:00Z"))).toEqual(expect.objectContaining({ next: "gave_up", message: "2 task(s) not started within VERIFY_TIMEOUT_SECONDS (300 s)" }));
    expect(decide({ ...failure, verifyDeadline: undefined }, policy, before).next).toBe("gave_up");
  });
});

describe("a CloudTrail record without an answer", () => {
  it("says nothing more when the call has no error code", () => {
    const e = agentEvent();
    e.detail.responseElements = null;
    expect(() => parseLaunchEvent(e)).toThrow(/^detail\.responseElements: missing or not an object$/);
  });
});

describe("infrastructure roles", () => {
  const request = { volumeConfigurations: [{ name: "d", managedEBSVolume: { roleArn: "arn:aws:iam::1:role/ebs" } }, { name: "e", managedEBSVolume: { roleArn: "arn:aws:iam::1:role/ebs" } }, { name: "f" }, "x"] };
  it("are read once each, and a spoke refuses any", () => {
    expect(infrastructureRolesOf(request)).toEqual(["arn:aws:iam::1:role/ebs"]);
    expect(infrastructureRolesOf({ volumeConfigurations: "x" })).toEqual([]);
    expect(infrastructureRolesRefusal(request, ["arn:aws:iam::1:role/ebs"], true)).toBe(
      "the task's managed EBS volumes pass the ECS infrastructure role arn:aws:iam::1:role/ebs to ecs.amazonaws.com, which a spoke's relaunch role may not do: nothing was launched; launch it by hand in its account",
    );
    expect(infrastructureRolesRefusal(request, ["arn:aws:iam::1:role/ebs"], false)).toBeUndefined();
    expect(infrastructureRolesRefusal({}, [], true)).toBeUndefined();
  });
});

describe("launch answers and StartTask reruns", () => {
  it("an answer without tasks places nothing and leaves every instance pending", () => {
    const start = parseLaunchEvent(loadFixture(STARTTASK_PARTIAL));
    const next = applyAnswer({ ...start, placed: 0, remaining: 2, pendingContainerInstances: ["ci/a", "ci/b"] }, { failures: [] });
    expect([next.placed, next.remaining, next.pendingContainerInstances]).toEqual([0, 2, ["ci/a", "ci/b"]]);
    expect(applyAnswer({ ...start, pendingContainerInstances: undefined }, { tasks: [{ taskArn: "t", containerInstanceArn: "arn/ci/a" }] }).pendingContainerInstances).toEqual([]);
    expect(answerTasks({})).toEqual([]);
    expect(answerTasks({ tasks: [{ taskArn: "t1", containerInstanceArn: "ci" }, { taskArn: "" }, "x"] as never })).toEqual([{ taskArn: "t1", containerInstanceArn: "ci" }]);
    const request = buildRerunRequest({ ...start, pendingContainerInstances: undefined }, 1);
    expect(request.containerInstances).toEqual([]);
  });
});
