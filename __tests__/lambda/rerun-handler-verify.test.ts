/**
 * The rerun handler with task state change events, launch verification, post-launch tagging and
 * in-handler throttle retries, against a stub ECS client.
 */
import {
  AccessDeniedException,
  ClientException,
  DescribeTasksCommand,
  ECSServiceException,
  RunTaskCommand,
  ServerException,
  StartTaskCommand,
} from "@aws-sdk/client-ecs";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { clientToken } from "../../lambda/rerun/core/failure/client-token";
import { makeHandler } from "../../lambda/rerun/handler";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { InvalidEventError } from "../../lambda/shared/errors";
import { ecsStub, stubEcs } from "./ecs-stub";
import { bridgeTaskEvent, captureLogs, loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL, taskEvent } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:c1d2e3f4";
// The quick check after a launch has its own tests below; here every check is the durable one.
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", quickCheckSeconds: 0 };
const T0 = Date.parse("2025-03-04T03:31:00Z");
const TASK_EVENT_ID = "4d8f0a2e-6b1c-4e3d-9f5a-7c2b8e1d0a41";
const CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2";
const STOPPED_TASK = "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5";
const arn = (id: string) => `arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/${id}`;
const throttled = () =>
  new ECSServiceException({ name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });

/** A clock the test moves by hand. */
function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

/** The output passes through Step Functions as JSON: round-trip it like the state machine would. */
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

async function classifiedTaskEvent(name: "resourceMemory" | "pullTimeout" = "resourceMemory"): Promise<LaunchFailure> {
  const stub = ecsStub({ describeTasks: [{ tasks: [{ taskArn: STOPPED_TASK, tags: [] }] }] });
  const out = await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 })({ action: "classify", event: bridgeTaskEvent(name), executionArn: EXECUTION_ARN });
  return viaStateMachine(out);
}

describe("classify of a task that failed to start", () => {
  it("asks ECS whether the pipeline launched the task, and notices 'detected' with what the rerun lacks", async () => {
    const stub = ecsStub({ describeTasks: [{ tasks: [{ taskArn: STOPPED_TASK, tags: [{ key: "team", value: "reports" }] }] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 })({ action: "classify", event: bridgeTaskEvent("resourceMemory"), executionArn: EXECUTION_ARN });

    expect(stub.describeTasks().map((c) => c.input)).toEqual([{ cluster: CLUSTER, tasks: [STOPPED_TASK], include: ["TAGS"] }]);
    expect(stub.launches()).toHaveLength(0);
    expect(out.decision).toMatchObject({ next: "retry", attempt: 0, nextAttempt: 1, delaySeconds: 30, retryable: true });
    expect(out.notice).toMatchObject({
      kind: "detected",
      source: "task-state-change",
      failureType: "failed_to_start",
      eventId: TASK_EVENT_ID,
      stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY",
      taskArn: STOPPED_TASK,
      notCarriedOver: expect.arrayContaining(["tags", "placementConstraints"]),
      nextDelaySeconds: 30,
    });
  });

  it("returns already_handled (not an error) for a task the pipeline launched, naming the owning event and attempt", async () => {
    const stub = ecsStub({
      describeTasks: [
        { tasks: [{ taskArn: STOPPED_TASK, tags: [{ key: "ecs-rerun:event-id", value: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" }, { key: "ecs-rerun:attempt", value: "2" }] }] },
      ],
    });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: bridgeTaskEvent("resourceMemory"), executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "already_handled", message: expect.stringMatching(/event a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d \(attempt 2\)/) });
    expect(stub.launches()).toHaveLength(0);
  });

  it("launches nothing and announces nothing while it cannot tell whether the task was its own, then finishes classifying", async () => {
    const stub = ecsStub({
      describeTasks: [new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: "not authorized to perform ecs:DescribeTasks" }), { tasks: [] }],
    });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs });
    const out = await handler({ action: "classify", event: bridgeTaskEvent("resourceMemory"), executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1 });
    expect(out.failure).toMatchObject({ classificationPending: true, deferrals: 1 });
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: "ERROR", msg: "ecs error", errorName: "AccessDeniedException", eventId: TASK_EVENT_ID }));
    const resumed = await handler({ action: "rerun", failure: viaStateMachine(out), attempt: out.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(resumed.decision).toMatchObject({ next: "retry", attempt: 0, nextAttempt: 1 });
    expect(resumed.notice.kind).toBe("detected");
    expect(resumed.failure.classificationPending).toBeUndefined();
    expect(stub.launches()).toHaveLength(0);
  });

  it("notices 'not_retryable' with the stopped reason for an image that does not exist", async () => {
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: taskEvent("pullNotFound"), executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "not_retryable", retryable: false });
    expect(out.notice).toMatchObject({ kind: "not_retryable", stoppedReason: expect.stringMatching(/^CannotPullContainerError: .*not found/) });
    expect(out.notice.notCarriedOver).toEqual(expect.arrayContaining(["tags"]));
  });
});

