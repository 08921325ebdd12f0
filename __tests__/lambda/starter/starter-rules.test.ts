// The starter's rules pinned with literal expectations (issue 23): which id names the execution, the
// 80-character boundary, and what its logs say (the pipeline's metric filter counts one message).
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import fc from "fast-check";
import { readConfig } from "../../../lambda/starter/config";
import { executionNameFor } from "../../../lambda/starter/execution-name";
import { makeHandler, type SfnSender } from "../../../lambda/starter/handler";
import { EXECUTION_STARTED, SELF_TEST_STARTED } from "../../../lambda/starter/messages";
import { selfTestEvent } from "../../../lambda/shared/self-test";
import { captureLogs, taskEvent } from "../helpers";

const ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:ecs-rerun";

describe("which id names the execution", () => {
  it("a self-test by its id, before any eventID or task it might carry", () => {
    const event = selfTestEvent({ id: "0f8fad5b-d9cb-469f-a165-70867728950e", time: new Date(0), region: "eu-west-1", sentBy: "npm run self-test" });
    expect(executionNameFor(event)).toBe("self-test-0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(executionNameFor({ ...event, detail: { eventID: "e1" } })).toBe("self-test-0f8fad5b-d9cb-469f-a165-70867728950e");
  });

  it("a self-test without an id falls back like any event (its eventID, else nothing)", () => {
    const event = selfTestEvent({ id: "", time: new Date(0), region: "eu-west-1", sentBy: "x" });
    expect(executionNameFor(event)).toBeUndefined();
    expect(executionNameFor({ ...event, id: 7 })).toBeUndefined();
    expect(executionNameFor({ ...event, detail: { eventID: "e1" } })).toBe("ct-e1");
  });

  it("a CloudTrail record by its eventID, not its envelope id; an empty or non-string eventID is no id", () => {
    expect(executionNameFor({ id: "env-1", detail: { eventID: "abc" } })).toBe("ct-abc");
    expect(executionNameFor({ id: "env-1", detail: { eventID: "" } })).toBe("ev-env-1");
    expect(executionNameFor({ id: "env-1", detail: { eventID: 12 } })).toBe("ev-env-1");
    expect(executionNameFor({ id: "env-1", detail: null })).toBe("ev-env-1");
    expect(executionNameFor({ id: "env-1", detail: ["eventID"] })).toBe("ev-env-1");
  });

  it("an ECS Task State Change by the task ID; another detail-type with a taskArn by its envelope id", () => {
    const arn = "arn:aws:ecs:eu-west-1:123456789012:task/prod/4f2d5c4b8e1a4c0e9d7b6a5f4e3d2c1b";
    expect(executionNameFor({ id: "env-2", "detail-type": "ECS Task State Change", detail: { taskArn: arn } })).toBe("task-4f2d5c4b8e1a4c0e9d7b6a5f4e3d2c1b");
    expect(executionNameFor({ id: "env-2", "detail-type": "ECS Container Instance State Change", detail: { taskArn: arn } })).toBe("ev-env-2");
    expect(executionNameFor({ id: "env-2", "detail-type": "ECS Task State Change", detail: { taskArn: "" } })).toBe("ev-env-2");
    expect(executionNameFor({ id: "env-2", "detail-type": "ECS Task State Change", detail: { taskArn: 5 } })).toBe("ev-env-2");
    expect(executionNameFor({ id: "env-2", "detail-type": "ECS Task State Change" })).toBe("ev-env-2");
    expect(executionNameFor({ "detail-type": "ECS Task State Change", detail: { taskArn: arn }, id: "" })).toBe("task-4f2d5c4b8e1a4c0e9d7b6a5f4e3d2c1b");
  });

  it("the envelope id only when it is a non-empty string; an array is not an event", () => {
    expect(executionNameFor({ id: "", detail: {} })).toBeUndefined();
    expect(executionNameFor({ id: 42, detail: {} })).toBeUndefined();
    expect(executionNameFor([{ id: "x" }])).toBeUndefined();
    expect(executionNameFor({ id: "x" })).toBe("ev-x");
  });

  it("the constructed task event of the drill names its task", () => {
    expect(executionNameFor(taskEvent("exit1"))).toMatch(/^task-[0-9a-f]{32}$/);
  });
});

describe("the 80-character boundary", () => {
  // Step Functions API reference, StartExecution `name`: 1-80 characters.
  it("keeps an id whose name is exactly 80 characters and hashes one a character longer", () => {
    const at80 = "a".repeat(77); // "ct-" + 77 = 80
    expect(executionNameFor({ detail: { eventID: at80 } })).toBe(`ct-${at80}`);
    // sha256("a" x 78), computed with `printf 'a%.0s' {1..78} | sha256sum`: an independent oracle.
    expect(executionNameFor({ detail: { eventID: "a".repeat(78) } })).toBe("ct-d3477171d6f80a02b6415538fdd582144910c9b8482b982a1b62b441f21dc819");
  });

  it("hashes an unsafe id to its full 64-character SHA-256, identical for every delivery", () => {
    // `printf 'a:b' | sha256sum`
    expect(executionNameFor({ detail: { eventID: "a:b" } })).toBe("ct-6783a31eabf68ccc0660f935c0826282bdd2241f3a80a9f2d10d59aea9ebb5d8");
  });

  it("every name fits Step Functions' rule for any id (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom("ct", "ev", "self-test"), (id, kind) => {
        fc.pre(id !== "");
        const event = kind === "ct" ? { detail: { eventID: id } } : kind === "ev" ? { id } : selfTestEvent({ id, time: new Date(0), region: "r", sentBy: "s" });
        const name = executionNameFor(event) as string;
        expect(name.length).toBeGreaterThanOrEqual(1);
        expect(name.length).toBeLessThanOrEqual(80);
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
    );
  });
});

