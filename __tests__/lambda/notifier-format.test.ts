import {
  formatSlackMessage,
  KIND_EMOJI,
  parseMessage,
  parseTaskDefinition,
  PLAIN_TEXT_MAX,
  taskDefinitionUrl,
  type SlackMessage,
} from "../../lambda/notifier/format";
import type { Notice, NoticeKind } from "../../lambda/shared/contract";

const REGION = "ap-northeast-1";
const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";

function notice(patch: Partial<Notice> = {}): Notice {
  return {
    kind: "retrying",
    cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
    clusterName: "batch-ec2",
    taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
    action: "RunTask",
    reasons: ["AGENT"],
    attempt: 1,
    maxAttempts: 3,
    requested: 3,
    placed: 2,
    remaining: 1,
    nextDelaySeconds: 42,
    eventId: "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e",
    executionArn: EXECUTION_ARN,
    region: REGION,
    account: "123456789012",
    startedBy: "events-rule/nightly-report-batch",
    eventTime: "2025-03-04T03:00:07Z",
    taskArns: [],
    ...patch,
  };
}

/** Every text in the payload, for "contains" assertions. */
function allText(message: SlackMessage): string {
  return JSON.stringify(message.blocks) + "\n" + message.text;
}

function headerText(message: SlackMessage): string {
  const header = message.blocks.find((b) => b.type === "header");
  return header && header.type === "header" ? header.text.text : "";
}

describe("Slack formatting of a notice", () => {
  it("links the cluster, the task definition revision, the execution and the CloudTrail event", () => {
    const text = allText(formatSlackMessage(JSON.stringify(notice()), { region: "us-east-1" }));
    expect(text).toContain("https://ap-northeast-1.console.aws.amazon.com/ecs/v2/clusters/batch-ec2?region=ap-northeast-1");
    expect(text).toContain("https://ap-northeast-1.console.aws.amazon.com/ecs/v2/task-definitions/nightly-report/12?region=ap-northeast-1");
    expect(text).toContain(`https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/${EXECUTION_ARN}`);
    expect(text).toContain("https://ap-northeast-1.console.aws.amazon.com/cloudtrailv2/home?region=ap-northeast-1#/events/b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e");
  });

  it("shows reasons, attempt x/max, placed/requested and the next retry", () => {
    const message = formatSlackMessage(JSON.stringify(notice()), { region: REGION });
    const section = message.blocks.find((b) => b.type === "section" && b.fields);
    const fields = section && section.type === "section" ? (section.fields ?? []).map((f) => f.text) : [];
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\*Reasons\*\nAGENT$/),
        expect.stringMatching(/^\*Attempt\*\n1\/3$/),
        expect.stringMatching(/^\*Placed\*\n2\/3$/),
        expect.stringMatching(/^\*Next retry\*\nin 42s$/),
        expect.stringContaining("nightly-report:12"),
      ]),
    );
    expect(message.text).toMatch(/reasons: AGENT \| attempt 1\/3 \| placed 2\/3 \| next retry in 42s/);
  });

  it.each<[NoticeKind, RegExp]>([
    ["detected", /^:mag: ECS RunTask rejected: nightly-report:12 on batch-ec2$/],
    ["retrying", /^:repeat: Rerun 1\/3 still short, retrying: nightly-report:12 on batch-ec2$/],
    ["recovered", /^:white_check_mark: Recovered: nightly-report:12 on batch-ec2$/],
    ["gave_up", /^:x: Gave up: nightly-report:12 on batch-ec2$/],
    ["not_retryable", /^:no_entry: Not retryable: nightly-report:12 on batch-ec2$/],
  ])("gives kind %s its own emoji and title", (kind, header) => {
    const message = formatSlackMessage(JSON.stringify(notice({ kind })), { region: REGION });
    expect(headerText(message)).toMatch(header);
    expect(message.text.startsWith(KIND_EMOJI[kind])).toBe(true);
  });

  it("shows the message, escaped for mrkdwn, and no next retry when none follows", () => {
    const message = formatSlackMessage(
      JSON.stringify(notice({ kind: "gave_up", nextDelaySeconds: undefined, message: "ClientException: <bad> & worse" })),
      { region: REGION },
    );
    const text = allText(message);
    expect(text).toContain("ClientException: &lt;bad&gt; &amp; worse");
    expect(text).not.toContain("Next retry");
    expect(message.text).toContain("ClientException: <bad> & worse");
  });

  it("links the family only when the task definition has no revision", () => {
    expect(parseTaskDefinition("nightly-report")).toEqual({ family: "nightly-report" });
    expect(parseTaskDefinition("nightly-report:7")).toEqual({ family: "nightly-report", revision: "7" });
    expect(taskDefinitionUrl(REGION, "nightly-report")).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/ecs/v2/task-definitions/nightly-report?region=ap-northeast-1",
    );
    const text = allText(formatSlackMessage(JSON.stringify(notice({ taskDefinition: "nightly-report" })), { region: REGION }));
    expect(text).toContain("/ecs/v2/task-definitions/nightly-report?region=ap-northeast-1|nightly-report>");
  });

  it("keeps the header within Slack's 150 characters", () => {
    const long = "x".repeat(300);
    const message = formatSlackMessage(JSON.stringify(notice({ taskDefinition: `${long}:1` })), { region: REGION });
    expect(headerText(message).length).toBeLessThanOrEqual(150);
  });
});

