import { DEFAULT_RERUN_CONFIG } from "../../lambda/rerun/config";
import { parseLaunchEvent } from "../../lambda/rerun/core/failure/cloudtrail-event";
import { decide } from "../../lambda/rerun/core/relaunch/decision";
import { validateLaunchFailure } from "../../lambda/rerun/core/failure/invocation";
import { parseTaskStateChangeEvent } from "../../lambda/rerun/task-state";
import { applyLaunch, applyVerification, chunks, launchState, MISSING_REASON } from "../../lambda/rerun/verify";
import type { LaunchFailure } from "../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL, taskEvent } from "./helpers";

const T0 = Date.parse("2025-03-04T03:31:00Z");
const POLICY = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" as const };
const arn = (id: string) => `arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/${id}`;

/** The failure after its first rerun placed one task, not yet seen started. */
function launchedOnce(): LaunchFailure {
  const failure = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
  return applyLaunch(failure, { tasks: [{ taskArn: arn("r1") }], failures: [] }, 1, { verify: true, nowMs: T0, verifyTimeoutSeconds: 900 }).failure;
}

describe("launch state of a task the pipeline launched", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["RUNNING", { lastStatus: "RUNNING" }, "started"],
    ["STOPPED after running (exit)", { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", startedAt: "t" }, "started"],
    ["STOPPED by a user", { lastStatus: "STOPPED", stopCode: "UserInitiated" }, "started"],
    ["STOPPED, failed to start", { lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "RESOURCE:MEMORY" }, "failed_to_start"],
    ["STOPPING, failed to start", { lastStatus: "DEPROVISIONING", stopCode: "TaskFailedToStart" }, "failed_to_start"],
    ["DEACTIVATING after running", { lastStatus: "DEACTIVATING", startedAt: "t", stopCode: "EssentialContainerExited" }, "started"],
    ["STOPPING after running, no stop code yet", { lastStatus: "STOPPING", startedAt: "t" }, "started"],
    ["DEPROVISIONING, never started, no stop code", { lastStatus: "DEPROVISIONING" }, "pending"],
    ["PROVISIONING", { lastStatus: "PROVISIONING" }, "pending"],
    ["PENDING", { lastStatus: "PENDING" }, "pending"],
    ["ACTIVATING", { lastStatus: "ACTIVATING" }, "pending"],
  ])("%s -> %s", (_label, task, state) => {
    expect(launchState(task)).toBe(state);
  });
});

describe("launch bookkeeping", () => {
  it("counts the launch, makes its tasks unconfirmed and sets the deadline to now + VERIFY_TIMEOUT_SECONDS", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    const { failure: after, launchedTaskArns } = applyLaunch(failure, { tasks: [{ taskArn: arn("r1") }], failures: [] }, 1, {
      verify: true,
      nowMs: T0,
      verifyTimeoutSeconds: 900,
    });
    expect(launchedTaskArns).toEqual([arn("r1")]);
    expect(after).toMatchObject({
      attemptsLaunched: 1,
      placed: 1,
      remaining: 0,
      taskArns: [arn("r1")],
      unconfirmedTaskArns: [arn("r1")],
      verifyDeadline: "2025-03-04T03:46:00.000Z",
      reasons: [],
      reasonKind: "launch",
    });
  });

  it("with verification off counts placed as started at once", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    const { failure: after } = applyLaunch(failure, { tasks: [{ taskArn: arn("r1") }] }, 1, { verify: false, nowMs: T0, verifyTimeoutSeconds: 900 });
    expect(after).toMatchObject({ attemptsLaunched: 1, placed: 1, unconfirmedTaskArns: [] });
    expect(after.verifyDeadline).toBeUndefined();
    expect(decide(after, POLICY, T0).next).toBe("recovered");
  });

  it("counts a launch that placed nothing, without a deadline", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    const { failure: after } = applyLaunch(failure, { tasks: [], failures: [{ reason: "AGENT" }] }, 1, { verify: true, nowMs: T0, verifyTimeoutSeconds: 900 });
    expect(after).toMatchObject({ attemptsLaunched: 1, placed: 0, remaining: 1, reasons: ["AGENT"], reasonKind: "launch", unconfirmedTaskArns: [] });
    expect(after.verifyDeadline).toBeUndefined();
  });
});