describe("classify of a program failure", () => {
  const taskDefinition = {
    taskDefinition: {
      containerDefinitions: [
        { name: "app", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/nightly-report", "awslogs-stream-prefix": "batch", "awslogs-region": "ap-northeast-1" } } },
      ],
    },
  };

  it("reports with the containers and a log stream from the task definition, and launches nothing", async () => {
    const stub = ecsStub({ describeTaskDefinition: [taskDefinition] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: bridgeTaskEvent("exit1"), executionArn: EXECUTION_ARN });
    expect(stub.describeTaskDefinitions().map((c) => c.input)).toEqual([{ taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12" }]);
    expect(stub.describeTasks()).toHaveLength(0);
    expect(stub.launches()).toHaveLength(0);
    expect(out.decision).toMatchObject({ next: "report", retryable: false });
    expect(out.notice).toMatchObject({
      kind: "program_failed",
      failureType: "program_failed",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8",
      containers: [{ name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8" }],
      logGroup: "/ecs/nightly-report",
      logStream: "batch/app/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8",
      logRegion: "ap-northeast-1",
    });
  });

  it("reports without a log link when the task definition cannot be read, with a warning", async () => {
    const stub = ecsStub({ describeTaskDefinition: [new ClientException({ $metadata: { httpStatusCode: 400 }, message: "Unable to describe task definition." })] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: bridgeTaskEvent("exit1"), executionArn: EXECUTION_ARN });
    expect(out.notice).toMatchObject({ kind: "program_failed", containers: [{ name: "app", exitCode: 1 }] });
    expect(out.notice).not.toHaveProperty("logGroup");
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: "WARN", msg: "task definition not read: every container counts as essential, no log link", why: expect.stringMatching(/^ClientException: /) }));
  });

  it("reruns an opted-in family, unless the failed task was itself a rerun", async () => {
    const optedIn = { ...CONFIG, rerunProgramFailureFamilies: ["nightly-report"] };
    const notOwned = ecsStub({ describeTasks: [{ tasks: [] }], describeTaskDefinition: [taskDefinition] });
    const first = await makeHandler(optedIn, { ecs: notOwned.ecs })({ action: "classify", event: bridgeTaskEvent("exit1"), executionArn: EXECUTION_ARN });
    expect(first.decision).toMatchObject({ next: "retry", retryable: true });
    expect(first.notice).toMatchObject({ kind: "detected", reasons: ["EssentialContainerExited: app exited 1"] });

    const owned = ecsStub({
      describeTasks: [{ tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8", tags: [{ key: "ecs-rerun:event-id", value: "e-1" }, { key: "ecs-rerun:attempt", value: "1" }] }] }],
      describeTaskDefinition: [taskDefinition],
    });
    const second = await makeHandler(optedIn, { ecs: owned.ecs })({ action: "classify", event: bridgeTaskEvent("exit1"), executionArn: EXECUTION_ARN });
    expect(second.decision.next).toBe("report");
    expect(second.failure.rerunOf).toEqual({ eventId: "e-1", attempt: 1 });
  });

  it("refuses an event whose containers all exited 0", async () => {
    const stub = ecsStub();
    await expect(makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: taskEvent("exit0"), executionArn: EXECUTION_ARN })).rejects.toThrow(InvalidEventError);
    expect(stub.commands).toHaveLength(0);
  });
});

describe("verifying that reruns start", () => {
  it("launch -> verify while PROVISIONING -> verify RUNNING -> recovered, without a second launch", async () => {
    const failure = await classifiedTaskEvent();
    const time = clock();
    const stub = ecsStub({
      launch: [{ tasks: [{ taskArn: arn("r1") }], failures: [] }],
      describeTasks: [{ tasks: [{ taskArn: arn("r1"), lastStatus: "PROVISIONING" }] }, { tasks: [{ taskArn: arn("r1"), lastStatus: "RUNNING" }] }],
    });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs, now: time.now });

    const launched = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(launched.decision).toMatchObject({ next: "verify", attempt: 1, nextAttempt: 1, delaySeconds: 30 });
    expect(launched.failure).toMatchObject({ attemptsLaunched: 1, unconfirmedTaskArns: [arn("r1")], verifyDeadline: "2025-03-04T03:46:00.000Z", placed: 1, remaining: 0 });
    expect(launched.notice.kind).toBe("retrying");

    time.advance(30);
    const pending = await handler({ action: "rerun", failure: viaStateMachine(launched), attempt: launched.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(pending.decision).toMatchObject({ next: "verify", nextAttempt: 1 });

    time.advance(30);
    const started = await handler({ action: "rerun", failure: viaStateMachine(pending), attempt: pending.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(started.decision).toMatchObject({ next: "recovered", attempt: 1 });
    expect(started.notice).toMatchObject({ kind: "recovered", placed: 1, requested: 1, taskArns: [arn("r1")] });
    expect(started.failure.unconfirmedTaskArns).toEqual([]);

    expect(stub.launches()).toHaveLength(1);
    expect(stub.describeTasks().map((c) => c.input)).toEqual([
      { cluster: CLUSTER, tasks: [arn("r1")] },
      { cluster: CLUSTER, tasks: [arn("r1")] },
    ]);
  });

  it("launch -> TaskFailedToStart -> retry continuing the attempt count -> launch attempt 2 -> recovered", async () => {
    const failure = await classifiedTaskEvent();
    const time = clock();
    const stub = ecsStub({
      launch: [{ tasks: [{ taskArn: arn("r1") }] }, { tasks: [{ taskArn: arn("r2") }] }],
      describeTasks: [
        { tasks: [{ taskArn: arn("r1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" }] },
        { tasks: [{ taskArn: arn("r2"), lastStatus: "RUNNING" }] },
      ],
    });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs, now: time.now });

    const first = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    time.advance(30);
    const failed = await handler({ action: "rerun", failure: viaStateMachine(first), attempt: first.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(failed.decision).toMatchObject({ next: "retry", attempt: 1, nextAttempt: 2, delaySeconds: 60 });
    expect(failed.failure).toMatchObject({ placed: 0, remaining: 1, taskArns: [], reasons: ["TaskFailedToStart: RESOURCE:MEMORY"] });
    expect(failed.notice).toMatchObject({ kind: "retrying", attempt: 1, nextDelaySeconds: 60, reasons: ["TaskFailedToStart: RESOURCE:MEMORY"] });

    time.advance(60);
    const second = await handler({ action: "rerun", failure: viaStateMachine(failed), attempt: failed.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(second.decision).toMatchObject({ next: "verify", nextAttempt: 2 });
    time.advance(30);
    const done = await handler({ action: "rerun", failure: viaStateMachine(second), attempt: second.decision.nextAttempt, executionArn: EXECUTION_ARN });
    expect(done.decision).toMatchObject({ next: "recovered", attempt: 2 });
    expect(done.failure.taskArns).toEqual([arn("r2")]);

    // Keyed on the stopped task, so that two events about the same task launch one replacement.
    expect(stub.launches().map((c) => (c.input as { clientToken?: string }).clientToken)).toEqual([clientToken(STOPPED_TASK, 1), clientToken(STOPPED_TASK, 2)]);
    expect(stub.launches().map((c) => (c.input as { tags?: unknown }).tags)).toEqual([
      [{ key: "ecs-rerun:event-id", value: TASK_EVENT_ID }, { key: "ecs-rerun:attempt", value: "1" }],
      [{ key: "ecs-rerun:event-id", value: TASK_EVENT_ID }, { key: "ecs-rerun:attempt", value: "2" }],
    ]);
  });

  it("sends the same clientToken for two different events about the same stopped task", async () => {
    const other = bridgeTaskEvent("resourceMemory");
    other.id = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    other.detail.version = 4;
    const tokens: string[] = [];
    for (const event of [bridgeTaskEvent("resourceMemory"), other]) {
      const classify = ecsStub({ describeTasks: [{ tasks: [] }] });
      const failure = viaStateMachine(await makeHandler(CONFIG, { ecs: classify.ecs })({ action: "classify", event, executionArn: EXECUTION_ARN }));
      const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }] });
      await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
      tokens.push((stub.launches()[0].input as { clientToken: string }).clientToken);
    }
    expect(tokens[0]).toBe(tokens[1]);
  });

  it("counts unconfirmed tasks as started when verification was switched off meanwhile", async () => {
    const failure = await classifiedTaskEvent();
    const launch = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }] });
    const launched = await makeHandler(CONFIG, { ecs: launch.ecs, now: () => T0 })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const stub = ecsStub();
    const out = await makeHandler({ ...CONFIG, verifyIntervalSeconds: 0 }, { ecs: stub.ecs, now: () => T0 })({
      action: "rerun",
      failure: viaStateMachine(launched),
      attempt: 1,
      executionArn: EXECUTION_ARN,
    });
    expect(out.decision.next).toBe("recovered");
    expect(stub.commands).toHaveLength(0);
  });

  it("gives up when the launched task has not started by the deadline", async () => {
    const failure = await classifiedTaskEvent();
    const time = clock();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }], describeTasks: [{ tasks: [{ taskArn: arn("r1"), lastStatus: "PROVISIONING" }] }] });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs, now: time.now });
    const launched = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    time.advance(900);
    const out = await handler({ action: "rerun", failure: viaStateMachine(launched), attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "gave_up", message: "1 task(s) not started within VERIFY_TIMEOUT_SECONDS (900 s)" });
    expect(out.notice).toMatchObject({ kind: "gave_up" });
    expect(stub.launches()).toHaveLength(1);
  });

  it("with VERIFY_INTERVAL_SECONDS=0 recovers at once, still tagging at launch, without DescribeTasks", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }] });
    const out = await makeHandler({ ...CONFIG, verifyIntervalSeconds: 0 }, { ecs: stub.ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "recovered", attempt: 1 });
    expect(out.failure.unconfirmedTaskArns).toEqual([]);
    expect(stub.describeTasks()).toHaveLength(0);
    expect(stub.launches()[0].input.tags).toEqual([{ key: "ecs-rerun:event-id", value: TASK_EVENT_ID }, { key: "ecs-rerun:attempt", value: "1" }]);
  });

  it.each<[string, Error]>([
    ["throttled beyond the retries", throttled()],
    ["a ServerException", new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service unavailable" })],
  ])("checks again later when DescribeTasks is %s (a read is safe to repeat), launching nothing", async (_label, error) => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }], describeTasks: [error] });
    const handler = makeHandler({ ...CONFIG, throttleRetries: 0 }, { ecs: stub.ecs, now: () => T0 });
    const launched = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const out = await handler({ action: "rerun", failure: viaStateMachine(launched), attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1, attempt: 1 });
    expect(out.failure.unconfirmedTaskArns).toEqual([arn("r1")]);
    expect(stub.launches()).toHaveLength(1);
  });

  it("records the launch even when the start check right after it fails (a retry must never launch again)", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }], describeTasks: [new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service unavailable" })] });
    const out = await makeHandler({ ...CONFIG, quickCheckSeconds: 5 }, { ecs: stub.ecs, now: () => T0, sleep: async () => undefined })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "verify", nextAttempt: 1 });
    expect(out.failure).toMatchObject({ attemptsLaunched: 1, unconfirmedTaskArns: [arn("r1")] });
  });

  it("gives up when it is not allowed to check the launched tasks", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({
      launch: [{ tasks: [{ taskArn: arn("r1") }] }],
      describeTasks: [new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: "not authorized to perform ecs:DescribeTasks" })],
    });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 });
    const launched = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const out = await handler({ action: "rerun", failure: viaStateMachine(launched), attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "gave_up", message: expect.stringMatching(/^cannot check that launched tasks started: AccessDeniedException/) });
  });
});

