// The audit's pure parts: reading records in every form people hold them, judging which calls were
// rejected launches, the sums, the follow-up of each, and the paced event-history lookup.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ExecutionsUnreadable, executionArnOf, outcomeOf, rerunOutcomes } from "../../../scripts/audit/executions";
import { lookUpLaunchRecords } from "../../../scripts/audit/lookup";
import { AuditUsageError, parseAuditArgs, parseTime } from "../../../scripts/audit/options";
import { parseRecords, recordsText, RecordsUnreadable } from "../../../scripts/audit/records";
import { launchCalls, type RejectedLaunch } from "../../../scripts/audit/rejected-launches";
import { auditReport, formatAudit, table } from "../../../scripts/audit/report";

const FIXTURE = join(__dirname, "../../fixtures/audit/trail-log-file.json");
const trail = JSON.parse(readFileSync(FIXTURE, "utf8")) as { Records: Record<string, unknown>[] };
const AGENT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const STEP_FUNCTIONS = "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a81";
const START_TASK = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70";
const RERUN = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
const SPOKE = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e";
const SUCCESS = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f";

describe("records in the forms people hold them", () => {
  const record = trail.Records[0];

  test("a trail's log file, lookup-events output, EventBridge events, arrays and JSON lines give the same records", () => {
    const lookup = { Events: [{ EventId: "x", CloudTrailEvent: JSON.stringify(record) }] };
    const envelope = { "detail-type": "AWS API Call via CloudTrail", source: "aws.ecs", detail: record };
    expect(parseRecords(JSON.stringify({ Records: [record] }))).toEqual([record]);
    expect(parseRecords(JSON.stringify(lookup))).toEqual([record]);
    expect(parseRecords(JSON.stringify(envelope))).toEqual([record]);
    expect(parseRecords(JSON.stringify([envelope, { Records: [record] }]))).toEqual([record, record]);
    expect(parseRecords(`${JSON.stringify(envelope)}\n\n${JSON.stringify(record)}\n`)).toEqual([record, record]);
  });

  test("a gzipped log file (as CloudTrail writes it to S3) is unpacked; plain text is left as is", () => {
    const text = JSON.stringify({ Records: [record] });
    expect(recordsText(gzipSync(text))).toBe(text);
    expect(recordsText(Buffer.from(text))).toBe(text);
    expect(() => recordsText(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(RecordsUnreadable);
  });

  test.each([
    ["", /empty/],
    ["{", /line 1: not JSON/],
    ['{"Records": [{"foo": 1}]}', /records\.Records\[0\]: neither a CloudTrail record/],
    ['{"Events": [{"CloudTrailEvent": "{nope"}]}', /records\.Events\[0\]\.CloudTrailEvent: not JSON text/],
    ["42", /records: expected an object or an array/],
  ])("%j is refused, naming where", (text, message) => {
    expect(() => parseRecords(text)).toThrow(message);
  });
});

describe("which calls were rejected launches", () => {
  const calls = launchCalls(trail.Records);
  const byId = (id: string) => calls.rejected.find((l) => l.eventId === id);

  test("each rejected launch once by its eventID, oldest first; no successful launch, no other service's call", () => {
    expect(calls.rejected.map((l) => l.eventId)).toEqual([AGENT, SPOKE, START_TASK, STEP_FUNCTIONS, RERUN]); // same second: by eventID
    expect(calls.rejected.map((l) => l.eventId)).not.toContain(SUCCESS);
    expect(calls).toMatchObject({ launched: 1, errored: { ThrottlingException: 1 }, duplicates: 1 });
  });

  test("a launch carries its cluster, reasons, startedBy, shortfall and the name its execution gets", () => {
    expect(byId(AGENT)).toEqual({
      eventId: AGENT,
      time: "2025-03-04T03:00:07Z",
      action: "RunTask",
      account: "123456789012",
      region: "ap-northeast-1",
      cluster: "batch-ec2",
      taskDefinition: expect.stringContaining("nightly-report"),
      reasons: ["AGENT"],
      requested: 1,
      notStarted: 1,
      startedBy: "events-rule/nightly-report-batch",
      caller: "arn:aws:iam::123456789012:role/ecsEventsRole",
      executionName: `ct-${AGENT}`,
    });
    // StartTask on two instances, one placed: one task never started.
    expect(byId(START_TASK)).toMatchObject({ action: "StartTask", cluster: "batch-ec2", requested: 2, notStarted: 1, startedBy: "ledger-close-cron" });
  });

  test("a rerun by an ecs-rerun relaunch role names the failure it reran (its owner tag)", () => {
    expect(byId(RERUN)).toMatchObject({ reasons: ["RESOURCE:MEMORY"], rerunOf: AGENT, caller: "arn:aws:iam::123456789012:role/ecs-rerun/ecs-rerun-rerun-ap-northeast-1" });
    expect(byId(AGENT)?.rerunOf).toBeUndefined();
  });

  test("owner tags on a call by anyone else do not make it a rerun", () => {
    const forged = { ...trail.Records.find((r) => r.eventID === RERUN)!, userIdentity: trail.Records[0].userIdentity };
    expect(launchCalls([forged]).rejected[0].rerunOf).toBeUndefined();
  });

  test("filters: a cluster name matches in every account; an ARN pins its account and Region; time and Region bound the records", () => {
    expect(launchCalls(trail.Records, { clusters: ["batch-ec2"] }).rejected).toHaveLength(5);
    expect(launchCalls(trail.Records, { clusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"] }).rejected.map((l) => l.eventId)).toEqual([SPOKE]);
    expect(launchCalls(trail.Records, { clusters: ["other"] }).rejected).toEqual([]);
    expect(launchCalls(trail.Records, { region: "eu-west-1" }).rejected.map((l) => l.eventId)).toEqual([SPOKE]);
    const window = launchCalls(trail.Records, { since: new Date("2025-03-04T03:01:00Z"), until: new Date("2025-03-04T03:01:40Z") });
    expect(window.rejected.map((l) => l.eventId)).toEqual([STEP_FUNCTIONS]); // until is exclusive: the 03:01:40 rerun is out
  });

  test("a call on the default cluster (none named) counts under default", () => {
    const record = structuredClone(trail.Records[0]) as { requestParameters: Record<string, unknown> };
    delete record.requestParameters.cluster;
    expect(launchCalls([record as unknown as Record<string, unknown>]).rejected[0].cluster).toBe("default");
  });

  test("a record the rerun Lambda would refuse is still counted, from its failures", () => {
    const record = structuredClone(trail.Records.find((r) => r.eventID === START_TASK)!) as { requestParameters: Record<string, unknown> };
    delete record.requestParameters.containerInstances;
    expect(launchCalls([record as unknown as Record<string, unknown>]).rejected[0]).toMatchObject({ eventId: START_TASK, action: "StartTask", requested: 1, notStarted: 1, reasons: ["AGENT"] });
  });
});

describe("the report", () => {
  const calls = launchCalls(trail.Records);
  const outcomes = calls.rejected.map((l) => (l.rerunOf ? { status: "a rerun" as const } : l.eventId === AGENT ? { status: "recovered" as const, executionArn: "arn:x" } : { status: "never retried" as const }));
  const report = auditReport({ source: "trail.json" }, calls, outcomes);

  test("the totals add up: calls = launched + rejected + errored, and every sum covers each rejected launch once", () => {
    expect(report.totals).toEqual({ launchCalls: 7, launched: 1, rejected: 5, tasksNotStarted: 5, errored: 1, neverRetried: 3, duplicateRecords: 1, unreadableRecords: 0 });
    for (const sum of [report.byCluster, report.byReason, report.byStartedBy, report.byRerun]) expect(Object.values(sum).reduce((a, b) => a + b, 0)).toBe(5);
    expect(report.byCluster).toEqual({ "batch-ec2 (123456789012/ap-northeast-1)": 4, "batch-ec2 (222233334444/eu-west-1)": 1 });
    expect(report.byReason).toEqual({ AGENT: 4, "RESOURCE:MEMORY": 1 });
    expect(report.byRerun).toEqual({ "never retried": 3, "a rerun": 1, recovered: 1 });
  });

  test("for people: the headline, then each launch with its follow-up", () => {
    const text = formatAudit(report);
    expect(text).toContain("7 RunTask/StartTask calls: 1 launched, 5 rejected (5 tasks never started), 1 refused with an error");
    expect(text).toContain("never retried: 3 of 5");
    expect(text).toMatch(new RegExp(`2025-03-04T03:01:40Z\\s+batch-ec2\\s+RESOURCE:MEMORY\\s+events-rule/nightly-report-batch\\s+1 of 1\\s+a rerun of ${AGENT}\\s+${RERUN}`));
    expect(text).toContain("ThrottlingException");
    expect(formatAudit(auditReport({ source: "x" }, launchCalls([]), []))).toContain("Nothing was lost in this period.");
    const offline = formatAudit(auditReport({ source: "x" }, calls, calls.rejected.map((l) => ({ status: l.rerunOf ? ("a rerun" as const) : ("not looked up" as const) }))));
    expect(offline).toContain("reruns not looked up (offline)");
    expect(offline).not.toContain("never retried");
  });

  test("tables pad columns and right-align numbers", () => {
    expect(table(["n", "name"], [[5, "a"], [12, "bb"]])).toBe(" n  name\n 5  a\n12  bb");
  });
});

describe("how each rejected launch was followed up", () => {
  const launch = { eventId: AGENT, account: "123456789012", region: "ap-northeast-1", executionName: `ct-${AGENT}` } as RejectedLaunch;

  test("the execution is found by the name the starter gives it, in the failure's place or the hub's", () => {
    expect(executionArnOf(launch, { name: "ecs-rerun" })).toBe(`arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:ct-${AGENT}`);
    expect(executionArnOf({ ...launch, region: "cn-north-1" }, { name: "p" })).toMatch(/^arn:aws-cn:states:cn-north-1:/);
    expect(executionArnOf(launch, { arn: "arn:aws:states:eu-west-1:999988887777:stateMachine:hub" })).toBe(`arn:aws:states:eu-west-1:999988887777:execution:hub:ct-${AGENT}`);
  });

  test.each([
    [{ status: "RUNNING" }, "running"],
    [{ status: "SUCCEEDED", output: '{"decision":{"next":"recovered"}}' }, "recovered"],
    [{ status: "SUCCEEDED", output: '{"decision":{"next":"needs_human"}}' }, "needs a human"],
    [{ status: "SUCCEEDED", output: '{"decision":{"next":"not_retryable"}}' }, "not retryable"],
    [{ status: "SUCCEEDED", output: "not json" }, "succeeded"],
    [{ status: "FAILED", error: "GaveUp" }, "gave up"],
    [{ status: "FAILED", error: "InvalidEvent" }, "invalid event"],
    [{ status: "FAILED", error: "States.Runtime" }, "failed"],
    [{ status: "TIMED_OUT" }, "timed out"],
    [{ status: "ABORTED" }, "aborted"],
  ] as const)("%j reads as %s", (out, status) => {
    expect(outcomeOf(out).status).toBe(status);
  });

  test("no execution means never retried; a rerun is not looked up; none looks nothing up", async () => {
    const asked: string[] = [];
    const sfn = {
      send: async (c: { input: { executionArn?: string } }) => {
        asked.push(c.input.executionArn!);
        throw Object.assign(new Error("Execution Does Not Exist"), { name: "ExecutionDoesNotExist" });
      },
    };
    const rerun = { ...launch, eventId: RERUN, rerunOf: AGENT };
    expect(await rerunOutcomes([launch, rerun], { name: "ecs-rerun" }, sfn as never)).toEqual([{ status: "never retried" }, { status: "a rerun" }]);
    expect(asked).toEqual([`arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:ct-${AGENT}`]);
    expect(await rerunOutcomes([launch], "none", sfn as never)).toEqual([{ status: "not looked up" }]);
  });

  test("access denied names the permission and the way around it", async () => {
    const sfn = { send: async () => Promise.reject(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" })) };
    await expect(rerunOutcomes([launch], { name: "ecs-rerun" }, sfn as never)).rejects.toThrow(ExecutionsUnreadable);
    await expect(rerunOutcomes([launch], { name: "ecs-rerun" }, sfn as never)).rejects.toThrow(/states:DescribeExecution.*--state-machine none/);
  });
});

describe("reading event history", () => {
  test("both event names, every page, 50 at a time, no faster than two requests a second", async () => {
    const pages: Record<string, { records: object[]; next?: string }[]> = {
      RunTask: [{ records: [{ eventID: "1" }, { eventID: "2" }], next: "t1" }, { records: [{ eventID: "3" }] }],
      StartTask: [{ records: [{ eventID: "4" }] }],
    };
    const requests: Record<string, unknown>[] = [];
    const sleeps: number[] = [];
    const cloudtrail = {
      send: async (c: { input: Record<string, unknown> }) => {
        requests.push(c.input);
        const name = (c.input.LookupAttributes as { AttributeValue: string }[])[0].AttributeValue;
        const page = pages[name][c.input.NextToken === "t1" ? 1 : 0];
        return { Events: [...page.records.map((r) => ({ CloudTrailEvent: JSON.stringify(r) })), { CloudTrailEvent: "{broken" }], NextToken: page.next };
      },
    };
    const since = new Date("2026-11-01T00:00:00Z");
    const until = new Date("2026-11-08T00:00:00Z");
    const found = await lookUpLaunchRecords(cloudtrail as never, { since, until, sleep: async (ms) => void sleeps.push(ms) });
    expect(found.records.map((r) => r.eventID)).toEqual(["1", "2", "3", "4"]);
    expect(found.unreadable).toBe(3);
    expect(requests.map((r) => [(r.LookupAttributes as { AttributeValue: string }[])[0].AttributeValue, r.NextToken, r.MaxResults])).toEqual([
      ["RunTask", undefined, 50],
      ["RunTask", "t1", 50],
      ["StartTask", undefined, 50],
    ]);
    expect(requests.every((r) => r.StartTime === since && r.EndTime === until)).toBe(true);
    expect(sleeps).toEqual([500, 500]);
  });
});

describe("the command line", () => {
  const now = new Date("2026-12-05T12:00:00Z");

  test("defaults: the last 7 days of event history, the ecs-rerun state machine; offline with --records", () => {
    expect(parseAuditArgs([], now)).toEqual({ help: false, json: false, since: new Date("2026-11-28T12:00:00Z"), until: now, stateMachine: { name: "ecs-rerun" } });
    expect(parseAuditArgs(["--records", "f.json"], now)).toEqual({ help: false, json: false, records: "f.json", stateMachine: "none" });
    expect(parseAuditArgs(["--records", "-", "--state-machine", "arn:aws:states:eu-west-1:999988887777:stateMachine:hub"], now).stateMachine).toEqual({ arn: "arn:aws:states:eu-west-1:999988887777:stateMachine:hub" });
  });

  test("times: durations before now, ISO dates and date-times", () => {
    expect(parseTime("--since", "24h", now)).toEqual(new Date("2026-12-04T12:00:00Z"));
    expect(parseTime("--since", "90m", now)).toEqual(new Date("2026-12-05T10:30:00Z"));
    expect(parseTime("--since", "2026-11-01", now)).toEqual(new Date("2026-11-01T00:00:00Z"));
    expect(parseTime("--until", "2026-11-01T06:00:00Z", now)).toEqual(new Date("2026-11-01T06:00:00Z"));
  });

  test.each([
    [["--since", "yesterday"], /--since "yesterday": expected a duration/],
    [["--since", "100d"], /event history reaches back 90 days/],
    [["--since", "1d", "--until", "2d"], /is not before --until/],
    [["--region", "xx"], /--region "xx": expected a Region code/],
    [["--clusters", ",,"], /--clusters: expected comma-separated/],
    [["--clusters", "a b"], /"a b" is neither a cluster name nor a cluster ARN/],
    [["--state-machine", "a:b"], /--state-machine "a:b"/],
    [["--records", ""], /--records: expected a file name/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("%j is refused, naming the option", (argv, message) => {
    expect(() => parseAuditArgs(argv, now)).toThrow(AuditUsageError);
    expect(() => parseAuditArgs(argv, now)).toThrow(message);
  });
});