describe("Slack formatting of a CloudWatch alarm", () => {
  const alarm = {
    AlarmName: "ecs-rerun/notifier-dlq not empty",
    AlarmDescription: "Slack notices failed and landed in the DLQ",
    AWSAccountId: "123456789012",
    NewStateValue: "ALARM",
    NewStateReason: "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).",
    StateChangeTime: "2025-03-04T03:10:00.000+0000",
    Region: "Asia Pacific (Tokyo)",
    AlarmArn: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ecs-rerun/notifier-dlq not empty",
    OldStateValue: "OK",
  };

  it("names the alarm and state in the header with the alarm emoji", () => {
    const message = formatSlackMessage(JSON.stringify(alarm), { region: "us-east-1" });
    expect(parseMessage(JSON.stringify(alarm)).kind).toBe("alarm");
    expect(headerText(message)).toBe(":rotating_light: ALARM: ecs-rerun/notifier-dlq not empty");
    expect(message.text).toContain("Threshold Crossed");
  });

  it("links the alarm in the region of its ARN with the name encoded", () => {
    const text = allText(formatSlackMessage(JSON.stringify(alarm), { region: "us-east-1" }));
    expect(text).toContain(
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#alarmsV2:alarm/ecs-rerun%2Fnotifier-dlq%20not%20empty",
    );
    expect(text).toContain("OK → ALARM");
  });

  it("uses the configured region when the alarm has no ARN", () => {
    const { AlarmArn: _arn, ...noArn } = alarm;
    const text = allText(formatSlackMessage(JSON.stringify({ ...noArn, NewStateValue: "OK" }), { region: "eu-west-1" }));
    expect(text).toContain("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/");
  });
});

describe("Slack formatting of anything else", () => {
  it("posts plain text as it is", () => {
    const message = formatSlackMessage("hello <world>", { region: REGION });
    expect(message.text).toBe("hello <world>");
    expect(allText(message)).toContain("hello &lt;world&gt;");
  });

  it("posts JSON that is neither a notice nor an alarm as text", () => {
    const body = JSON.stringify({ kind: "weird", some: "thing" });
    expect(parseMessage(body).kind).toBe("text");
    expect(formatSlackMessage(body, { region: REGION }).text).toBe(body);
  });

  it("truncates long text", () => {
    const message = formatSlackMessage("y".repeat(10_000), { region: REGION });
    expect(message.text.length).toBeLessThanOrEqual(PLAIN_TEXT_MAX);
    expect(message.text.endsWith("…")).toBe(true);
    expect(JSON.stringify(message).length).toBeLessThan(8_000);
  });
});
