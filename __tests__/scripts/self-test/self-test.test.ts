// The self-test (npm run self-test): its event is none a detection rule matches, the rerun Lambda
// answers it without a single ECS call, and through the drill's local endpoints it posts exactly one
// self-test message to the local Slack and launches nothing (judged on the local Slack's received posts
// and the local ECS's own record, not on the self-test's report). Against AWS it reports what the
// execution did, and without credentials it stops with exit code 2.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { matchesEventPattern } from "../../../drill/event-pattern/event-pattern-matcher";
import { Drill } from "../../../drill/runner";
import { EVENTS_DIR } from "../../../drill/scenarios";
import { synthesizePipeline } from "../../../drill/synthesized/synthesized-pipeline";
import { makeHandler as makeRerunHandler } from "../../../lambda/rerun/handler";
import { readConfig as readRerunConfig } from "../../../lambda/rerun/config";
import { makeHandler as makeStarterHandler } from "../../../lambda/starter/handler";
import { formatSlackMessage } from "../../../lambda/notifier/format";
import { SELF_TEST_SOURCE, isSelfTestEvent, selfTestEvent } from "../../../lambda/shared/self-test";
import { selfTestOnAws, type AwsPorts } from "../../../scripts/self-test/run-self-test";
import { parseSelfTestArgs } from "../../../scripts/self-test/options";

const ROOT = join(__dirname, "..", "..", "..");
const EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:ecs-rerun:self-test-1";

const arbitraryEvent = fc.record({
  id: fc.uuid(),
  time: fc.date({ min: new Date("2020-01-01"), max: new Date("2035-01-01"), noInvalidDate: true }),
  region: fc.constantFrom("us-east-1", "eu-west-1", "ap-northeast-1"),
  account: fc.option(fc.stringMatching(/^[0-9]{12}$/), { nil: undefined }),
  sentBy: fc.string({ maxLength: 40 }),
});

