// Synthesis of the notifier's storm parts (modules/pipeline/notices/notice-storm.ts) and its two ways to Slack.
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { resourcesOf, synthJson, type TfJson } from "../support/synth";

function synth(props: Partial<EcsRerunPipelineProps> = {}): TfJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "ecs-rerun");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], slackWebhookParameterName: "/ecs-rerun/slack-webhook", ...props });
  return synthJson(stack);
}

const notifierOf = (tf: TfJson) => resourcesOf(tf, "aws_lambda_function").find((f) => String(f.function_name).endsWith("-notifier"))!;
const env = (tf: TfJson) => (notifierOf(tf).environment as { variables: Record<string, string> }).variables;

describe("the notifier's storm parts", () => {
  const tf = synth();

  test("a table of counts, the Slack clock and threads: on demand, encrypted, expiring by TTL", () => {
    expect(resourcesOf(tf, "aws_dynamodb_table").find((t) => t.name === "ecs-rerun-notices")).toMatchObject({
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      server_side_encryption: { enabled: true },
      ttl: { attribute_name: "expiresAt", enabled: true },
    });
  });

  test("a digest queue, encrypted, that hands a notice no digest could post to the dead-letter queue", () => {
    const queue = resourcesOf(tf, "aws_sqs_queue").find((q) => q.name === "ecs-rerun-digest")!;
    expect(queue.sqs_managed_sse_enabled).toBe(true);
    expect(JSON.parse(queue.redrive_policy as string)).toEqual({ deadLetterTargetArn: expect.stringContaining("aws_sqs_queue.pipeline_dlq"), maxReceiveCount: 10 });
  });

  test("a schedule once a minute that invokes the notifier, allowed from that rule only", () => {
    expect(resourcesOf(tf, "aws_cloudwatch_event_rule").find((r) => r.name === "ecs-rerun-digest")).toMatchObject({ schedule_expression: "rate(1 minute)" });
    expect(resourcesOf(tf, "aws_lambda_permission").find((p) => p.statement_id === "InvokeForTheDigest")).toMatchObject({ principal: "events.amazonaws.com", source_arn: expect.stringContaining("notice-storm_schedule") });
  });

  test("least privilege: GetItem and UpdateItem on its own keys of its own table, and the digest queue alone", () => {
    const policy = resourcesOf(tf, "aws_iam_role_policy").find((p) => p.name === "count-pace-and-digest-notices")!;
    const statements = JSON.parse(policy.policy as string).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: expect.stringContaining("notice-storm_table"), Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["window#*", "slack-clock", "digest-gate", "thread#*"] } } }),
      expect.objectContaining({ Action: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: expect.stringContaining("notice-storm_queue") }),
    ]);
  });

  test("alarms on the store failing and on digests that do not go out, to the topic and the alarm actions", () => {
    const alarms = resourcesOf(synth({ alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:on-call"] }), "aws_cloudwatch_metric_alarm");
    const store = alarms.find((a) => a.alarm_name === "ecs-rerun-notice-store-failures")!;
    const delay = alarms.find((a) => a.alarm_name === "ecs-rerun-digest-delayed")!;
    expect(delay).toMatchObject({ namespace: "AWS/SQS", metric_name: "ApproximateAgeOfOldestMessage", threshold: 600 });
    for (const a of [store, delay]) expect(a.alarm_actions).toEqual([expect.stringContaining("aws_sns_topic"), "arn:aws:sns:ap-northeast-1:123456789012:on-call"]);
  });

  test("the notifier learns its table, queue and threshold, and has the time to wait for a Slack slot", () => {
    expect(env(synth({ digestAbovePerMinute: 50 }))).toMatchObject({ NOTICE_TABLE: expect.stringContaining("notice-storm_table"), DIGEST_QUEUE_URL: expect.stringContaining("notice-storm_queue"), DIGEST_ABOVE_PER_MINUTE: "50" });
    expect(notifierOf(tf).timeout).toBe(60);
    expect(() => synth({ digestAbovePerMinute: 0 })).toThrow("digestAbovePerMinute = 0 is invalid");
  });

  test("no notifier, no storm parts", () => {
    const none = synth({ slackWebhookParameterName: undefined });
    expect(resourcesOf(none, "aws_dynamodb_table").map((t) => t.name)).not.toContain("ecs-rerun-notices");
    expect(resourcesOf(none, "aws_sqs_queue").map((q) => q.name)).not.toContain("ecs-rerun-digest");
  });
});

describe("a Slack bot token instead of the webhook", () => {
  test("reads the token's parameter and posts to the channel; the webhook variable is not set", () => {
    const tf = synth({ slackWebhookParameterName: undefined, slackBotTokenParameterName: "/ecs-rerun/slack-bot-token", slackChannelId: "C0123456789" });
    expect(env(tf)).toMatchObject({ SLACK_BOT_TOKEN_PARAMETER: "/ecs-rerun/slack-bot-token", SLACK_CHANNEL: "C0123456789" });
    expect(env(tf).SLACK_WEBHOOK_PARAMETER).toBeUndefined();
    const read = resourcesOf(tf, "aws_iam_role_policy").find((p) => p.name === "read-webhook-parameter")!;
    expect(read.policy).toContain("parameter/ecs-rerun/slack-bot-token");
  });

  test("is refused beside a webhook, without a channel, and when it is a token rather than a name", () => {
    expect(() => synth({ slackBotTokenParameterName: "/ecs-rerun/slack-bot-token", slackChannelId: "C0123456789" })).toThrow(/both set/);
    expect(() => synth({ slackWebhookParameterName: undefined, slackBotTokenParameterName: "/ecs-rerun/slack-bot-token" })).toThrow("slackBotTokenParameterName is set but slackChannelId is not");
    expect(() => synth({ slackWebhookParameterName: undefined, slackBotTokenParameterName: "xoxb-123-SeCrEt", slackChannelId: "C0123456789" })).toThrow(/NAME of an SSM SecureString/);
    expect(() => synth({ slackWebhookParameterName: undefined, slackBotTokenParameterName: "/p", slackChannelId: "#general" })).toThrow(/channel ID/);
  });
});
