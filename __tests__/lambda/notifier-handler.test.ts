import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import type { SNSEvent } from "aws-lambda";
import { makeHandler, WEBHOOK_CACHE_TTL_MS, type SsmSender } from "../../lambda/notifier/handler";
import type { NotifierConfig } from "../../lambda/notifier/config";
import type { Notice } from "../../lambda/shared/contract";
import { ConfigurationError, SlackDeliveryError } from "../../lambda/shared/errors";
import { captureLogs } from "./helpers";

type Mode = "ok" | "500" | "hang";
interface Received {
  method?: string;
  path?: string;
  contentType?: string;
  body: string;
}

const SECRET_PATH = "/services/T0TEST000/B0TEST000/SeCrEtWeBhOoKtOkEn123";

let server: Server;
let baseUrl: string;
let mode: Mode = "ok";
let received: Received[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ method: req.method, path: req.url, contentType: req.headers["content-type"], body });
    if (mode === "ok") res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    else if (mode === "500") res.writeHead(500, { "content-type": "text/plain" }).end("internal_error");
    // "hang": never answer
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  mode = "ok";
  received = [];
  logs = captureLogs();
});
afterEach(() => {
  server.closeAllConnections();
  // The webhook URL is a secret: no test may have logged it.
  expect(logs.lines.join("\n")).not.toContain(SECRET_PATH);
  expect(logs.lines.join("\n")).not.toContain("SeCrEt");
  logs.restore();
});

function stubSsm(value: () => string | Error) {
  const commands: GetParameterCommand[] = [];
  const ssm: SsmSender = {
    send: async (command: GetParameterCommand) => {
      commands.push(command);
      const v = value();
      if (v instanceof Error) throw v;
      return { $metadata: {}, Parameter: { Name: command.input.Name, Type: "SecureString", Value: v } };
    },
  };
  return { ssm, commands };
}

// A timeout far beyond the local server's answer: a loaded machine (the mutation run, parallel suites)
// must not turn a posted notice into "Slack did not answer". The test of the timeout sets its own.
const CONFIG: NotifierConfig = { slackWebhookParameter: "/ecs-rerun/slack-webhook", slackTimeoutMs: 10_000, region: "ap-northeast-1" };

const NOTICE: Notice = {
  kind: "gave_up",
  source: "cloudtrail",
  failureType: "rejected",
  cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
  clusterName: "batch-ec2",
  taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
  action: "RunTask",
  reasons: ["AGENT"],
  attempt: 3,
  maxAttempts: 3,
  requested: 3,
  placed: 2,
  remaining: 1,
  message: "1 of 3 task(s) still not placed after 3 rerun(s)",
  eventId: "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e",
  executionArn: "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0",
  region: "ap-northeast-1",
  account: "123456789012",
  eventTime: "2025-03-04T03:00:07Z",
  taskArns: [],
};

