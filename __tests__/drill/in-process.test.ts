// The drill's in-process transport: the real SDK clients and the notifier's fetch reach the local
// endpoints without a socket and meet the same answers, faults included, as over loopback.
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { classifyEcsError } from "../../lambda/rerun/core/relaunch/ecs-errors";
import { inProcessFetch, inProcessRequestHandler } from "../../drill/transport/in-process";
import { LocalSlack } from "../../drill/slack/local-slack";
import { LAMBDA_KEY, REGION, nightly, rejection, startAws } from "./local-aws/harness";

const clients: Array<{ destroy(): void }> = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

async function inProcess() {
  const env = await startAws({ tables: { pacer: { hashKey: "pk" } } });
  const config = { endpoint: env.endpoint, region: REGION, credentials: { accessKeyId: LAMBDA_KEY, secretAccessKey: "s" }, maxAttempts: 1, requestHandler: inProcessRequestHandler(env.aws) };
  const ecs = new ECSClient(config);
  const dynamodb = new DynamoDBClient(config);
  clients.push(ecs, dynamodb);
  return { ...env, ecs, dynamodb };
}

describe("the in-process transport", () => {
  it("carries signed requests to the same endpoint code: it knows the caller, places the task, records CloudTrail", async () => {
    const { aws, ecs, dynamodb } = await inProcess();
    const out = await ecs.send(new RunTaskCommand(nightly));
    expect(out.tasks).toHaveLength(1);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: nightly.cluster, tasks: [out.tasks![0].taskArn!] }));
    expect(described.tasks?.[0].taskArn).toBe(out.tasks![0].taskArn);
    await dynamodb.send(new UpdateItemCommand({ TableName: "pacer", Key: { pk: { S: "launches" } }, UpdateExpression: "SET tat = :v", ExpressionAttributeValues: { ":v": { N: "1" } } }));
    expect(aws.requests.map((r) => r.action)).toEqual(["RunTask", "DescribeTasks", "UpdateItem"]);
    expect(aws.countOf("RunTask", "ok", "ecs-rerun-lambda-role")).toBe(1);
    expect(aws.events[0].detail.userIdentity).toMatchObject({ type: "AssumedRole", arn: expect.stringContaining("assumed-role/ecs-rerun-lambda-role/") });
  });

  it("turns faults into what the SDK would see over a socket: a 5xx is a server fault, a dropped connection has no status", async () => {
    const { aws, ecs } = await inProcess();
    aws.setFaults({ DescribeTasks: ["5xx", "drop", "throttle"] });
    const describe = () => ecs.send(new DescribeTasksCommand({ cluster: nightly.cluster, tasks: ["t"] }));
    expect(classifyEcsError(await rejection(describe()))).toMatchObject({ outcome: "server", message: expect.stringMatching(/^ServerException/) });
    const dropped = await rejection(describe());
    expect(dropped.$metadata).not.toHaveProperty("httpStatusCode", expect.any(Number));
    expect(classifyEcsError(dropped).outcome).toBe("server");
    expect(classifyEcsError(await rejection(describe())).outcome).toBe("throttled");
  });

  it("posts to the local Slack as fetch would: its answers, and a webhook that never answers until the caller gives up", async () => {
    const slack = new LocalSlack({ script: ["ok", "500", "timeout"], keep: "counts" });
    const post = inProcessFetch(slack);
    const body = JSON.stringify({ text: "hello" });
    const init = (signal?: AbortSignal): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body, signal });
    expect((await post("http://127.0.0.1:9/services/T/B/x", init())).status).toBe(200);
    const failed = await post("http://127.0.0.1:9/services/T/B/x", init());
    expect([failed.status, await failed.text()]).toEqual([500, "internal_error"]);
    await expect(post("http://127.0.0.1:9/services/T/B/x", init(AbortSignal.timeout(20)))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(slack.answerCounts).toEqual({ ok: 1, "500": 1, timeout: 1 });
    expect(slack.received).toEqual([]);
  });
});
