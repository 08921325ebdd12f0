// The notifier's formatting rules pinned with literal values (issue 23): the truncation boundary, link
// escaping, every headline (the needs-a-human one among them), which fields and sections each kind
// shows, and the alarm and text messages. Expected strings are written out by hand from Slack's and the
// consoles' URL forms; none is computed by the formatter.
import {
  alarmUrl,
  cloudTrailEventUrl,
  clusterUrl,
  duration,
  escapeMrkdwn,
  executionUrl,
  formatSlackMessage,
  isAlarmNotification,
  isNotice,
  link,
  parseMessage,
  parseTaskDefinition,
  taskDefinitionUrl,
  taskUrl,
  truncate,
  type SlackMessage,
} from "../../../lambda/notifier/format";
import type { Notice } from "../../../lambda/shared/contract";

const R = "eu-west-1";
const BASE = "https://eu-west-1.console.aws.amazon.com";
const EXEC = "arn:aws:states:us-east-1:111122223333:execution:ecs-rerun:run-1";

function notice(patch: Partial<Notice> = {}): Notice {
  return {
    kind: "retrying",
    source: "cloudtrail",
    failureType: "rejected",
    cluster: "arn:aws:ecs:eu-west-1:222233334444:cluster/batch",
    clusterName: "batch",
    taskDefinition: "arn:aws:ecs:eu-west-1:222233334444:task-definition/report:7",
    action: "RunTask",
    reasons: ["AGENT"],
    attempt: 1,
    maxAttempts: 3,
    requested: 2,
    placed: 1,
    remaining: 1,
    eventId: "ev-1",
    executionArn: EXEC,
    region: R,
    account: "222233334444",
    eventTime: "2026-03-01T00:00:00Z",
    taskArns: [],
    ...patch,
  };
}

const fmt = (n: Notice | object | string): SlackMessage => formatSlackMessage(typeof n === "string" ? n : JSON.stringify(n), { region: "ap-south-1" });
const headline = (m: SlackMessage): string => (m.blocks[0].type === "header" ? m.blocks[0].text.text : "");
const fieldTexts = (m: SlackMessage): string[] => m.blocks.flatMap((b) => (b.type === "section" && b.fields ? b.fields.map((f) => f.text) : []));
const sectionTexts = (m: SlackMessage): string[] => m.blocks.flatMap((b) => (b.type === "section" && b.text ? [b.text.text] : []));
const contextText = (m: SlackMessage): string => m.blocks.flatMap((b) => (b.type === "context" ? b.elements.map((e) => e.text) : [])).join("");

describe("truncation and escaping", () => {
  it("keeps a text of exactly max characters and cuts one longer to max with an ellipsis", () => {
    expect(truncate("abcde", 5)).toBe("abcde");
    expect(truncate("abcdef", 5)).toBe("abcd…");
    expect(truncate("abc", 0)).toBe("…");
  });

  it("escapes &, < and > for mrkdwn, every occurrence", () => {
    expect(escapeMrkdwn("a<b>&c<d>&")).toBe("a&lt;b&gt;&amp;c&lt;d&gt;&amp;");
  });

  it("links with the label escaped and | and > in the URL encoded, every occurrence", () => {
    expect(link("https://x/a|b|c>d>e", "<job> & co")).toBe("<https://x/a%7Cb%7Cc%3Ed%3Ee|&lt;job&gt; &amp; co>");
  });

  it("cuts the plain text fallback at 2900 characters and the header at 150", () => {
    const long = "x".repeat(3000);
    const m = fmt(long);
    expect(m.text).toBe("x".repeat(2899) + "…");
    expect(fmt("x".repeat(2900)).text).toBe("x".repeat(2900));
    const h = headline(fmt(notice({ clusterName: "c".repeat(200) })));
    expect(h).toHaveLength(150);
    expect(h.endsWith("c…")).toBe(true);
  });
});