describe("the self-test event", () => {
  // A hub, so its bus's rules and a spoke's forwarding rules are judged too.
  const pipeline = synthesizePipeline({ spokeClusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"], env: { ECS_RERUN_REGION: "ap-northeast-1" } });
  const plain = synthesizePipeline({ env: { ECS_RERUN_REGION: "ap-northeast-1" } });
  const patterns = [
    ...plain.eventPatterns,
    ...plain.taskFailurePatterns,
    ...plain.successPatterns,
    ...pipeline.eventPatterns,
    ...pipeline.taskFailurePatterns,
    ...pipeline.hub!.rulePatterns,
    ...pipeline.hub!.spokes.flatMap((s) => [...s.launchPatterns, ...s.taskPatterns]),
  ];

  test("no detection rule of the synthesized stacks matches it, whatever its id, time, place and sender", () => {
    expect(patterns.length).toBeGreaterThanOrEqual(6);
    fc.assert(
      fc.property(arbitraryEvent, (input) => {
        const event = selfTestEvent(input);
        return isSelfTestEvent(event) && patterns.every((p) => !matchesEventPattern(p, event));
      }),
      { numRuns: 200 },
    );
  });

  test("while a real rejected launch is matched by them (the check above can fail)", () => {
    const real = JSON.parse(readFileSync(join(EVENTS_DIR, "constructed__runtask-failure-AGENT__eventbridge-rule.json"), "utf8")) as Record<string, unknown>;
    expect(patterns.some((p) => matchesEventPattern(p, real))).toBe(true);
    // Dressed as a self-test it is no longer anything a rule wants.
    expect(patterns.some((p) => matchesEventPattern(p, { ...real, source: SELF_TEST_SOURCE }))).toBe(false);
  });
});

describe("the Lambdas", () => {
  test("the starter names its execution self-test-<id>", async () => {
    const sent: { name?: string }[] = [];
    const starter = makeStarterHandler({ stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:ecs-rerun" }, { sfn: { send: async (c) => (sent.push(c.input), { executionArn: EXECUTION, startDate: new Date(), $metadata: {} }) } });
    const out = await starter(selfTestEvent({ id: "0b4f4a1e-self", time: new Date(), region: "eu-west-1", sentBy: "t" }));
    expect(out).toMatchObject({ outcome: "started", name: "self-test-0b4f4a1e-self" });
    expect(sent.map((s) => s.name)).toEqual(["self-test-0b4f4a1e-self"]);
  });

  test("the rerun Lambda answers with one self_test notice, ends the execution (no launch), and calls nothing", async () => {
    const calls: string[] = [];
    const refuse = { send: async (c: { constructor: { name: string } }) => (calls.push(c.constructor.name), Promise.reject(new Error("no call expected"))) };
    const handler = makeRerunHandler(readRerunConfig({}), { ecs: refuse as never, events: refuse as never, scheduler: refuse as never, writeOutcome: (line) => calls.push(line) });
    const event = selfTestEvent({ id: "id-1", time: new Date("2026-01-01T00:00:00Z"), region: "eu-west-1", sentBy: "npm run self-test" });
    const out = await handler({ action: "classify", event, executionArn: EXECUTION });
    expect(calls).toEqual([]);
    expect(out.decision).toMatchObject({ next: "self_test", retryable: false });
    expect(out.failure).toMatchObject({ source: "self-test", remaining: 0, taskArns: [] });
    expect(JSON.parse(out.noticeMessage)).toMatchObject({ kind: "self_test", account: "123456789012", region: "eu-west-1", executionArn: EXECUTION, sentBy: "npm run self-test" });
  });

  test("the notifier posts it as a self-test message with the execution's link", () => {
    const message = formatSlackMessage(JSON.stringify({ kind: "self_test", source: "self-test", failureType: "rejected", cluster: "c", clusterName: "c", taskDefinition: "t", action: "RunTask", reasons: [], attempt: 0, maxAttempts: 3, requested: 0, placed: 0, remaining: 0, eventId: "e", executionArn: EXECUTION, region: "eu-west-1", account: "123456789012", eventTime: "2026-01-01T00:00:00Z", taskArns: [], message: "Nothing was launched." }), { region: "eu-west-1" });
    expect(message.text).toMatch(/^:test_tube: ecs-rerun self-test/);
    expect(JSON.stringify(message.blocks)).toContain("Step Functions execution");
  });
});

describe("npm run self-test against the drill's local endpoints", () => {
  test("posts exactly one self-test message to the local Slack and launches nothing", async () => {
    const drill = await Drill.start({});
    try {
      const event = selfTestEvent({ id: "5e1f7e57-0000-4000-8000-000000000001", time: new Date(), region: drill.pipeline.region, account: drill.pipeline.account, sentBy: "jest" });
      const result = await drill.run([event], { invokeStarter: true });
      // Ground truth: the local Slack's own record of what it received, the local ECS's of what it was asked.
      expect(drill.slack.received).toHaveLength(1);
      expect(String((drill.slack.received[0].payload as { text?: unknown }).text)).toMatch(/self-test/);
      expect(drill.aws.requests.filter((r) => r.action === "RunTask" || r.action === "StartTask")).toEqual([]);
      expect(Object.values(drill.aws.tasksByPlace()).flat()).toEqual([]);
      expect(result.deliveries.map((d) => [d.outcome, d.executionArn?.split(":").pop()])).toEqual([["self_test", "self-test-5e1f7e57-0000-4000-8000-000000000001"]]);
      expect(result.deadLetters).toEqual([]);
    } finally {
      await drill.stop();
    }
  });
});

describe("npm run self-test against AWS", () => {
  const command = parseSelfTestArgs(["--region", "eu-west-1", "--wait-seconds", "10"]);
  /** Stand-ins for Lambda and Step Functions: the execution's statuses in turn, on a clock the sleeps move. */
  function aws(statuses: { status: string; output?: unknown; error?: string }[], invoked: { functionError?: string; payload: unknown } = { payload: { outcome: "started", executionArn: EXECUTION } }) {
    let t = 0;
    const sent: unknown[] = [];
    const ports: AwsPorts = {
      region: async () => "eu-west-1",
      invoke: async (_region, fn, event) => (sent.push({ fn, event }), invoked),
      describe: async () => {
        const s = statuses.length > 1 ? statuses.shift()! : statuses[0];
        return { status: s.status, ...(s.output ? { output: JSON.stringify(s.output) } : {}), ...(s.error ? { error: s.error } : {}) };
      },
      sleep: async (ms) => void (t += ms),
    };
    return { ports, sent, now: () => t };
  }

  test("invokes <name>-starter with a self-test event and reports the execution that published its notice", async () => {
    const { ports, sent, now } = aws([{ status: "RUNNING" }, { status: "SUCCEEDED", output: { decision: { next: "self_test" } } }]);
    const report = await selfTestOnAws(command, ports, now);
    expect(report).toMatchObject({ ok: true, published: true, status: "SUCCEEDED", executionArn: EXECUTION, starter: "ecs-rerun-starter" });
    expect(sent).toMatchObject([{ fn: "ecs-rerun-starter", event: { source: SELF_TEST_SOURCE, region: "eu-west-1" } }]);
  });

  test.each<[string, { status: string; output?: unknown; error?: string }[], RegExp]>([
    ["the topic refused the notice", [{ status: "SUCCEEDED", output: { decision: { next: "self_test" }, noticeError: { Error: "SNS.KMSAccessDeniedException" } } }], /topic refused the self-test notice/],
    ["an older rerun Lambda", [{ status: "FAILED", error: "InvalidEvent" }], /ended FAILED: InvalidEvent/],
    ["an execution that does not end in time", [{ status: "RUNNING" }], /still running after 10 s/],
  ])("%s: not ok, and says so", async (_name, statuses, problem) => {
    const { ports, now } = aws(statuses);
    const report = await selfTestOnAws(command, ports, now);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatch(problem);
  });

  test("a starter that fails: not ok", async () => {
    const { ports, now } = aws([{ status: "SUCCEEDED" }], { functionError: "Unhandled", payload: { errorMessage: "AccessDenied" } });
    expect(await selfTestOnAws(command, ports, now)).toMatchObject({ ok: false, problem: expect.stringMatching(/the starter did not start an execution: Unhandled/) });
  });

  test("without credentials: exit code 2 and one line saying what to set", () => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    const env = { ...base, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/self-test/cli.ts", "--region", "eu-west-1"], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr.trim().split("\n")[0] }).toEqual({ status: 2, stderr: expect.stringMatching(/^self-test: no AWS credentials: set AWS_PROFILE/) });
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  test("bad options are refused, naming the option", () => {
    expect(() => parseSelfTestArgs(["--region", "Europe"])).toThrow(/--region "Europe": expected a Region code/);
    expect(() => parseSelfTestArgs(["--local", "--region", "eu-west-1"])).toThrow(/--local runs against the drill's own pipeline/);
    expect(() => parseSelfTestArgs(["--wait-seconds", "0"])).toThrow(/--wait-seconds "0"/);
  });
});