describe("verification", () => {
  it("keeps a pending task unconfirmed and decides verify with the interval, no new attempt", () => {
    const failure = launchedOnce();
    const { failure: after, pending } = applyVerification(failure, [{ tasks: [{ taskArn: arn("r1"), lastStatus: "PROVISIONING" }] }]);
    expect(pending).toEqual([arn("r1")]);
    expect(after).toEqual(failure);
    expect(decide(after, POLICY, T0 + 30_000)).toMatchObject({ next: "verify", attempt: 1, nextAttempt: 1, delaySeconds: 30 });
  });

  it("confirms a RUNNING task and then recovers", () => {
    const { failure: after, started } = applyVerification(launchedOnce(), [{ tasks: [{ taskArn: arn("r1"), lastStatus: "RUNNING" }] }]);
    expect(started).toEqual([arn("r1")]);
    expect(after).toMatchObject({ unconfirmedTaskArns: [], placed: 1, remaining: 0, taskArns: [arn("r1")] });
    expect(after.verifyDeadline).toBeUndefined();
    expect(decide(after, POLICY, T0 + 30_000)).toMatchObject({ next: "recovered", attempt: 1, message: "all 1 task(s) started after 1 rerun(s)" });
  });

  it("takes back a task that failed to start: shortfall again, its stopped reason decides, the attempt count goes on", () => {
    const { failure: after, failedToStart } = applyVerification(launchedOnce(), [
      { tasks: [{ taskArn: arn("r1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:CPU" }] },
    ]);
    expect(failedToStart).toEqual([{ taskArn: arn("r1"), reason: "TaskFailedToStart: RESOURCE:CPU" }]);
    expect(after).toMatchObject({
      unconfirmedTaskArns: [],
      taskArns: [],
      placed: 0,
      remaining: 1,
      reasons: ["TaskFailedToStart: RESOURCE:CPU"],
      reasonKind: "stopped",
      failures: [{ arn: arn("r1"), reason: "TaskFailedToStart: RESOURCE:CPU" }],
      attemptsLaunched: 1,
    });
    expect(decide(after, POLICY, T0 + 30_000)).toMatchObject({ next: "retry", attempt: 1, nextAttempt: 2, delaySeconds: 60 });
  });

  it("stops for a human when a launched task failed to start for a configuration reason", () => {
    const { failure: after } = applyVerification(launchedOnce(), [
      { tasks: [{ taskArn: arn("r1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull access denied" }] },
    ]);
    expect(decide(after, POLICY, T0).next).toBe("not_retryable");
  });

  it("counts a task ECS does not know as failed to start with reason MISSING, which is not retried by default", () => {
    const { failure: after } = applyVerification(launchedOnce(), [{ tasks: [], failures: [{ arn: arn("r1"), reason: "MISSING" }] }]);
    expect(after).toMatchObject({ remaining: 1, reasons: [MISSING_REASON], unconfirmedTaskArns: [] });
    expect(decide(after, POLICY, T0).next).toBe("not_retryable");
  });

  it("gives up when tasks are still not started at the deadline", () => {
    const failure = launchedOnce();
    const decision = decide(failure, POLICY, Date.parse(failure.verifyDeadline!));
    expect(decision).toMatchObject({ next: "gave_up", attempt: 1, message: "1 task(s) not started within VERIFY_TIMEOUT_SECONDS (900 s)" });
  });

  it("gives up after the last attempt's task failed to start", () => {
    const lastLaunch = { ...launchedOnce(), attemptsLaunched: 3 };
    const { failure: after } = applyVerification(lastLaunch, [
      { tasks: [{ taskArn: arn("r1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" }] },
    ]);
    expect(decide(after, POLICY, T0)).toMatchObject({ next: "gave_up", message: "1 of 1 task(s) still not started after 3 rerun(s)" });
  });

  it("puts the container instance of a StartTask rerun that failed to start back among the pending ones", () => {
    const failure = parseLaunchEvent(loadFixture(STARTTASK_PARTIAL));
    const instance = failure.pendingContainerInstances![0];
    const launched = applyLaunch(failure, { tasks: [{ taskArn: arn("s1"), containerInstanceArn: instance }] }, 1, { verify: true, nowMs: T0, verifyTimeoutSeconds: 900 }).failure;
    expect(launched.pendingContainerInstances).toEqual([]);
    const { failure: after } = applyVerification(launched, [
      { tasks: [{ taskArn: arn("s1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "RESOURCE:MEMORY", containerInstanceArn: instance }] },
    ]);
    expect(after).toMatchObject({ pendingContainerInstances: [instance], placed: 1, remaining: 1 });
  });

  it("matches tasks by ID, so an answer with ARNs in another form still counts", () => {
    const { started } = applyVerification(launchedOnce(), [{ tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/r1", lastStatus: "RUNNING" }] }]);
    expect(started).toEqual([arn("r1")]);
  });

  it("splits DescribeTasks calls at 100 tasks", () => {
    expect(chunks(Array.from({ length: 205 }, (_, i) => i)).map((c) => c.length)).toEqual([100, 100, 5]);
  });
});

describe("rerun input from before verification existed", () => {
  it("takes defaults that keep the old meaning: CloudTrail, attempt - 1 launched, nothing to verify", () => {
    const current = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)) as Partial<LaunchFailure>;
    for (const key of ["failureType", "reasonKind", "attemptsLaunched", "unconfirmedTaskArns"] as const) delete current[key];
    expect(validateLaunchFailure(current, "failure", 3)).toMatchObject({
      source: "cloudtrail",
      failureType: "rejected",
      reasonKind: "launch",
      attemptsLaunched: 2,
      unconfirmedTaskArns: [],
    });
  });

  it.each<[string, Partial<LaunchFailure> | Record<string, unknown>, RegExp]>([
    ["an unknown failureType", { failureType: "exploded" }, /failure\.failureType: expected one of/],
    ["a negative attemptsLaunched", { attemptsLaunched: -1 }, /failure\.attemptsLaunched/],
    ["unconfirmed tasks without a deadline", { unconfirmedTaskArns: ["t"] }, /failure\.verifyDeadline/],
    ["unconfirmed tasks with a bad deadline", { unconfirmedTaskArns: ["t"], verifyDeadline: "soon" }, /failure\.verifyDeadline/],
  ])("rejects %s", (_label, patch, message) => {
    const failure = { ...parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)), ...patch };
    expect(() => validateLaunchFailure(failure)).toThrow(message);
  });
});