describe("the quick check right after a launch", () => {
  const QUICK: RerunConfig = { ...CONFIG, quickCheckSeconds: 20 };

  it("declares recovery at once when the tasks start within the quick check, sparing a wait-and-check round", async () => {
    const failure = await classifiedTaskEvent();
    const sleeps: number[] = [];
    const stub = ecsStub({
      launch: [{ tasks: [{ taskArn: arn("r1") }], failures: [] }],
      describeTasks: [{ tasks: [{ taskArn: arn("r1"), lastStatus: "PENDING" }] }, { tasks: [{ taskArn: arn("r1"), lastStatus: "RUNNING" }] }],
    });
    const out = await makeHandler(QUICK, { ecs: stub.ecs, now: () => T0, sleep: async (ms) => void sleeps.push(ms) })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "recovered", attempt: 1 });
    expect(sleeps).toEqual([5000, 5000]);
    expect(stub.launches()).toHaveLength(1);
  });

  it("leaves a slow start to the durable check after at most quickCheckSeconds", async () => {
    const failure = await classifiedTaskEvent();
    const sleeps: number[] = [];
    const provisioning = { tasks: [{ taskArn: arn("r1"), lastStatus: "PROVISIONING" }] };
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }], failures: [] }], describeTasks: [provisioning, provisioning, provisioning, provisioning] });
    const out = await makeHandler(QUICK, { ecs: stub.ecs, now: () => T0, sleep: async (ms) => void sleeps.push(ms) })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "verify", nextAttempt: 1 });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(20000);
  });

  it("stops looking as soon as a task failed to start, and decides a retry", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({
      launch: [{ tasks: [{ taskArn: arn("r1") }], failures: [] }],
      describeTasks: [{ tasks: [{ taskArn: arn("r1"), lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" }] }],
    });
    const out = await makeHandler(QUICK, { ecs: stub.ecs, now: () => T0, sleep: async () => undefined })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "retry", nextAttempt: 2 });
    expect(stub.describeTasks()).toHaveLength(1);
  });
});

