import {
  AccessDeniedException,
  ClientException,
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
import { agentEvent, captureLogs, loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";
// These tests pin the launch itself: verification is off (placed counts as started, as before it
// existed) and throttling is not retried in the handler. Both are tested on their own below.
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const task = (id: string, containerInstanceArn?: string) => ({
  taskArn: `arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/${id}`,
  ...(containerInstanceArn ? { containerInstanceArn } : {}),
});

/** The output passes through Step Functions as JSON: round-trip it like the state machine would. */
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe("classify", () => {
  it("classifies the partial RunTask without calling ECS and notices 'detected' with the next delay", async () => {
    const { ecs, commands } = stubEcs();
    const out = await makeHandler(CONFIG, { ecs })({ action: "classify", event: loadFixture(RUNTASK_PARTIAL), executionArn: EXECUTION_ARN });
    expect(commands).toHaveLength(0);
    expect(out.failure).toMatchObject({ requested: 3, placed: 2, remaining: 1, reasons: ["AGENT"] });
    expect(out.decision).toMatchObject({ next: "retry", attempt: 0, nextAttempt: 1, delaySeconds: 30, retryable: true });
    expect(out.notice).toMatchObject({ kind: "detected", nextDelaySeconds: 30, executionArn: EXECUTION_ARN, eventId: out.failure.eventId });
  });

  it("notices 'not_retryable' at once when the reason is not retryable (one message, not detected + needs-a-human)", async () => {
    const event = agentEvent();
    event.detail.responseElements.failures = [{ arn: "x", reason: "ATTRIBUTE" }];
    const out = await makeHandler(CONFIG, stubEcs())({ action: "classify", event, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "not_retryable", retryable: false });
    expect(out.notice).toMatchObject({ kind: "not_retryable", reasons: ["ATTRIBUTE"], source: "cloudtrail", failureType: "rejected" });
    expect(out.notice).not.toHaveProperty("nextDelaySeconds");
  });

  it("throws InvalidEventError for an envelope of neither source", async () => {
    const event = agentEvent();
    event["detail-type"] = "ECS Container Instance State Change";
    const handler = makeHandler(CONFIG, stubEcs());
    await expect(handler({ action: "classify", event, executionArn: EXECUTION_ARN })).rejects.toThrow(InvalidEventError);
    await expect(handler({ action: "classify", event, executionArn: EXECUTION_ARN })).rejects.toMatchObject({
      name: "InvalidEventError",
      message: expect.stringContaining("detail-type"),
    });
  });

  it("throws InvalidEventError for an unknown action", async () => {
    await expect(makeHandler(CONFIG, stubEcs())({ action: "reboot", executionArn: EXECUTION_ARN })).rejects.toMatchObject({
      name: "InvalidEventError",
      message: expect.stringContaining("action"),
    });
  });

  it("logs one JSON object per line with the correlation keys", async () => {
    await makeHandler(CONFIG, stubEcs())({ action: "classify", event: loadFixture(RUNTASK_PARTIAL), executionArn: EXECUTION_ARN });
    const records = logs.records();
    expect(records).toContainEqual(
      expect.objectContaining({
        msg: "launch failure classified",
        cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
        taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
        reasons: ["AGENT"],
        attempt: 0,
        eventId: "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e",
        executionArn: EXECUTION_ARN,
        next: "retry",
      }),
    );
    // The request (container overrides may hold secrets in environment values) is never logged.
    expect(logs.lines.join("\n")).not.toContain("REPORT_DATE");
  });
});

describe("rerun of a RunTask", () => {
  async function classified(): Promise<{ failure: LaunchFailure; original: Record<string, unknown> }> {
    const event = loadFixture(RUNTASK_PARTIAL);
    const out = await makeHandler(CONFIG, stubEcs())({ action: "classify", event, executionArn: EXECUTION_ARN });
    return { failure: viaStateMachine(out), original: event.detail.requestParameters };
  }

  it("sends the original requestParameters unchanged in every field other than count, clientToken and the owner tags", async () => {
    const { failure, original } = await classified();
    const { ecs, launches } = stubEcs({ tasks: [task("rerun-1")], failures: [] });

    await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });

    const commands = launches();
    expect(commands).toHaveLength(1);
    expect(commands[0]).toBeInstanceOf(RunTaskCommand);
    const input = commands[0].input as unknown as Record<string, unknown>;
    const { count, clientToken: token, tags, ...sent } = input;
    const { count: originalCount, clientToken: callerToken, tags: originalTags, ...kept } = original;
    expect(sent).toEqual(kept);
    // Ownership travels with the launch itself: the caller's tags, then this attempt's.
    expect(tags).toEqual([
      ...(originalTags as unknown[]),
      { key: "ecs-rerun:event-id", value: failure.eventId },
      { key: "ecs-rerun:attempt", value: "1" },
    ]);
    expect(Object.keys(input).sort()).toEqual(Object.keys(original).sort());
    for (const field of [
      "overrides",
      "networkConfiguration",
      "capacityProviderStrategy",
      "placementConstraints",
      "placementStrategy",
      "group",
      "propagateTags",
      "referenceId",
      "enableECSManagedTags",
      "enableExecuteCommand",
      "startedBy",
      "cluster",
      "taskDefinition",
    ]) {
      expect(input[field]).toEqual(original[field]);
    }
    expect(originalCount).toBe(3);
    expect(count).toBe(1);
    expect(token).toBe(clientToken(failure.eventId, 1));
    expect(token).not.toBe(callerToken);
    expect(callerToken).toBe("caller-token-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
  });

  it("recovers when the rerun places the shortfall", async () => {
    const { failure } = await classified();
    const { ecs } = stubEcs({ tasks: [task("rerun-1")], failures: [] });
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "recovered", attempt: 1, delaySeconds: 0 });
    expect(out.failure).toMatchObject({ placed: 3, remaining: 0, reasons: [], failures: [] });
    expect(out.failure.taskArns).toHaveLength(3);
    expect(out.failure.request).toEqual(failure.request);
    expect(out.notice).toMatchObject({ kind: "recovered", placed: 3, requested: 3 });
  });

  it("retries with the next backoff while attempts are left, and gives up after the last one", async () => {
    const { failure } = await classified();
    const agent = { tasks: [], failures: [{ arn: "ci/1", reason: "AGENT" }] };
    const { ecs, launches } = stubEcs(agent, agent, agent);
    const handler = makeHandler(CONFIG, { ecs });

    let current = failure;
    const kinds: string[] = [];
    const delays: number[] = [];
    for (const attempt of [1, 2, 3]) {
      const out = await handler({ action: "rerun", failure: current, attempt, executionArn: EXECUTION_ARN });
      kinds.push(out.notice.kind);
      delays.push(out.decision.delaySeconds);
      current = viaStateMachine(out);
    }
    expect(kinds).toEqual(["retrying", "retrying", "gave_up"]);
    expect(delays).toEqual([60, 120, 0]);
    const commands = launches();
    expect(commands.map((c) => (c.input as { clientToken?: string }).clientToken)).toEqual([
      clientToken(failure.eventId, 1),
      clientToken(failure.eventId, 2),
      clientToken(failure.eventId, 3),
    ]);
    expect(commands.every((c) => (c.input as { count?: number }).count === 1)).toBe(true);
  });

  it("stops as not_retryable when the rerun is rejected for a configuration reason", async () => {
    const { failure } = await classified();
    const { ecs } = stubEcs({ tasks: [], failures: [{ reason: "MISSING", detail: "task definition revision missing" }] });
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "not_retryable", retryable: false });
    expect(out.notice).toMatchObject({ kind: "not_retryable", reasons: ["MISSING"] });
    expect(out.failure.failures).toEqual([{ reason: "MISSING", detail: "task definition revision missing" }]);
  });

  it("hands a throttled launch back for later: the same attempt, not used up, nothing thrown", async () => {
    const { failure } = await classified();
    const throttled = new ECSServiceException({ name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });
    const { ecs } = stubEcs(throttled);
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", attempt: 0, nextAttempt: 1, message: "RunTask: ThrottlingException: Rate exceeded" });
    expect(out.decision.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(out.failure).toMatchObject({ attemptsLaunched: 0, deferrals: 1, remaining: failure.remaining });
  });

  it("hands a ServerException back for later; the repeat carries the same clientToken, so ECS answers it with the first answer", async () => {
    const { failure } = await classified();
    const { ecs, launches } = stubEcs(new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service unavailable" }), { tasks: [task("rerun-1")], failures: [] });
    const handler = makeHandler(CONFIG, { ecs });
    const first = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(first.decision).toMatchObject({ next: "later", nextAttempt: 1 });
    const second = await handler({ action: "rerun", failure: viaStateMachine(first), attempt: first.decision.nextAttempt, executionArn: EXECUTION_ARN });
    const [a, b] = launches().map((c) => (c.input as { clientToken?: string }).clientToken);
    expect(a).toBe(clientToken(failure.eventId, 1));
    expect(b).toBe(a);
    expect(second.failure).toMatchObject({ attemptsLaunched: 1, deferrals: 0 });
  });

  it("gives up with the ECS error as message on a ClientException", async () => {
    const { failure } = await classified();
    const { ecs } = stubEcs(new ClientException({ $metadata: { httpStatusCode: 400 }, message: "TaskDefinition is inactive" }));
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 2, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "gave_up", attempt: 2, retryable: false, message: "ClientException: TaskDefinition is inactive" });
    expect(out.notice).toMatchObject({ kind: "gave_up", message: "ClientException: TaskDefinition is inactive" });
    expect(out.failure).toEqual(failure);
    expect(logs.records()).toContainEqual(expect.objectContaining({ msg: "ecs error", errorName: "ClientException", outcome: "gave_up", attempt: 2 }));
  });

  it("gives up on AccessDeniedException", async () => {
    const { failure } = await classified();
    const { ecs } = stubEcs(new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: "not authorized to perform ecs:RunTask" }));
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "gave_up", message: expect.stringMatching(/^AccessDeniedException: not authorized/) });
  });

  it("does not call ECS when nothing is left to place", async () => {
    const { failure } = await classified();
    const { ecs, commands } = stubEcs();
    const out = await makeHandler(CONFIG, { ecs })({
      action: "rerun",
      failure: { ...failure, placed: 3, remaining: 0 },
      attempt: 1,
      executionArn: EXECUTION_ARN,
    });
    expect(commands).toHaveLength(0);
    expect(out.decision.next).toBe("recovered");
  });
});

