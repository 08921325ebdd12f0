// The rerun Lambda's launch path with the launch pacer (stub ECS and DynamoDB, a hand-driven clock):
// a slot far off hands back "later" with exactly its delay and remembers it; the next round
// launches without reserving again; a near slot is waited for in the invocation; a failing pacer
// launches unpaced.
import type { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { makeHandler } from "../../lambda/rerun/handler";
import type { DynamoSender } from "../../lambda/rerun/pacer";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { stubEcs } from "./ecs-stub";
import { captureLogs, loadFixture, RUNTASK_PARTIAL } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const T0 = Date.parse("2026-01-01T03:00:00Z");
const placed = { tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/rerun-1" }], failures: [] };
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

/** A DynamoDB stub holding the clock as the conditional writes would: tat in ms, or none yet. */
function clockTable(tat?: number) {
  const writes: string[] = [];
  const dynamodb: DynamoSender = {
    send: (async (command: UpdateItemCommand) => {
      const input = command.input;
      const values = input.ExpressionAttributeValues!;
      const now = Number(values[":now"].N);
      const storm = input.UpdateExpression === "SET #tat = #tat + :interval";
      writes.push(storm ? "storm" : "idle");
      if (storm) {
        if (tat === undefined || !(tat > now)) throw Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
        tat += Number(values[":interval"].N);
      } else {
        if (tat !== undefined && tat > now) throw Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });
        tat = Number(values[":next"].N);
      }
      return { Attributes: { tat: { N: String(tat) } }, $metadata: {} };
    }) as DynamoSender["send"],
  };
  return { dynamodb, writes, tat: () => tat };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

async function classified(): Promise<LaunchFailure> {
  const out = await makeHandler(CONFIG, stubEcs())({ action: "classify", event: loadFixture(RUNTASK_PARTIAL), executionArn: EXECUTION_ARN });
  return viaStateMachine(out);
}

describe("the rerun Lambda's launch with the pacer", () => {
  it("hands back a slot 90.5 s away as 'later' for 90 s, remembering it; the next round waits 0.5 s and launches without reserving", async () => {
    const failure = await classified();
    let now = T0;
    const slept: number[] = [];
    // The clock is 90.5 s ahead: 905 launches at 10/s are queued before this one.
    const table = clockTable(T0 + 90_500);
    const first = stubEcs();
    const handler = (ecs: ReturnType<typeof stubEcs>["ecs"]) =>
      makeHandler(CONFIG, { ecs, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), pacing: { config: { table: "t", launchesPerSecond: 10 }, dynamodb: table.dynamodb } });

    const later = await handler(first.ecs)({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(later.decision).toMatchObject({ next: "later", attempt: 0, nextAttempt: 1, delaySeconds: 90, retryable: true });
    expect(later.failure.launchSlot).toEqual({ attempt: 1, atMs: T0 + 90_500 });
    expect(first.launches()).toHaveLength(0);
    expect(table.writes).toEqual(["storm"]);
    expect(table.tat()).toBe(T0 + 90_600); // the slot is taken: 100 ms at 10/s

    now += 90_000; // the Wait state
    const second = stubEcs(placed);
    const out = await handler(second.ecs)({ action: "rerun", failure: viaStateMachine(later), attempt: 1, executionArn: EXECUTION_ARN });
    expect(slept).toEqual([500]);
    expect(out.decision).toMatchObject({ next: "recovered", attempt: 1 });
    expect(second.launches()).toHaveLength(1);
    expect(table.writes).toEqual(["storm"]); // no second reservation
  });

  it("goes at once with no storm (two writes, no wait), and waits inside the invocation for a slot a second away", async () => {
    const failure = await classified();
    const slept: number[] = [];
    const run = async (tat: number | undefined) => {
      const table = clockTable(tat);
      const { ecs, launches } = stubEcs(placed);
      const out = await makeHandler(CONFIG, { ecs, now: () => T0, sleep: async (ms) => void slept.push(ms), pacing: { config: { table: "t", launchesPerSecond: 10 }, dynamodb: table.dynamodb } })({
        action: "rerun",
        failure,
        attempt: 1,
        executionArn: EXECUTION_ARN,
      });
      return { out, launches: launches().length, writes: table.writes };
    };
    const idle = await run(T0 - 60_000);
    expect(idle).toMatchObject({ launches: 1, writes: ["storm", "idle"], out: { decision: { next: "recovered" } } });
    expect(slept).toEqual([]);
    const near = await run(T0 + 1_000);
    expect(near).toMatchObject({ launches: 1, writes: ["storm"], out: { decision: { next: "recovered" } } });
    expect(slept).toEqual([1000]);
  });

  it("launches unpaced when the pacer fails, saying so once in the log", async () => {
    const failure = await classified();
    const denied: DynamoSender = { send: async () => Promise.reject(Object.assign(new Error("not authorized to perform dynamodb:UpdateItem"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } })) };
    const { ecs, launches } = stubEcs(placed);
    const out = await makeHandler(CONFIG, { ecs, pacing: { config: { table: "t", launchesPerSecond: 10 }, dynamodb: denied } })({ action: "rerun", failure, attempt: 1, executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("recovered");
    expect(launches()).toHaveLength(1);
    expect(logs.records().filter((r) => String(r.msg).startsWith("launch pacer unavailable"))).toEqual([expect.objectContaining({ level: "ERROR", errorName: "AccessDeniedException", eventId: failure.eventId })]);
  });
});