describe("console links", () => {
  it("are written the way each console writes them", () => {
    expect(clusterUrl("eu-west-1", "my cluster")).toBe(`${BASE}/ecs/v2/clusters/my%20cluster?region=eu-west-1`);
    expect(clusterUrl("eu/west", "c")).toBe("https://eu%2Fwest.console.aws.amazon.com/ecs/v2/clusters/c?region=eu%2Fwest");
    expect(taskDefinitionUrl(R, "report")).toBe(`${BASE}/ecs/v2/task-definitions/report?region=eu-west-1`);
    expect(taskDefinitionUrl(R, "arn:aws:ecs:eu-west-1:1:task-definition/re port:7")).toBe(`${BASE}/ecs/v2/task-definitions/re%20port/7?region=eu-west-1`);
    expect(executionUrl(R, EXEC)).toBe(`${BASE}/states/home?region=eu-west-1#/v2/executions/details/${EXEC}`);
    expect(cloudTrailEventUrl(R, "a/b")).toBe(`${BASE}/cloudtrailv2/home?region=eu-west-1#/events/a%2Fb`);
    expect(taskUrl(R, "batch", "arn:aws:ecs:eu-west-1:1:task/batch/abc")).toBe(`${BASE}/ecs/v2/clusters/batch/tasks/abc/configuration?region=eu-west-1`);
    expect(alarmUrl(R, "job missed-run")).toBe(`${BASE}/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/job%20missed-run`);
  });

  it("reads a task definition's family and revision", () => {
    expect(parseTaskDefinition("report:12")).toEqual({ family: "report", revision: "12" });
    expect(parseTaskDefinition("report:latest")).toEqual({ family: "report:latest" });
    expect(parseTaskDefinition(":12")).toEqual({ family: ":12" });
    expect(parseTaskDefinition("arn:aws:ecs:eu-west-1:1:task-definition/report")).toEqual({ family: "report" });
  });

  it("says how long a failure has been open", () => {
    expect([duration(-5), duration(0), duration(119.4), duration(120), duration(7199), duration(7200), duration(7500)]).toEqual(["0 s", "0 s", "119 s", "2 min", "2 h", "2 h", "2 h 5 min"]);
  });
});

describe("recognising a message", () => {
  it("a notice needs a known kind, a cluster, a task definition and an event id", () => {
    expect(isNotice(notice())).toBe(true);
    for (const key of ["cluster", "taskDefinition", "eventId"]) expect(isNotice({ ...notice(), [key]: 1 })).toBe(false);
    expect(isNotice({ ...notice(), kind: "other" })).toBe(false);
    expect(isNotice([notice()])).toBe(false);
    expect(isAlarmNotification({ AlarmName: "a", NewStateValue: "ALARM" })).toBe(true);
    expect(isAlarmNotification({ AlarmName: "a" })).toBe(false);
    expect(isAlarmNotification({ NewStateValue: "ALARM" })).toBe(false);
    expect(parseMessage("not json")).toEqual({ kind: "text", text: "not json" });
    expect(parseMessage('{"a":1}')).toEqual({ kind: "text", text: '{"a":1}' });
  });
});

