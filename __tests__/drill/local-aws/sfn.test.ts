// The local Step Functions endpoint through the real @aws-sdk/client-sfn: StartExecution's name
// rules, and DescribeExecution of what it started, as the Step Functions API Reference answers it.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { ExecutionEnd } from "../../../drill/local-aws/sfn";
import { LAMBDA_KEY, rejection, REGION, startAws } from "./harness";

const MACHINE = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:ecs-rerun";
const clients: SFNClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

async function setUp() {
  const env = await startAws();
  const sfn = new SFNClient({ endpoint: env.endpoint, region: REGION, credentials: { accessKeyId: LAMBDA_KEY, secretAccessKey: "s" }, maxAttempts: 1 });
  clients.push(sfn);
  // Executions end when the test says so, as the drill's runner ends them.
  const ends = new Map<string, (end: ExecutionEnd) => void>();
  env.aws.setExecutionStarter(({ name }) => new Promise((resolve) => ends.set(name, resolve)));
  const start = (name: string) => sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input: JSON.stringify({ n: name }) }));
  const describe = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));
  return { sfn, start, describe, end: (name: string, e: ExecutionEnd) => ends.get(name)!(e) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("DescribeExecution", () => {
  test("says RUNNING until the execution ended, then SUCCEEDED with its output", async () => {
    const { start, describe, end } = await setUp();
    const { executionArn } = await start("ct-1");
    expect(await describe(executionArn!)).toMatchObject({ executionArn, stateMachineArn: MACHINE, name: "ct-1", status: "RUNNING", input: '{"n":"ct-1"}' });
    end("ct-1", { status: "SUCCEEDED", output: { decision: { next: "recovered" } } });
    await settle();
    const done = await describe(executionArn!);
    expect(done).toMatchObject({ status: "SUCCEEDED", output: '{"decision":{"next":"recovered"}}' });
    expect(done.stopDate).toBeInstanceOf(Date);
  });

  test("says FAILED with the error and cause of one that failed", async () => {
    const { start, describe, end } = await setUp();
    const { executionArn } = await start("ct-2");
    end("ct-2", { status: "FAILED", error: "GaveUp", cause: "AGENT after 3 attempts" });
    await settle();
    expect(await describe(executionArn!)).toMatchObject({ status: "FAILED", error: "GaveUp", cause: "AGENT after 3 attempts" });
  });

  test("refuses an execution no one started (ExecutionDoesNotExist) and what is no execution ARN (InvalidArn)", async () => {
    const { start, describe } = await setUp();
    await start("ct-3");
    expect((await rejection(describe(`${MACHINE.replace(":stateMachine:", ":execution:")}:ct-4`))).name).toBe("ExecutionDoesNotExist");
    // The same name under another state machine is another execution.
    expect((await rejection(describe("arn:aws:states:ap-northeast-1:123456789012:execution:other:ct-3"))).name).toBe("ExecutionDoesNotExist");
    expect((await rejection(describe(MACHINE))).name).toBe("InvalidArn");
  });
});
