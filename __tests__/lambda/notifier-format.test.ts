import {
  cloudWatchFragmentEncode,
  formatSlackMessage,
  KIND_EMOJI,
  logEventsUrl,
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
    source: "cloudtrail",
    failureType: "rejected",
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
    ["program_failed", /^:boom: Program failed \(exited non-zero, not rerun\): nightly-report:12 on batch-ec2$/],
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

/** Field texts of the first section with fields. */
function fieldTexts(message: SlackMessage): string[] {
  const section = message.blocks.find((b) => b.type === "section" && b.fields);
  return section && section.type === "section" ? (section.fields ?? []).map((f) => f.text) : [];
}

const TASK_ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8";

describe("Slack formatting of a program failure", () => {
  const programFailed = () =>
    notice({
      kind: "program_failed",
      source: "task-state-change",
      failureType: "program_failed",
      reasons: ["EssentialContainerExited: app exited 1"],
      attempt: 0,
      requested: 1,
      placed: 0,
      remaining: 1,
      nextDelaySeconds: undefined,
      eventId: "e7f9a1b3-5c7d-4e9f-a1b3-5c7d9e1f3a57",
      message: "the task ran and exited non-zero; not rerun (a program failure)",
      stoppedReason: "Essential container in task exited",
      taskArn: TASK_ARN,
      containers: [
        { name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8", logRegion: "ap-northeast-1" },
        { name: "worker", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
      logGroup: "/ecs/nightly-report",
      logStream: "batch/app/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8",
      logRegion: "ap-northeast-1",
      notCarriedOver: ["tags"],
    });

  it("says the program failed and was not rerun", () => {
    const message = formatSlackMessage(JSON.stringify(programFailed()), { region: REGION });
    expect(parseMessage(JSON.stringify(programFailed())).kind).toBe("program_failed");
    expect(headerText(message)).toBe(":boom: Program failed (exited non-zero, not rerun): nightly-report:12 on batch-ec2");
    expect(message.text).toMatch(/app exited 1, worker exited 137/);
  });

  it("lists the failing containers with exit codes, reasons and a CloudWatch Logs console link", () => {
    const text = allText(formatSlackMessage(JSON.stringify(programFailed()), { region: REGION }));
    expect(text).toContain("`app` exited 1");
    expect(text).toContain("`worker` exited 137 — OutOfMemoryError: Container killed due to memory usage");
    expect(text).toContain(
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fnightly-report/log-events/batch$252Fapp$252F3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8|logs>",
    );
  });

  it("links the task, not a CloudTrail event (a task state change id is no CloudTrail event id)", () => {
    const text = allText(formatSlackMessage(JSON.stringify(programFailed()), { region: REGION }));
    expect(text).toContain("https://ap-northeast-1.console.aws.amazon.com/ecs/v2/clusters/batch-ec2/tasks/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8/configuration?region=ap-northeast-1");
    expect(text).not.toContain("cloudtrailv2");
  });

  it("does not show rerun counters or the not-carried-over list for a failure that is not rerun", () => {
    const fields = fieldTexts(formatSlackMessage(JSON.stringify(programFailed()), { region: REGION }));
    expect(fields).not.toEqual(expect.arrayContaining([expect.stringMatching(/^\*Attempt\*/), expect.stringMatching(/^\*Placed\*/)]));
    expect(allText(formatSlackMessage(JSON.stringify(programFailed()), { region: REGION }))).not.toContain("Not carried over");
  });

  it("encodes CloudWatch console fragments twice with $ for %, as the console does", () => {
    expect(cloudWatchFragmentEncode("/ecs/nightly-report")).toBe("$252Fecs$252Fnightly-report");
    expect(cloudWatchFragmentEncode("a b[1]")).toBe("a$2520b$255B1$255D");
    expect(logEventsUrl("eu-west-1", "/g", "s/t")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fg/log-events/s$252Ft",
    );
  });

  it("uses the log region of the task definition for the link", () => {
    const n = programFailed();
    n.containers = [{ name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/x", logRegion: "us-west-2" }];
    expect(allText(formatSlackMessage(JSON.stringify(n), { region: REGION }))).toContain("https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:");
  });
});

describe("Slack formatting of a task that failed to start", () => {
  const stoppedReason = "CannotPullContainerError: Error response from daemon: manifest for 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/nightly-report:2025.03.03 not found: manifest unknown: Requested image not found";
  const failedToStart = (patch: Partial<Notice> = {}) =>
    notice({
      kind: "not_retryable",
      source: "task-state-change",
      failureType: "failed_to_start",
      reasons: [stoppedReason],
      stoppedReason,
      attempt: 0,
      requested: 1,
      placed: 0,
      remaining: 1,
      nextDelaySeconds: undefined,
      eventId: "8a3b5c7d-1e2f-4a6b-8c0d-2e4f6a8b0c13",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/1d2e3f4a5b6c47d8e9f0a1b2c3d4e5f6",
      notCarriedOver: ["tags", "placementConstraints", "networkConfiguration.securityGroups"],
      message: `no retryable reason among: ${stoppedReason}`,
      ...patch,
    });

  it("shows the stopped reason once, and no rerun's missing members where nothing is rerun", () => {
    const message = formatSlackMessage(JSON.stringify(failedToStart()), { region: REGION });
    expect(headerText(message)).toBe(":no_entry: Not retryable: nightly-report:12 on batch-ec2");
    const fields = fieldTexts(message);
    expect(fields).toEqual(expect.arrayContaining([expect.stringMatching(/^\*Stopped reason\*\nCannotPullContainerError: .*Requested image not found$/)]));
    expect(fields).not.toEqual(expect.arrayContaining([expect.stringMatching(/^\*Reasons\*/)]));
    expect(allText(message)).not.toContain("Not carried over to the rerun");
    expect(message.text).toContain(`stopped reason: ${stoppedReason}`);
  });

  it("names what a rerun lacks on the notice of a rerun", () => {
    const message = formatSlackMessage(JSON.stringify(failedToStart({ kind: "detected", reasons: ["TaskFailedToStart: RESOURCE:MEMORY"], stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY", nextDelaySeconds: 30 })), { region: REGION });
    const text = allText(message);
    expect(text).toContain("Not carried over to the rerun");
    expect(text).toContain("tags, placementConstraints, networkConfiguration.securityGroups");
  });

  it("titles a retryable failure to start as such", () => {
    const message = formatSlackMessage(
      JSON.stringify(failedToStart({ kind: "detected", reasons: ["TaskFailedToStart: RESOURCE:MEMORY"], stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY", nextDelaySeconds: 30 })),
      { region: REGION },
    );
    expect(headerText(message)).toBe(":mag: ECS task failed to start: nightly-report:12 on batch-ec2");
    expect(message.text).toContain("next retry in 30s");
  });

  it("shows the current reasons as well when a rerun failed for another reason than the original", () => {
    const fields = fieldTexts(formatSlackMessage(JSON.stringify(failedToStart({ kind: "retrying", reasons: ["AGENT"] })), { region: REGION }));
    expect(fields).toEqual(expect.arrayContaining([expect.stringMatching(/^\*Stopped reason\*/), expect.stringMatching(/^\*Reasons\*\nAGENT$/)]));
  });

  it("still formats a notice published before source and failureType existed, as a CloudTrail rejection", () => {
    const { source: _s, failureType: _f, ...old } = notice({ kind: "detected" });
    const message = formatSlackMessage(JSON.stringify(old), { region: REGION });
    expect(headerText(message)).toBe(":mag: ECS RunTask rejected: nightly-report:12 on batch-ec2");
    expect(allText(message)).toContain("cloudtrailv2");
  });
});

describe("Slack formatting of a missed-run alarm", () => {
  const missed = {
    AlarmName: "ecs-rerun-nightly-report-missed-run",
    AlarmDescription: "nightly-report (cron(0 3 * * ? *)) on batch-ec2 did not succeed by 04:00 UTC",
    AWSAccountId: "123456789012",
    NewStateValue: "ALARM",
    NewStateReason: "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
    StateChangeTime: "2025-03-04T04:00:00.000+0000",
    Region: "Asia Pacific (Tokyo)",
    AlarmArn: "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:ecs-rerun-nightly-report-missed-run",
    OldStateValue: "OK",
  };

  it("says a scheduled task did not succeed in time and names the job from the description", () => {
    const message = formatSlackMessage(JSON.stringify(missed), { region: REGION });
    expect(headerText(message)).toBe(":alarm_clock: Scheduled task did not succeed in time: ecs-rerun-nightly-report-missed-run");
    expect(message.blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: `*Job*\n${missed.AlarmDescription}` } });
    expect(message.text).toContain("nightly-report (cron(0 3 * * ? *)) on batch-ec2 did not succeed by 04:00 UTC");
    expect(allText(message)).toContain("#alarmsV2:alarm/ecs-rerun-nightly-report-missed-run");
  });

  it("says when the job succeeds again", () => {
    const message = formatSlackMessage(JSON.stringify({ ...missed, NewStateValue: "OK", OldStateValue: "ALARM" }), { region: REGION });
    expect(headerText(message)).toBe(":large_green_circle: Scheduled task succeeded again: ecs-rerun-nightly-report-missed-run");
  });

  it("leaves other alarms as they were", () => {
    const message = formatSlackMessage(JSON.stringify({ ...missed, AlarmName: "ecs-rerun-missed-run-detector-errors" }), { region: REGION });
    expect(headerText(message)).toBe(":rotating_light: ALARM: ecs-rerun-missed-run-detector-errors");
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

describe("Slack formatting of a hub's notice (another account and region)", () => {
  it("names the account and the region in a field and in the plain text, and links to that region's console", () => {
    const message = formatSlackMessage(JSON.stringify(notice({ kind: "recovered", account: "222233334444", region: "eu-west-1", cluster: "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2" })), { region: REGION });
    expect(fieldTexts(message)).toContain("*Account / region*\n222233334444 / eu-west-1");
    expect(message.text).toContain("account 222233334444 region eu-west-1");
    expect(allText(message)).toContain("https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/batch-ec2?region=eu-west-1");
    // The execution is the hub's, in the hub's region (its ARN says which), not the task's.
    expect(allText(message)).toContain("https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/");
  });

  it("a needs_human notice of a place the hub may not act in says why, without an empty 'could not be recovered' list", () => {
    const message = formatSlackMessage(
      JSON.stringify(notice({ kind: "needs_human", account: "444455556666", region: "eu-west-1", missing: [], message: "account 444455556666 region eu-west-1: account 444455556666 is not admitted by this hub; nothing was launched" })),
      { region: REGION },
    );
    expect(allText(message)).toContain("is not admitted by this hub");
    expect(allText(message)).not.toContain("Could not be recovered");
    expect(fieldTexts(message)).toContain("*Account / region*\n444455556666 / eu-west-1");
  });

  it("the command to run by hand is introduced with the account whose credentials it needs", () => {
    const runTaskCommand = "aws ecs run-task --cluster batch-ec2 --task-definition nightly-report:12 --count 1 --region eu-west-1";
    const message = formatSlackMessage(JSON.stringify(notice({ kind: "needs_human", account: "222233334444", region: "eu-west-1", missing: ["x"], runTaskCommand })), { region: REGION });
    expect(allText(message)).toContain("to complete and run with credentials of account 222233334444");
    expect(allText(message)).toContain(runTaskCommand);
  });
});