describe("the rerun request and its owner tags", () => {
  it("sends the task record's request with only count, clientToken and the owner tags set, in one call", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }] });
    await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const [run] = stub.launches();
    expect(run).toBeInstanceOf(RunTaskCommand);
    expect(run.input).toEqual({
      ...failure.request,
      count: 1,
      clientToken: clientToken(STOPPED_TASK, 1),
      tags: [{ key: "ecs-rerun:event-id", value: TASK_EVENT_ID }, { key: "ecs-rerun:attempt", value: "1" }],
    });
    // Tags travel with the launch: no separate call that could fail and leave the rerun unmarked.
    expect(stub.commands.map((c) => c.constructor.name)).toEqual(["RunTaskCommand"]);
  });

  it("keeps a CloudTrail request identical to the original except count and clientToken, and tags every placed task", async () => {
    const event = loadFixture(RUNTASK_PARTIAL);
    const classified = await makeHandler(CONFIG, stubEcs())({ action: "classify", event, executionArn: EXECUTION_ARN });
    const failure = viaStateMachine(classified);
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }], failures: [] }] });
    await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0 })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const { count, clientToken: token, tags, ...sent } = stub.launches()[0].input as unknown as Record<string, unknown>;
    const { count: _count, clientToken: _callerToken, tags: originalTags, ...original } = event.detail.requestParameters;
    expect(sent).toEqual(original);
    expect(count).toBe(1);
    expect(token).toBe(clientToken(failure.eventId, 1));
    expect(tags).toEqual([...originalTags, { key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "1" }]);
  });
});

