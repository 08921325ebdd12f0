// The notifier's storm paths with stub clients (the drill runs the rest end to end): what happens when
// its table fails, when Slack rate-limits an alarm, and that alarms are never folded.
import type { SNSEvent } from "aws-lambda";
import type { GetParameterCommand } from "@aws-sdk/client-ssm";
import { makeHandler, type NotifierDeps } from "../../../lambda/notifier/handler";
import { NOTICE_STORE_UNAVAILABLE } from "../../../lambda/notifier/store";
import { SlackRateLimitedError } from "../../../lambda/shared/errors";
import { captureLogs } from "../helpers";

const WEBHOOK = "https://hooks.slack.test/services/T0/B0/SeCrEtPaTh";
const ssm = { send: async (c: GetParameterCommand) => ({ $metadata: {}, Parameter: { Name: c.input.Name, Value: WEBHOOK } }) };
const CONFIG = { slackWebhookParameter: "/p", slackTimeoutMs: 200, region: "ap-northeast-1", noticeTable: "ecs-rerun-notices", digestQueueUrl: "https://sqs.test/q", digestAbovePerMinute: 1 };

const sns = (message: unknown): SNSEvent => ({ Records: [{ Sns: { Message: JSON.stringify(message), MessageId: "m-1" } }] }) as unknown as SNSEvent;
const NOTICE = { kind: "recovered", source: "cloudtrail", failureType: "rejected", cluster: "batch-ec2", clusterName: "batch-ec2", taskDefinition: "job:1", action: "RunTask", reasons: [], attempt: 1, maxAttempts: 3, requested: 1, placed: 1, remaining: 0, eventId: "e-1", executionArn: "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:e-1", region: "ap-northeast-1", account: "123456789012", eventTime: "2026-01-01T03:00:00Z", taskArns: [] };
const ALARM = { AlarmName: "ecs-rerun-gave-up", NewStateValue: "ALARM", AlarmArn: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ecs-rerun-gave-up" };

function slackAnswering(...statuses: number[]) {
  const posts: string[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    posts.push(String(init.body));
    const status = statuses.shift() ?? 200;
    return new Response(status === 200 ? "ok" : "rate_limited", { status, headers: status === 429 ? { "Retry-After": "7" } : {} });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, posts };
}

/** A notifier whose Slack answers `statuses` in turn, with `dynamodb` as its table and a queue that keeps what is folded. */
function notifier(dynamodb: (command: { input: Record<string, any> }) => Promise<unknown>, ...statuses: number[]) {
  const { fetch, posts } = slackAnswering(...statuses);
  const folded: unknown[] = [];
  const deps: NotifierDeps = { ssm, fetch, sleep: async () => undefined, dynamodb: { send: dynamodb } as never, sqs: { send: async (c: unknown) => folded.push(c) } as never };
  return { handler: makeHandler(CONFIG, deps), posts, folded };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => {
  expect(logs.lines.join("\n")).not.toContain("SeCrEt");
  logs.restore();
});

test("a table that fails never stops a notice: it is posted unpaced and unfolded, and the failure is logged for its alarm", async () => {
  const { handler, posts, folded } = notifier(async () => Promise.reject(Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 }, $fault: "client" })), 200);
  await handler(sns(NOTICE));
  expect(posts).toHaveLength(1);
  expect(folded).toEqual([]);
  expect(logs.lines.filter((l) => l.includes(NOTICE_STORE_UNAVAILABLE))).toHaveLength(2); // not counted, then not paced
});

test("an alarm is never folded into a digest, however many notices came this minute", async () => {
  // Every count says "the 99th of this minute"; the clock is idle.
  const { handler, posts, folded } = notifier(async (c) => ({ Attributes: String(c.input.Key.pk.S).startsWith("window#") ? { n: { N: "99" } } : { tat: { N: String(Date.now() + 1000) } } }), 200);
  await handler(sns(NOTICE));
  expect(folded).toHaveLength(1);
  expect(posts).toHaveLength(0);
  await handler(sns(ALARM));
  expect(folded).toHaveLength(1);
  expect(posts).toHaveLength(1);
});

test("an alarm Slack rate-limits goes back to Lambda's retries with Slack's Retry-After, and the clock is held that long", async () => {
  const writes: { input: Record<string, any> }[] = [];
  const { handler } = notifier(async (c) => {
    writes.push(c);
    return { Attributes: { tat: { N: String(Date.now() + 1000) } } };
  }, 429);
  const err = await handler(sns(ALARM)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SlackRateLimitedError);
  expect((err as SlackRateLimitedError).retryAfterSeconds).toBe(7);
  const hold = writes.find((w) => w.input.UpdateExpression === "SET #tat = :until")!;
  expect(Number(hold.input.ExpressionAttributeValues[":until"].N) - Date.now()).toBeGreaterThan(6000);
});