describe("the whole message of a retrying notice", () => {
  it("is this payload", () => {
    const m = fmt(notice({ nextDelaySeconds: 60, startedBy: "events-rule/<n>", requestSource: "schedule", taskArn: "arn:aws:ecs:eu-west-1:222233334444:task/batch/t1" }));
    expect(m).toEqual({
      text: ":repeat: Rerun 1/3 still short, retrying: report:7 on batch | account 222233334444 region eu-west-1 | reasons: AGENT | attempt 1/3 | placed 1/2 | next retry in 60s",
      blocks: [
        { type: "header", text: { type: "plain_text", text: ":repeat: Rerun 1/3 still short, retrying: report:7 on batch", emoji: true } },
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: `*Cluster*\n<${BASE}/ecs/v2/clusters/batch?region=eu-west-1|batch>` },
            { type: "mrkdwn", text: `*Task definition*\n<${BASE}/ecs/v2/task-definitions/report/7?region=eu-west-1|report:7>` },
            { type: "mrkdwn", text: "*Account / region*\n222233334444 / eu-west-1" },
            { type: "mrkdwn", text: `*Task*\n<${BASE}/ecs/v2/clusters/batch/tasks/t1/configuration?region=eu-west-1|t1>` },
            { type: "mrkdwn", text: "*Reasons*\nAGENT" },
            { type: "mrkdwn", text: "*Attempt*\n1/3" },
            { type: "mrkdwn", text: "*Placed*\n1/2" },
            { type: "mrkdwn", text: "*Next retry*\nin 60s" },
            { type: "mrkdwn", text: "*Started by*\nevents-rule/&lt;n&gt;" },
            { type: "mrkdwn", text: "*Request from*\nschedule" },
          ],
        },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: `<https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXEC}|Step Functions execution> · <${BASE}/cloudtrailv2/home?region=eu-west-1#/events/ev-1|CloudTrail event> · 222233334444 eu-west-1 2026-03-01T00:00:00Z`,
            },
          ],
        },
      ],
    });
  });

  it("keeps at most 10 fields, and falls back to the notifier's region and the cluster ARN's name", () => {
    const m = fmt(notice({ nextDelaySeconds: 60, startedBy: "s", requestSource: "schedule", taskArn: "t/t1", stoppedReason: "x", region: "", clusterName: "", account: "" }));
    expect(fieldTexts(m)).toHaveLength(10);
    expect(fieldTexts(m)[0]).toBe("*Cluster*\n<https://ap-south-1.console.aws.amazon.com/ecs/v2/clusters/batch?region=ap-south-1|batch>");
    expect(fieldTexts(m)[2]).toBe("*Account / region*\nunknown / ap-south-1");
    expect(m.text).toContain("| account unknown region ap-south-1 |");
    expect(headline(fmt(notice({ clusterName: "", cluster: "plain" })))).toBe(":repeat: Rerun 1/3 still short, retrying: report:7 on plain");
  });
});

describe("headlines", () => {
  it.each<[Partial<Notice>, string]>([
    [{ kind: "detected", action: "StartTask" }, ":mag: ECS StartTask rejected: report:7 on batch"],
    [{ kind: "detected", source: "task-state-change" }, ":mag: ECS task failed to start: report:7 on batch"],
    [{ kind: "detected", failureType: "program_failed" }, ":mag: Program failed, rerun (opted in): report:7 on batch"],
    [{ kind: "still_trying", attempt: 2 }, ":hourglass_flowing_sand: Still trying (rerun 2/3): report:7 on batch"],
    [{ kind: "still_trying", attempt: 2, openSeconds: 600 }, ":hourglass_flowing_sand: Still trying after 10 min (rerun 2/3): report:7 on batch"],
    [{ kind: "recovered" }, ":white_check_mark: Recovered: report:7 on batch"],
    [{ kind: "recovered", attempt: 1, openSeconds: 90 }, ":white_check_mark: Recovered after 1 rerun, 90 s: report:7 on batch"],
    [{ kind: "recovered", attempt: 2, openSeconds: 600 }, ":white_check_mark: Recovered after 2 reruns, 10 min: report:7 on batch"],
    [{ kind: "gave_up" }, ":x: Gave up: report:7 on batch"],
    [{ kind: "not_retryable" }, ":no_entry: Not retryable: report:7 on batch"],
    [{ kind: "program_failed" }, ":boom: Program failed (exited non-zero, not rerun): report:7 on batch"],
    [{ kind: "needs_human" }, ":raising_hand: Not rerun, a human must launch it: report:7 on batch"],
  ])("%j", (patch, expected) => {
    expect(headline(fmt(notice(patch)))).toBe(expected);
  });
});