describe("the starter's logs and its duplicate rule", () => {
  it("the messages the metric filter and the notices read are these words", () => {
    expect(EXECUTION_STARTED).toBe("execution started");
    expect(SELF_TEST_STARTED).toBe("self-test handed to the state machine");
  });

  function sfnThat(result: () => Promise<unknown>): SfnSender & { commands: StartExecutionCommand[] } {
    const commands: StartExecutionCommand[] = [];
    return { commands, send: async (c: StartExecutionCommand) => (commands.push(c), result()) } as never;
  }

  it("logs a real failure's start with its name, envelope id and execution ARN", async () => {
    const sfn = sfnThat(async () => ({ executionArn: "arn:exec:1" }));
    const logs = captureLogs();
    try {
      const out = await makeHandler({ stateMachineArn: ARN }, { sfn })({ id: "env-9", detail: { eventID: "e9" } });
      expect(out).toEqual({ outcome: "started", name: "ct-e9", executionArn: "arn:exec:1" });
      expect(logs.records()).toEqual([expect.objectContaining({ level: "INFO", msg: "execution started", executionName: "ct-e9", eventId: "env-9", executionArn: "arn:exec:1" })]);
    } finally {
      logs.restore();
    }
    expect(sfn.commands[0].input).toEqual({ stateMachineArn: ARN, name: "ct-e9", input: JSON.stringify({ id: "env-9", detail: { eventID: "e9" } }) });
  });

  it("logs a self-test's start with the self-test message, never the counted one", async () => {
    const logs = captureLogs();
    try {
      const event = selfTestEvent({ id: "st1", time: new Date(0), region: "eu-west-1", sentBy: "x" });
      await makeHandler({ stateMachineArn: ARN }, { sfn: sfnThat(async () => ({ executionArn: "a" })) })(event);
      expect(logs.records().map((r) => r.msg)).toEqual(["self-test handed to the state machine"]);
    } finally {
      logs.restore();
    }
  });

  it("an unnamed event's ExecutionAlreadyExists is no duplicate: it is thrown", async () => {
    const sfn = sfnThat(async () => Promise.reject(Object.assign(new Error("exists"), { name: "ExecutionAlreadyExists" })));
    const logs = captureLogs();
    try {
      await expect(makeHandler({ stateMachineArn: ARN }, { sfn })(null)).rejects.toThrow("exists");
      await expect(makeHandler({ stateMachineArn: ARN }, { sfn: sfnThat(async () => Promise.reject(null)) })({ id: "e" })).rejects.toBeNull();
      expect(logs.records().map((r) => [r.level, r.msg])).toEqual([
        ["ERROR", "execution not started"],
        ["ERROR", "execution not started"],
      ]);
      expect(logs.records()[0]).toEqual(expect.objectContaining({ errorName: "ExecutionAlreadyExists" }));
    } finally {
      logs.restore();
    }
  });

  it("logs a duplicate delivery with its name and envelope id", async () => {
    const sfn = sfnThat(async () => Promise.reject(Object.assign(new Error("exists"), { name: "ExecutionAlreadyExists" })));
    const logs = captureLogs();
    try {
      expect(await makeHandler({ stateMachineArn: ARN }, { sfn })({ id: "env-3" })).toEqual({ outcome: "duplicate", name: "ev-env-3" });
      expect(logs.records()).toEqual([expect.objectContaining({ level: "INFO", msg: "duplicate delivery: the failure already has its execution", executionName: "ev-env-3", eventId: "env-3" })]);
    } finally {
      logs.restore();
    }
  });

  it("reads the state machine's ARN from STATE_MACHINE_ARN and refuses to start without it", () => {
    expect(readConfig({ STATE_MACHINE_ARN: ARN })).toEqual({ stateMachineArn: ARN });
    expect(() => readConfig({})).toThrow("STATE_MACHINE_ARN is required (the ARN of the rerun state machine) but is not set");
  });
});