function snsEvent(message: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: "arn:aws:sns:ap-northeast-1:123456789012:ecs-rerun:0000",
        Sns: {
          Type: "Notification",
          MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
          TopicArn: "arn:aws:sns:ap-northeast-1:123456789012:ecs-rerun",
          Subject: "",
          Message: message,
          Timestamp: "2025-03-04T03:12:00.000Z",
          SignatureVersion: "1",
          Signature: "x",
          SigningCertUrl: "https://sns.example/cert.pem",
          UnsubscribeUrl: "https://sns.example/unsubscribe",
          MessageAttributes: {},
        },
      },
    ],
  };
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("notifier", () => {
  it("posts the Block Kit payload of a notice to the webhook read from SSM", async () => {
    const { ssm, commands } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    await makeHandler(CONFIG, { ssm })(snsEvent(JSON.stringify(NOTICE)));

    expect(commands).toHaveLength(1);
    expect(commands[0].input).toEqual({ Name: "/ecs-rerun/slack-webhook", WithDecryption: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", path: SECRET_PATH, contentType: expect.stringContaining("application/json") });
    const payload = JSON.parse(received[0].body);
    expect(payload).toMatchObject({
      text: expect.stringContaining("Gave up: nightly-report:12 on batch-ec2"),
      blocks: expect.arrayContaining([
        expect.objectContaining({ type: "header", text: expect.objectContaining({ text: expect.stringContaining(":x:") }) }),
      ]),
    });
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ msg: "slack posted", kind: "gave_up", eventId: NOTICE.eventId, executionArn: NOTICE.executionArn, httpStatus: 200 }),
    );
  });

  it("fetches the parameter once and caches it for five minutes", async () => {
    let clock = 1_000_000;
    const { ssm, commands } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    const handler = makeHandler(CONFIG, { ssm, now: () => clock });

    await handler(snsEvent(JSON.stringify(NOTICE)));
    clock += WEBHOOK_CACHE_TTL_MS - 1;
    await handler(snsEvent("second"));
    expect(commands).toHaveLength(1);

    clock += 2;
    await handler(snsEvent("third"));
    expect(commands).toHaveLength(2);
    expect(received).toHaveLength(3);
  });

  it("throws SlackDeliveryError on HTTP 500 without the URL in the message", async () => {
    mode = "500";
    const { ssm } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    const err = await caught(makeHandler(CONFIG, { ssm })(snsEvent(JSON.stringify(NOTICE))));
    expect(err).toBeInstanceOf(SlackDeliveryError);
    expect(err).toMatchObject({ name: "SlackDeliveryError", message: "Slack answered HTTP 500: internal_error" });
    expect(`${err.message}\n${err.stack}`).not.toContain(SECRET_PATH);
    expect(logs.records()).toContainEqual(expect.objectContaining({ msg: "slack delivery failed", httpStatus: 500, eventId: NOTICE.eventId }));
  });

  it("throws SlackDeliveryError within the timeout when Slack never answers", async () => {
    mode = "hang";
    const { ssm } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    const started = Date.now();
    const err = await caught(makeHandler({ ...CONFIG, slackTimeoutMs: 200 }, { ssm })(snsEvent("hello")));
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ name: "SlackDeliveryError", message: "Slack did not answer within 200 ms" });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
    expect(received).toHaveLength(1);
  });

  it("throws SlackDeliveryError when nothing listens, naming the error code only", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const { ssm } = stubSsm(() => `http://127.0.0.1:${port}${SECRET_PATH}`);
    const err = await caught(makeHandler(CONFIG, { ssm })(snsEvent("hello")));
    expect(err).toMatchObject({ name: "SlackDeliveryError", message: "Slack request failed (ECONNREFUSED)" });
    expect(err.message).not.toContain(SECRET_PATH);
  });

  it("reads the parameter again after a failed delivery (the webhook may have been rotated)", async () => {
    const { ssm, commands } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    const handler = makeHandler(CONFIG, { ssm });
    mode = "500";
    await expect(handler(snsEvent("one"))).rejects.toThrow(SlackDeliveryError);
    mode = "ok";
    await handler(snsEvent("two"));
    expect(commands).toHaveLength(2);
  });

  it("throws ConfigurationError when the parameter does not exist", async () => {
    const { ssm } = stubSsm(() => new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: "not found" }));
    const err = await caught(makeHandler(CONFIG, { ssm })(snsEvent("hello")));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err).toMatchObject({ name: "ConfigurationError", message: expect.stringContaining("/ecs-rerun/slack-webhook") });
    expect(received).toHaveLength(0);
  });

  it("throws ConfigurationError without echoing a parameter value that is not a URL", async () => {
    const { ssm } = stubSsm(() => "SeCrEt-but-not-a-url");
    const err = await caught(makeHandler(CONFIG, { ssm })(snsEvent("hello")));
    expect(err).toMatchObject({ name: "ConfigurationError", message: expect.stringContaining("does not hold an http(s) URL") });
    expect(err.message).not.toContain("SeCrEt");
  });

  it("posts a CloudWatch alarm notification with the alarm link", async () => {
    const { ssm } = stubSsm(() => `${baseUrl}${SECRET_PATH}`);
    const alarm = {
      AlarmName: "ecs-rerun-executions-failed",
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      NewStateReason: "Threshold Crossed",
      AlarmArn: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ecs-rerun-executions-failed",
      Region: "Asia Pacific (Tokyo)",
    };
    await makeHandler(CONFIG, { ssm })(snsEvent(JSON.stringify(alarm)));
    expect(received[0].body).toContain("#alarmsV2:alarm/ecs-rerun-executions-failed");
    expect(JSON.parse(received[0].body).text).toContain(":rotating_light: ALARM: ecs-rerun-executions-failed");
  });
});