describe("what each kind shows", () => {
  it("a needs-a-human notice: what could not be recovered and the command, backticks made quotes", () => {
    const m = fmt(notice({ kind: "needs_human", missing: ["overrides.containerOverrides[app].environment", "<x>"], runTaskCommand: "aws ecs run-task --cluster `batch`", message: "m <1>" }));
    expect(sectionTexts(m)).toEqual([
      "*Message*\nm &lt;1&gt;",
      "*Could not be recovered* (so nothing was launched: a rerun without them would be another job)\noverrides.containerOverrides[app].environment, &lt;x&gt;",
      "*Everything that could be recovered*, to complete and run with credentials of account 222233334444\n```aws ecs run-task --cluster 'batch'```",
    ]);
    expect(sectionTexts(fmt(notice({ kind: "needs_human", missing: [] })))).toEqual([]);
  });

  it("a not-retryable notice with a command: what was left out of it, and how to launch it by hand", () => {
    const m = fmt(notice({ kind: "not_retryable", missing: ["tags"], runTaskCommand: "aws ecs run-task `x`" }));
    expect(sectionTexts(m)).toEqual([
      "*Left out of the command below* (put them back before running it)\ntags",
      "*To launch it by hand* once its cause is fixed, with credentials of account 222233334444\n```aws ecs run-task 'x'```",
    ]);
    expect(sectionTexts(fmt(notice({ kind: "not_retryable", missing: ["tags"] })))).toEqual([]);
    expect(sectionTexts(fmt(notice({ kind: "gave_up", missing: ["tags"], runTaskCommand: "c" })))).toEqual([]);
  });

  it("what a rerun lacks only for a notice about a rerun", () => {
    const lacks = "*Not carried over to the rerun* (the stopped task does not record them)\ntags, referenceId";
    const shown = (patch: Partial<Notice>): boolean => sectionTexts(fmt(notice({ notCarriedOver: ["tags", "referenceId"], ...patch }))).includes(lacks);
    expect([shown({ kind: "retrying" }), shown({ kind: "still_trying" }), shown({ kind: "detected", nextDelaySeconds: 5 }), shown({ kind: "recovered", attempt: 1 }), shown({ kind: "gave_up", attempt: 2 })]).toEqual([true, true, true, true, true]);
    expect([shown({ kind: "detected" }), shown({ kind: "recovered", attempt: 0 }), shown({ kind: "gave_up", attempt: 0 }), shown({ kind: "not_retryable" }), shown({ kind: "program_failed" }), shown({ notCarriedOver: [] })]).toEqual([false, false, false, false, false, false]);
  });

  it("a program failure: its containers with their log links, no attempt fields, no reasons", () => {
    const m = fmt(
      notice({
        kind: "program_failed",
        source: "task-state-change",
        failureType: "program_failed",
        reasons: ["EssentialContainerExited: app exited 1"],
        containers: [{ name: "app", exitCode: 1, reason: "OOM <killed>" }],
        logGroup: "/ecs/report",
        logStream: "ecs/app/t1",
        stoppedReason: "Essential container in task exited",
      }),
    );
    expect(sectionTexts(m)).toEqual([
      "*Containers*\n• `app` exited 1 — OOM &lt;killed&gt; — <https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Freport/log-events/ecs$252Fapp$252Ft1|logs>",
    ]);
    expect(fieldTexts(m).map((f) => f.split("\n")[0])).toEqual(["*Cluster*", "*Task definition*", "*Account / region*", "*Stopped reason*"]);
    expect(m.text).toBe(":boom: Program failed (exited non-zero, not rerun): report:7 on batch | account 222233334444 region eu-west-1 | app exited 1");
    expect(contextText(m)).not.toContain("CloudTrail event");
  });

  it("a container's own log stream and region win; the notice's stream serves a lone container only", () => {
    const two = fmt(notice({ kind: "program_failed", containers: [{ name: "a", exitCode: 2 }, { name: "b", exitCode: 3, logGroup: "g", logStream: "s", logRegion: "us-east-2" }], logGroup: "G", logStream: "S" }));
    expect(sectionTexts(two)).toEqual([
      "*Containers*\n• `a` exited 2\n• `b` exited 3 — <https://us-east-2.console.aws.amazon.com/cloudwatch/home?region=us-east-2#logsV2:log-groups/log-group/g/log-events/s|logs>",
    ]);
    const region = fmt(notice({ kind: "program_failed", containers: [{ name: "a", exitCode: 2 }], logGroup: "g", logStream: "s", logRegion: "us-west-1" }));
    expect(sectionTexts(region)[0]).toContain("https://us-west-1.console.aws.amazon.com/cloudwatch/home?region=us-west-1#");
  });

  it("a task that failed to start: its stopped reason once, or its stop code when it has no reason", () => {
    const once = fmt(notice({ kind: "gave_up", source: "task-state-change", reasons: ["RESOURCE:MEMORY"], stoppedReason: "RESOURCE:MEMORY", firstReasons: ["RESOURCE:MEMORY"], stopCode: "TaskFailedToStart" }));
    expect(fieldTexts(once).map((f) => f.split("\n")[0])).toEqual(["*Cluster*", "*Task definition*", "*Account / region*", "*Stopped reason*", "*Attempt*", "*Placed*"]);
    expect(once.text).toBe(":x: Gave up: report:7 on batch | account 222233334444 region eu-west-1 | stopped reason: RESOURCE:MEMORY | attempt 1/3 | placed 1/2");
    const none = fmt(notice({ kind: "recovered", source: "task-state-change", reasons: [], firstReasons: ["AGENT", "RESOURCE:CPU"] }));
    expect(fieldTexts(none).slice(3, 5)).toEqual(["*Stop code*\nnone recorded (an event from before ECS recorded stop codes)", "*Failed with*\nAGENT, RESOURCE:CPU"]);
    expect(none.text).toContain("| stop code: none recorded (an event from before ECS recorded stop codes) |");
    const coded = fmt(notice({ kind: "recovered", source: "task-state-change", reasons: [], stopCode: "TaskFailedToStart" }));
    expect(fieldTexts(coded)[3]).toBe("*Stop code*\nTaskFailedToStart");
    expect(fieldTexts(fmt(notice({ kind: "recovered", reasons: [] }))).map((f) => f.split("\n")[0])).toEqual(["*Cluster*", "*Task definition*", "*Account / region*", "*Attempt*", "*Placed*"]);
  });

  it("a failure the reconciler found says so first", () => {
    expect(sectionTexts(fmt(notice({ foundBy: "reconciler" })))[0]).toBe(
      "*Found by the reconciler*: this failure's event never reached the pipeline, so the reconciler found it in what AWS keeps (CloudTrail event history or the cluster's stopped tasks). Check the event path: the rules, the trail, a spoke's forwarding.",
    );
  });

  it("links the execution in its own region, or the notice's when its ARN has none", () => {
    expect(contextText(fmt(notice({ executionArn: "not-an-arn" })))).toContain(`<${BASE}/states/home?region=eu-west-1#/v2/executions/details/not-an-arn|Step Functions execution>`);
    expect(contextText(fmt(notice({ executionArn: "" })))).toBe(`<${BASE}/cloudtrailv2/home?region=eu-west-1#/events/ev-1|CloudTrail event> · 222233334444 eu-west-1 2026-03-01T00:00:00Z`);
  });
});

