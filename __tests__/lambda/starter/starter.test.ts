import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { makeHandler, type SfnSender } from "../../../lambda/starter/handler";
import { executionNameFor, MAX_EXECUTION_NAME } from "../../../lambda/starter/execution-name";
import { agentEvent, captureLogs, taskEvent } from "../helpers";

describe("execution names", () => {
  it("name a CloudTrail failure after its eventID, so every delivery of that call gets one name", () => {
    const event = agentEvent();
    const again = { ...agentEvent(), id: "another-envelope", time: "2026-01-01T00:00:09Z" };
    expect(executionNameFor(event)).toBe(`ct-${event.detail.eventID}`);
    expect(executionNameFor(again)).toBe(executionNameFor(event));
  });

  it("name a stopped task after its task ID (a task stops once)", () => {
    const event = taskEvent("resourceMemory");
    const id = String(event.detail.taskArn).split("/").pop();
    expect(executionNameFor(event)).toBe(`task-${id}`);
    expect(executionNameFor({ ...event, id: "redelivered-with-another-id" })).toBe(`task-${id}`);
  });

  it("fall back to the envelope id, and to no name when there is none", () => {
    expect(executionNameFor({ id: "abc-123", "detail-type": "Something", detail: {} })).toBe("ev-abc-123");
    expect(executionNameFor({ detail: {} })).toBeUndefined();
    expect(executionNameFor(null)).toBeUndefined();
    expect(executionNameFor("text")).toBeUndefined();
  });

  it("stay within what Step Functions accepts for ids with forbidden characters or too long", () => {
    for (const id of ["a:b/c d", "x".repeat(200), "brackets[]{}<>", "üñí"]) {
      const name = executionNameFor({ detail: { eventID: id } }) as string;
      expect(name).toMatch(/^ct-[0-9a-f]{64}$/);
      expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME);
    }
    expect(executionNameFor({ detail: { eventID: "a:b" } })).not.toBe(executionNameFor({ detail: { eventID: "a/b" } }));
  });
});

describe("starter handler", () => {
  const config = { stateMachineArn: "arn:aws:states:ap-northeast-1:123456789012:stateMachine:ecs-rerun" };

  /** A stub that behaves like Step Functions: one execution per name. */
  function stepFunctions(): SfnSender & { started: Array<{ name?: string; input?: string }> } {
    const started: Array<{ name?: string; input?: string }> = [];
    return {
      started,
      async send(command: StartExecutionCommand) {
        const { name, input } = command.input;
        if (started.some((s) => s.name === name)) {
          throw Object.assign(new Error(`Execution Already Exists: '${name}'`), { name: "ExecutionAlreadyExists" });
        }
        started.push({ name, input });
        return { executionArn: `${config.stateMachineArn.replace("stateMachine", "execution")}:${name}`, startDate: new Date(), $metadata: {} };
      },
    } as never;
  }

  it("starts one execution per failure however often the event is delivered", async () => {
    const sfn = stepFunctions();
    const handler = makeHandler(config, { sfn });
    const logs = captureLogs();
    try {
      const outcomes = [await handler(agentEvent()), await handler(agentEvent()), await handler({ ...agentEvent(), id: "other" })];
      expect(outcomes.map((o) => o.outcome)).toEqual(["started", "duplicate", "duplicate"]);
    } finally {
      logs.restore();
    }
    expect(sfn.started).toHaveLength(1);
    expect(JSON.parse(sfn.started[0].input as string)).toEqual(agentEvent());
  });

  it("throws anything else, so Lambda's async retries and the on-failure queue take over", async () => {
    const failing: SfnSender = { send: async () => Promise.reject(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })) };
    const logs = captureLogs();
    try {
      await expect(makeHandler(config, { sfn: failing })(agentEvent())).rejects.toThrow("Rate exceeded");
      expect(logs.records().some((r) => r.level === "ERROR" && r.msg === "execution not started")).toBe(true);
    } finally {
      logs.restore();
    }
  });
});