describe("rerun of a StartTask", () => {
  async function classified(): Promise<LaunchFailure> {
    const out = await makeHandler(CONFIG, stubEcs())({ action: "classify", event: loadFixture(STARTTASK_PARTIAL), executionArn: EXECUTION_ARN });
    return viaStateMachine(out);
  }
  const pending = "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/batch-ec2/4e5f6a7b8c9d40e1f2a3b4c5d6e7f8a9";

  it("starts the task only on the instance that did not get one, without a clientToken", async () => {
    const failure = await classified();
    const original = loadFixture(STARTTASK_PARTIAL).detail.requestParameters;
    const { ecs, launches } = stubEcs({ tasks: [task("st-2", pending)], failures: [] });

    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });

    const commands = launches();
    expect(commands).toHaveLength(1);
    expect(commands[0]).toBeInstanceOf(StartTaskCommand);
    const { containerInstances, tags, ...sent } = commands[0].input as unknown as Record<string, unknown>;
    const { containerInstances: originalInstances, tags: originalTags, ...kept } = original;
    expect(tags).toEqual([...((originalTags as unknown[]) ?? []), { key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "1" }]);
    expect(containerInstances).toEqual([pending]);
    expect(originalInstances).toHaveLength(2);
    expect(sent).toEqual(kept);
    expect(commands[0].input).not.toHaveProperty("clientToken");
    expect(out.failure).toMatchObject({ placed: 2, remaining: 0, pendingContainerInstances: [] });
    expect(out.notice.kind).toBe("recovered");
  });

  it("after a ServerException whose StartTask did take effect, finds the task this attempt tagged and starts no second one", async () => {
    const failure = await classified();
    const placed = { ...task("st-2", pending), lastStatus: "PENDING", tags: [{ key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "1" }] };
    const { ecs, launches, listTasks } = ecsStub({
      launch: [new ServerException({ $metadata: { httpStatusCode: 500 }, message: "Service unavailable" })],
      // Running and stopped tasks of the instance, for each of the two rounds.
      listTasks: [{ taskArns: [] }, { taskArns: [] }, { taskArns: [placed.taskArn] }, { taskArns: [] }],
      describeTasks: [{ tasks: [placed], failures: [] }],
    });
    const handler = makeHandler(CONFIG, { ecs });
    const first = await handler({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(first.decision).toMatchObject({ next: "later", nextAttempt: 1 });
    const second = await handler({ action: "rerun", failure: viaStateMachine(first), attempt: 1, executionArn: EXECUTION_ARN });
    expect(launches()).toHaveLength(1);
    expect(listTasks().map((c) => [c.input.containerInstance, c.input.desiredStatus])).toEqual([
      [pending, "RUNNING"],
      [pending, "STOPPED"],
      [pending, "RUNNING"],
      [pending, "STOPPED"],
    ]);
    expect(second.failure).toMatchObject({ placed: 2, remaining: 0, attemptsLaunched: 1, taskArns: expect.arrayContaining([placed.taskArn]) });
    expect(second.notice.kind).toBe("recovered");
  });

  it("finds the task even when it has already run and stopped meanwhile (a second run would be a duplicate)", async () => {
    const failure = await classified();
    const stopped = { ...task("st-2", pending), lastStatus: "STOPPED", tags: [{ key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "1" }] };
    const { ecs, launches } = ecsStub({ listTasks: [{ taskArns: [] }, { taskArns: [stopped.taskArn] }], describeTasks: [{ tasks: [stopped], failures: [] }] });
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(launches()).toHaveLength(0);
    expect(out.failure).toMatchObject({ placed: 2, remaining: 0 });
  });

  it("ignores tasks on the instance that another event or attempt launched", async () => {
    const failure = await classified();
    const other = { ...task("someone-else", pending), tags: [{ key: "ecs-rerun:event-id", value: "another-event" }, { key: "ecs-rerun:attempt", value: "1" }] };
    const { ecs, launches } = ecsStub({
      listTasks: [{ taskArns: [other.taskArn] }, { taskArns: [] }],
      describeTasks: [{ tasks: [other], failures: [] }],
      launch: [{ tasks: [task("st-2", pending)], failures: [] }],
    });
    await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(launches()).toHaveLength(1);
  });

  it("hands a throttled StartTask back for later (a throttled call did not run)", async () => {
    const failure = await classified();
    const throttled = Object.assign(new Error("slow down"), { name: "Whatever", $fault: "client", $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    const { ecs } = stubEcs(throttled);
    const out = await makeHandler(CONFIG, { ecs })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1 });
  });

  it("rejects a StartTask failure without pendingContainerInstances", async () => {
    const failure = await classified();
    delete (failure as Partial<LaunchFailure>).pendingContainerInstances;
    await expect(makeHandler(CONFIG, stubEcs())({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN })).rejects.toMatchObject({
      name: "InvalidEventError",
      message: expect.stringContaining("pendingContainerInstances"),
    });
  });
});