describe("a self-test", () => {
  it("is this payload", () => {
    const m = fmt(notice({ kind: "self_test", sentBy: "npm run self-test", message: "all <good>" }));
    expect(m).toEqual({
      text: ":test_tube: ecs-rerun self-test: the notices reach this channel | account 222233334444 region eu-west-1 | all <good>",
      blocks: [
        { type: "header", text: { type: "plain_text", text: ":test_tube: ecs-rerun self-test: the notices reach this channel", emoji: true } },
        { type: "section", fields: [{ type: "mrkdwn", text: "*Account / region*\n222233334444 / eu-west-1" }, { type: "mrkdwn", text: "*Sent*\n2026-03-01T00:00:00Z" }, { type: "mrkdwn", text: "*Sent by*\nnpm run self-test" }] },
        { type: "section", text: { type: "mrkdwn", text: "all &lt;good&gt;" } },
        { type: "context", elements: [{ type: "mrkdwn", text: `<https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXEC}|Step Functions execution>` }] },
      ],
    });
    const bare = fmt(notice({ kind: "self_test", executionArn: "", region: "", account: "" }));
    expect(bare.text).toBe(":test_tube: ecs-rerun self-test: the notices reach this channel | account unknown region ap-south-1");
    expect(bare.blocks.map((b) => b.type)).toEqual(["header", "section"]);
  });
});

