import { SimulatedTask, taskStateChangeEvent, type TaskPlacement } from "../../drill/simulation/task-lifecycle";

const T0 = Date.parse("2025-03-04T03:00:00Z");
const TASK_ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/0123456789abcdef0123456789abcdef";

const placement = (edit: Partial<TaskPlacement> = {}): TaskPlacement => ({
  taskArn: TASK_ARN,
  clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
  taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
  group: "family:nightly-report",
  launchType: "EC2",
  overrides: {},
  containers: [{ name: "app", containerArn: `${TASK_ARN.replace(":task/", ":container/")}/c1` }],
  enableExecuteCommand: false,
  tags: [],
  createdMs: T0,
  ...edit,
});

const timings = { startSeconds: 5, runSeconds: 60 };

describe("SimulatedTask", () => {
  it("plans RUNNING at startSeconds and STOPPED runSeconds later for a task that runs", () => {
    const task = new SimulatedTask(placement(), { kind: "runs", exitCode: 0 }, timings);

    expect(task.lastStatus).toBe("PENDING");
    expect(task.stepTimes).toEqual([T0 + 5000, T0 + 65_000]);
  });

  it("plans PENDING and RUNNING together for a capacity provider task, and one STOPPED step for a task that never starts", () => {
    const cp = new SimulatedTask(placement({ launchType: undefined, capacityProviderName: "batch-asg" }), { kind: "runs", exitCode: 0 }, timings);
    const nostart = new SimulatedTask(placement(), { kind: "nostart", reason: "TaskFailedToStart: RESOURCE:MEMORY" }, timings);

    expect(cp.lastStatus).toBe("PROVISIONING");
    expect(cp.stepTimes).toEqual([T0 + 5000, T0 + 5000, T0 + 65_000]);
    expect(nostart.stepTimes).toEqual([T0 + 5000]);
  });

  it("applies each step once, whether by time or by index", () => {
    const task = new SimulatedTask(placement(), { kind: "runs", exitCode: 4 }, timings);

    expect(task.advanceTo(T0 + 4999)).toEqual([]);
    expect(task.advanceTo(T0 + 5000).map((t) => [t.task.lastStatus, t.atMs])).toEqual([["RUNNING", T0 + 5000]]);
    expect(task.applyThrough(0)).toEqual([]);
    expect(task.applyThrough(1).map((t) => t.task.lastStatus)).toEqual(["STOPPED"]);
    expect(task.advanceTo(T0 + 1e9)).toEqual([]);
    expect(task.snapshot({ tags: false })).toMatchObject({ version: 3, stopCode: "EssentialContainerExited", containers: [{ exitCode: 4 }] });
    expect(task.launched).toMatchObject({ lastStatus: "PENDING", version: 1 });
  });

  it("rejects negative or infinite timings", () => {
    expect(() => new SimulatedTask(placement(), { kind: "runs", exitCode: 0 }, { startSeconds: -1, runSeconds: 1 })).toThrow(/timings/);
    expect(() => new SimulatedTask(placement(), { kind: "runs", exitCode: 0 }, { startSeconds: 1, runSeconds: Infinity })).toThrow(/timings/);
  });

  it("adds and replaces tags, and shows them only when asked", () => {
    const task = new SimulatedTask(placement({ tags: [{ key: "team", value: "reports" }] }), { kind: "runs", exitCode: 0 }, timings);
    task.tag([{ key: "team", value: "finance" }, { key: "attempt", value: "1" }]);

    expect(task.tags()).toEqual([
      { key: "team", value: "finance" },
      { key: "attempt", value: "1" },
    ]);
    expect(task.snapshot({ tags: false })).not.toHaveProperty("tags");
    expect(task.launched.tags).toEqual([{ key: "team", value: "reports" }]);
  });
});

describe("taskStateChangeEvent", () => {
  it("turns epoch-second timestamps into ISO strings, adds updatedAt and drops tags", () => {
    const task = new SimulatedTask(placement({ tags: [{ key: "a", value: "b" }] }), { kind: "runs", exitCode: 0 }, timings);
    const [running] = task.advanceTo(T0 + 5000);
    const event = taskStateChangeEvent({ ...running.task, tags: [{ key: "a", value: "b" }] }, running.atMs, "123456789012", "ap-northeast-1");

    expect(event).toMatchObject({
      "detail-type": "ECS Task State Change",
      time: "2025-03-04T03:00:05Z",
      resources: [TASK_ARN],
      detail: { createdAt: "2025-03-04T03:00:00.000Z", startedAt: "2025-03-04T03:00:05.000Z", updatedAt: "2025-03-04T03:00:05.000Z", lastStatus: "RUNNING" },
    });
    expect(event.detail).not.toHaveProperty("tags");
  });
});