describe("ECS throttling inside the handler", () => {
  it("retries a throttled RunTask with full-jitter sleeps and succeeds without throwing", async () => {
    const failure = await classifiedTaskEvent();
    const sleeps: number[] = [];
    const stub = ecsStub({ launch: [throttled(), throttled(), { tasks: [{ taskArn: arn("r1") }] }] });
    const out = await makeHandler(CONFIG, {
      ecs: stub.ecs,
      now: () => T0,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });

    expect(out.decision.next).toBe("verify");
    expect(sleeps).toEqual([500, 1000]); // floor(0.5 * (1000 + 1)), floor(0.5 * (2000 + 1))
    expect(stub.launches()).toHaveLength(3);
    // The same attempt: one clientToken across the retries.
    expect(new Set(stub.launches().map((c) => (c.input as { clientToken?: string }).clientToken)).size).toBe(1);
    expect(logs.records().filter((r) => r.msg === "ecs throttled, retrying in the handler")).toHaveLength(2);
  });

  it("hands the attempt back for later once THROTTLE_RETRIES are used up", async () => {
    const failure = await classifiedTaskEvent();
    const sleep = jest.fn(async () => undefined);
    const stub = ecsStub({ launch: [throttled(), throttled(), throttled()] });
    const out = await makeHandler({ ...CONFIG, throttleRetries: 2 }, { ecs: stub.ecs, sleep, random: () => 0.99 })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1, message: "RunTask: ThrottlingException: Rate exceeded" });
    expect(sleep).toHaveBeenCalledTimes(2);
    expect(stub.launches()).toHaveLength(3);
  });

  it("caps the sleep at 8 s", async () => {
    const failure = await classifiedTaskEvent();
    const sleeps: number[] = [];
    const stub = ecsStub({ launch: [throttled(), throttled(), throttled(), throttled(), throttled()] });
    const out = await makeHandler({ ...CONFIG, throttleRetries: 4 }, { ecs: stub.ecs, random: () => 0.999999, sleep: async (ms) => void sleeps.push(ms) })({
      action: "rerun",
      failure,
      attempt: 1,
      executionArn: EXECUTION_ARN,
    });
    expect(out.decision.next).toBe("later");
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
  });

  it("never sleeps past its time budget: out of time, the attempt goes back to the state machine", async () => {
    const failure = await classifiedTaskEvent();
    let clock = T0;
    const stub = ecsStub({ launch: [throttled(), throttled(), throttled(), throttled(), throttled(), throttled(), throttled()] });
    const handler = makeHandler({ ...CONFIG, throttleRetries: 6 }, { ecs: stub.ecs, random: () => 0.999999, now: () => clock, sleep: async (ms) => void (clock += ms) });
    // 20 s left of the function's timeout: 5 s of budget once the 15 s margin is kept free.
    const out = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN }, { getRemainingTimeInMillis: () => 20_000 });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1 });
    expect(clock - T0).toBeLessThanOrEqual(5_000);
    expect(stub.launches().length).toBeLessThan(7);
  });

  it("retries a throttled StartTask too (a throttled call did not run)", async () => {
    const classified = await makeHandler(CONFIG, stubEcs())({ action: "classify", event: loadFixture(STARTTASK_PARTIAL), executionArn: EXECUTION_ARN });
    const failure = viaStateMachine(classified);
    const instance = failure.pendingContainerInstances![0];
    const stub = ecsStub({ launch: [throttled(), { tasks: [{ taskArn: arn("s1"), containerInstanceArn: instance }] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0, sleep: async () => undefined })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(stub.launches().every((c) => c instanceof StartTaskCommand)).toBe(true);
    expect(stub.launches()).toHaveLength(2);
    expect(out.failure).toMatchObject({ remaining: 0, pendingContainerInstances: [], unconfirmedTaskArns: [arn("s1")] });
  });

  it("does not retry other errors in the handler", async () => {
    const failure = await classifiedTaskEvent();
    const sleep = jest.fn(async () => undefined);
    const stub = ecsStub({ launch: [new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service unavailable" })] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs, sleep })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("later");
    expect(sleep).not.toHaveBeenCalled();
    expect(stub.launches()).toHaveLength(1);
  });

  it("retries throttled verification reads as well", async () => {
    const failure = await classifiedTaskEvent();
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: arn("r1") }] }], describeTasks: [throttled(), { tasks: [{ taskArn: arn("r1"), lastStatus: "RUNNING" }] }] });
    const handler = makeHandler(CONFIG, { ecs: stub.ecs, now: () => T0, sleep: async () => undefined });
    const launched = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    const out = await handler({ action: "rerun", failure: viaStateMachine(launched), attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("recovered");
    expect(stub.commands.filter((c) => c instanceof DescribeTasksCommand)).toHaveLength(2);
  });
});