describe("alarms and text", () => {
  const ARN = "arn:aws:cloudwatch:eu-west-1:222233334444:alarm:nightly-missed-run";
  it("a missed run: the job is the headline's companion", () => {
    const m = fmt({ AlarmName: "nightly-missed-run", NewStateValue: "ALARM", OldStateValue: "OK", AlarmArn: ARN, AlarmDescription: "job <nightly>", NewStateReason: "no success in 25 h", AWSAccountId: "222233334444" });
    expect(m).toEqual({
      text: ":alarm_clock: Scheduled task did not succeed in time: nightly-missed-run | job <nightly> | no success in 25 h",
      blocks: [
        { type: "header", text: { type: "plain_text", text: ":alarm_clock: Scheduled task did not succeed in time: nightly-missed-run", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "*Job*\njob &lt;nightly&gt;" } },
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: `*Alarm*\n<${BASE}/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/nightly-missed-run|nightly-missed-run>` },
            { type: "mrkdwn", text: "*State*\nOK → ALARM" },
            { type: "mrkdwn", text: "*Account*\n222233334444" },
            { type: "mrkdwn", text: "*Region*\neu-west-1" },
          ],
        },
        { type: "section", text: { type: "mrkdwn", text: "*Reason*\nno success in 25 h" } },
      ],
    });
    expect(headline(fmt({ AlarmName: "nightly-missed-run", NewStateValue: "OK", AlarmArn: ARN }))).toBe(":large_green_circle: Scheduled task succeeded again: nightly-missed-run");
    expect(headline(fmt({ AlarmName: "nightly-missed-run", NewStateValue: "INSUFFICIENT_DATA" }))).toBe(":grey_question: INSUFFICIENT_DATA: nightly-missed-run");
  });

  it("another alarm: state emoji, the description as context, the notifier's region without an ARN", () => {
    const m = fmt({ AlarmName: "dlq", NewStateValue: "ALARM", AlarmDescription: "queue <x>" });
    expect(m).toEqual({
      text: ":rotating_light: ALARM: dlq",
      blocks: [
        { type: "header", text: { type: "plain_text", text: ":rotating_light: ALARM: dlq", emoji: true } },
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: "*Alarm*\n<https://ap-south-1.console.aws.amazon.com/cloudwatch/home?region=ap-south-1#alarmsV2:alarm/dlq|dlq>" },
            { type: "mrkdwn", text: "*State*\nALARM" },
            { type: "mrkdwn", text: "*Region*\nap-south-1" },
          ],
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "queue &lt;x&gt;" }] },
      ],
    });
    expect(headline(fmt({ AlarmName: "a", NewStateValue: "OK" }))).toBe(":large_green_circle: OK: a");
    expect(headline(fmt({ AlarmName: "a", NewStateValue: "WEIRD" }))).toBe(":rotating_light: WEIRD: a");
  });

  it("anything else is posted as escaped text", () => {
    expect(fmt("a <b> & c")).toEqual({
      text: "a <b> & c",
      blocks: [
        { type: "header", text: { type: "plain_text", text: ":speech_balloon: ecs-rerun message", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "a &lt;b&gt; &amp; c" } },
      ],
    });
  });
});
