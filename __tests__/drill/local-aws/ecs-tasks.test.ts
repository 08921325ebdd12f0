// The life of the tasks the local ECS placed: steps on the scheduler and "ECS Task State Change" events.
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import FakeTimers from "@sinonjs/fake-timers";
import { matchesEventPattern } from "../../../drill/event-pattern/event-pattern-matcher";
import { EcsTaskStateChangeEvent, parseEcsScript } from "../../../drill/local-aws/local-aws";
import { ACCOUNT, CLUSTER_ARN, REGION, T0, TASK_DEF, nightly, startAws, startTasks, statuses } from "./harness";

describe("LocalAws task life", () => {
  it("runs an ok task PENDING -> RUNNING after startSeconds -> STOPPED exit 0 after runSeconds, reporting each step in order", async () => {
    const { aws, timers, changes, describe, runOne } = await startTasks();
    const task = await runOne();
    const arn = task.taskArn!;

    expect(task.lastStatus).toBe("PENDING");
    expect(statuses(changes)).toEqual(["PENDING"]);
    expect(timers.pending()).toEqual([5000]);
    expect(await describe(arn)).toMatchObject({ lastStatus: "PENDING", desiredStatus: "RUNNING", containers: [{ name: "app", lastStatus: "PENDING" }] });

    timers.fire();
    const running = await describe(arn);
    expect(running).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", containers: [{ name: "app", lastStatus: "RUNNING" }] });
    expect(running.startedAt).toEqual(new Date(T0 + 5000));
    expect(timers.pending()).toEqual([60_000]);

    timers.fire();
    const stopped = await describe(arn);
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [{ name: "app", lastStatus: "STOPPED", exitCode: 0, taskArn: arn }],
    });
    expect(stopped.createdAt).toEqual(new Date(T0));
    expect(stopped.stoppedAt).toEqual(new Date(T0 + 65_000));
    expect(timers.pending()).toEqual([]);

    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
    expect(changes).toEqual(aws.taskStateChanges);
    expect(changes.map((e) => e.detail.version)).toEqual([1, 2, 3]);
    expect(changes.map((e) => e.time)).toEqual(["2025-03-04T03:00:00Z", "2025-03-04T03:00:05Z", "2025-03-04T03:01:05Z"]);
  });

  it("sends the EventBridge envelope ECS sends: task fields, ISO timestamps, updatedAt, the task as the resource, no tags", async () => {
    const { changes, timers, runOne } = await startTasks();
    const task = await runOne({ ...nightly, tags: [{ key: "team", value: "reports" }] });
    timers.fireAll();
    const stopped = changes[2];

    expect(Object.keys(stopped).sort()).toEqual(["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"]);
    expect(stopped).toMatchObject({ version: "0", "detail-type": "ECS Task State Change", source: "aws.ecs", account: ACCOUNT, region: REGION, resources: [task.taskArn] });
    expect(stopped.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(changes.map((e) => e.id)).size).toBe(3);
    expect(Object.keys(stopped.detail).sort()).toEqual([
      "clusterArn", "containerInstanceArn", "containers", "createdAt", "desiredStatus", "enableExecuteCommand", "executionStoppedAt", "group",
      "lastStatus", "launchType", "overrides", "startedAt", "startedBy", "stopCode", "stoppedAt", "stoppedReason", "stoppingAt", "taskArn",
      "taskDefinitionArn", "updatedAt", "version",
    ]);
    expect(stopped.detail).toMatchObject({
      clusterArn: CLUSTER_ARN,
      taskArn: task.taskArn,
      taskDefinitionArn: TASK_DEF,
      startedBy: "events-rule/nightly-report-batch",
      group: "family:nightly-report",
      createdAt: "2025-03-04T03:00:00.000Z",
      startedAt: "2025-03-04T03:00:05.000Z",
      stoppedAt: "2025-03-04T03:01:05.000Z",
      updatedAt: "2025-03-04T03:01:05.000Z",
      overrides: nightly.overrides,
    });
    expect(changes[0].detail).not.toHaveProperty("startedAt");
    expect(changes[0].detail.updatedAt).toBe("2025-03-04T03:00:00.000Z");
  });

  it("stops a nostart task with TaskFailedToStart and the scripted reason, without it ever running", async () => {
    const { changes, timers, describe, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY"] });
    const task = await runOne();
    timers.fire();
    const stopped = await describe(task.taskArn!);

    expect(stopped).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" });
    expect(stopped.startedAt).toBeUndefined();
    expect(stopped.stoppedAt).toEqual(new Date(T0 + 5000));
    expect(stopped.containers).toEqual([expect.objectContaining({ lastStatus: "STOPPED" })]);
    expect(stopped.containers![0].exitCode).toBeUndefined();
    expect(timers.pending()).toEqual([]);
    expect(statuses(changes)).toEqual(["PENDING", "STOPPED"]);
  });

  it("puts a container error such as CannotPullContainerError on the container too", async () => {
    const reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nightly:12, not found";
    const { timers, describe, runOne } = await startTasks({ ecsScript: parseEcsScript(`nostart:${reason}`) });
    const task = await runOne();
    timers.fire();

    expect(await describe(task.taskArn!)).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: reason, containers: [{ lastStatus: "STOPPED", reason }] });
  });

  it("runs an exit:3 task and stops it with EssentialContainerExited and exit code 3", async () => {
    const { changes, timers, describe, runOne } = await startTasks({ ecsScript: ["exit:3"] });
    const task = await runOne();
    timers.fireAll();

    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [{ name: "app", exitCode: 3 }] });
    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
  });

  it("names containers after the overrides; the first carries the exit code", async () => {
    const { timers, describe, runOne } = await startTasks({ ecsScript: ["exit:2"] });
    const task = await runOne({ ...nightly, overrides: { containerOverrides: [{ name: "report" }, { name: "log-router" }] } });
    timers.fireAll();

    expect((await describe(task.taskArn!)).containers?.map((c) => [c.name, c.exitCode])).toEqual([
      ["report", 2],
      ["log-router", 0],
    ]);
  });

  it("starts a capacity provider launch in PROVISIONING and passes through PENDING to RUNNING", async () => {
    const { changes, timers, describe, runOne } = await startTasks();
    const { launchType: _ignored, ...rest } = nightly;
    const task = await runOne({ ...rest, capacityProviderStrategy: [{ capacityProvider: "batch-asg", weight: 1 }] });

    expect(task).toMatchObject({ lastStatus: "PROVISIONING", capacityProviderName: "batch-asg" });
    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "PROVISIONING" });
    timers.fire();
    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "RUNNING" });
    timers.fireAll();
    expect(statuses(changes)).toEqual(["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]);
    expect(changes.every((e) => e.detail.capacityProviderName === "batch-asg" && e.detail.launchType === undefined)).toBe(true);
  });

  it("stops a capacity provider task that never starts straight from PROVISIONING", async () => {
    const { changes, timers, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY"] });
    const { launchType: _ignored, ...rest } = nightly;
    await runOne({ ...rest, capacityProviderStrategy: [{ capacityProvider: "batch-asg", weight: 1 }] });
    timers.fireAll();

    expect(statuses(changes)).toEqual(["PROVISIONING", "STOPPED"]);
    expect(changes[1].detail).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" });
  });

  it("answers DescribeTasks as of now(), reporting the steps no timer has applied yet, once", async () => {
    const { changes, timers, describe, runOne, advance } = await startTasks();
    const task = await runOne();

    advance(4999);
    expect((await describe(task.taskArn!)).lastStatus).toBe("PENDING");
    advance(61_000);
    expect((await describe(task.taskArn!)).lastStatus).toBe("STOPPED");
    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
    // Each catch-up event shows the task as it was at its step.
    expect(changes[1].detail).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", version: 2 });
    expect(changes[1].detail).not.toHaveProperty("stopCode");

    timers.fireAll();
    expect(changes).toHaveLength(3);
  });

  it("honours startSeconds and runSeconds, from the options and from an answer object", async () => {
    const { timers, runOne, aws } = await startTasks({ startSeconds: 30, runSeconds: 600, ecsScript: ["ok", { kind: "exit", exitCode: 1, startSeconds: 1, runSeconds: 2 }] });
    await runOne();
    expect(timers.pending()).toEqual([30_000]);
    timers.fire();
    expect(timers.pending()).toEqual([600_000]);
    timers.fire();

    await runOne();
    timers.fire();
    expect(timers.pending()).toEqual([2000]);
    timers.fire();
    expect(aws.tasks()[1]).toMatchObject({ stopCode: "EssentialContainerExited", startedAt: T0 / 1000 + 1, stoppedAt: T0 / 1000 + 3 });
  });

  it("keeps launchedTasks() as placed while tasks() shows the current state", async () => {
    const { aws, timers, runOne } = await startTasks({ ecsScript: ["partial:1"] });
    await runOne({ ...nightly, count: 2 });
    timers.fireAll();

    expect(aws.launchedTasks().map((t) => t.lastStatus)).toEqual(["PENDING"]);
    expect(aws.tasks().map((t) => t.lastStatus)).toEqual(["STOPPED"]);
  });

  it("places no task and reports no state change for a clientToken replay", async () => {
    const { aws, changes, client } = await startTasks();
    const first = await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));
    const replay = await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));

    expect(replay.tasks).toEqual(first.tasks);
    expect(aws.tasks()).toHaveLength(1);
    expect(changes).toHaveLength(1);
  });

  it("forgets tasks on reset: their pending transitions do nothing", async () => {
    const { aws, changes, timers, runOne } = await startTasks();
    await runOne();
    aws.reset();
    timers.fireAll();

    expect(changes).toHaveLength(1);
    expect(aws.taskStateChanges).toEqual([]);
    expect(aws.tasks()).toEqual([]);
  });

  it("replaces the task state change listener and keeps a throwing listener's error", async () => {
    const { aws, timers, changes, runOne } = await startTasks();
    const other: string[] = [];
    const previous = aws.setTaskStateChangeListener((e) => {
      other.push(e.detail.lastStatus);
      throw new Error("listener broke");
    });
    await runOne();
    timers.fire();

    expect(previous).toBeDefined();
    expect(changes).toEqual([]);
    expect(other).toEqual(["PENDING", "RUNNING"]);
    expect(aws.callbackErrors).toHaveLength(2);
    expect(aws.taskStateChanges).toHaveLength(2);
  });

  it("moves tasks on the global setTimeout as it is when called, so a faked clock drives them", async () => {
    const { aws, ecs } = await startAws({ startSeconds: 5, runSeconds: 60 });
    const clock = FakeTimers.install({ now: T0, toFake: ["Date", "setTimeout", "clearTimeout"], shouldClearNativeTimers: true });
    try {
      const client = ecs();
      await client.send(new RunTaskCommand(nightly));
      clock.tick(5000);
      expect(aws.tasks()[0]).toMatchObject({ lastStatus: "RUNNING", startedAt: (T0 + 5000) / 1000 });
      clock.tick(60_000);
      expect(statuses(aws.taskStateChanges)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
      expect(aws.taskStateChanges[2].time).toBe("2025-03-04T03:01:05Z");

      await client.send(new RunTaskCommand(nightly));
      aws.reset();
      expect(clock.countTimers()).toBe(0);
    } finally {
      clock.uninstall();
    }
  });

  it("moves tasks on real timers by default", async () => {
    const stopped = new Promise<EcsTaskStateChangeEvent>((resolve) => {
      void startAws({ startSeconds: 0.005, runSeconds: 0.01, ecsScript: ["exit:7"], onTaskStateChange: (e) => e.detail.lastStatus === "STOPPED" && resolve(e) }).then(({ ecs }) =>
        ecs().send(new RunTaskCommand(nightly)),
      );
    });

    expect((await stopped).detail).toMatchObject({ stopCode: "EssentialContainerExited", containers: [{ exitCode: 7 }] });
  });

  // The shapes of the pipeline's rules (modules/pipeline/detection/task-state-pattern.ts, modules/pipeline/missed-runs/missed-run.ts), written
  // out here so this test pins the events' fields, not those modules' signatures.
  const TASK_STOPPED = { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"] };
  const CLUSTER = { clusterArn: [{ suffix: ":cluster/batch-ec2" }], lastStatus: ["STOPPED"] };
  const failures = {
    ...TASK_STOPPED,
    detail: { ...CLUSTER, $or: [{ stopCode: ["TaskFailedToStart"] }, { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } }] },
  };
  const success = { ...TASK_STOPPED, detail: { ...CLUSTER, stopCode: ["EssentialContainerExited"], containers: { exitCode: [0] } } };

  it("sends events the pipeline's task state patterns tell apart: failed to start, program failure, success", async () => {
    const { changes, timers, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY", "exit:3", "ok"] });
    await runOne();
    await runOne();
    await runOne();
    timers.fireAll();
    const [noStart, failed, succeeded] = changes.filter((e) => e.detail.lastStatus === "STOPPED");

    expect([noStart, failed, succeeded].map((e) => matchesEventPattern(failures, e))).toEqual([true, true, false]);
    expect([noStart, failed, succeeded].map((e) => matchesEventPattern(success, e))).toEqual([false, false, true]);
    expect(changes.filter((e) => e.detail.lastStatus !== "STOPPED").some((e) => matchesEventPattern(failures, e) || matchesEventPattern(success, e))).toBe(false);
  });
});
