import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Drill } from "../../drill/runner";
import { eventReport } from "../../drill/report";
import { readEventFile, readScheduleFile } from "../../drill/event-file";
import { drillCommand } from "../support/drill-command";
import { AGENT_EVENT_FILE, EVENTS_DIR, SCENARIOS, agentEvent } from "../../drill/scenarios";

const ROOT = join(__dirname, "..", "..");

describe("drill scenarios, end to end on the synthesized pipeline", () => {
  test.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const drill = await Drill.start(scenario.options);
    try {
      const result = await drill.run(scenario.events(), scenario.run);
      expect(scenario.check(result)).toEqual([]);
    } finally {
      await drill.stop();
    }
  });

  test("a rerun request equals the original requestParameters except count, clientToken and the owner tags", async () => {
    const drill = await Drill.start({ ecs: ["AGENT", "ok"] });
    try {
      const event = agentEvent((d) => {
        d.requestParameters.clientToken = "caller-token-1";
        d.requestParameters.group = "family:nightly-report";
        d.requestParameters.tags = [{ key: "team", value: "reports" }];
        d.requestParameters.referenceId = "ref-1";
      });
      const r = eventReport(await drill.run([event]));
      expect(r).toMatchObject({ matched: true, outcome: "recovered", attempts: 1 });
      expect(r.launchRequests).toHaveLength(1);
      const { count, clientToken, tags, ...rest } = r.launchRequests[0].request;
      const { count: originalCount, clientToken: callersToken, tags: callersTags, ...original } = event.detail.requestParameters;
      expect(rest).toEqual(original);
      expect(tags).toEqual([...callersTags, { key: "ecs-rerun:event-id", value: event.detail.eventID }, { key: "ecs-rerun:attempt", value: "1" }]);
      expect(count).toBe(originalCount);
      expect(clientToken).toMatch(/^ecs-rerun-/);
      expect(clientToken).not.toBe(callersToken);
    } finally {
      await drill.stop();
    }
  });

  test("every notice of a run reaches Slack as a Block Kit message", async () => {
    const drill = await Drill.start({ ecs: ["AGENT", "ok"], notify: "every-step" });
    try {
      const r = await drill.run([agentEvent()]);
      expect(r.notices.map((n) => n.kind)).toEqual(["detected", "recovered"]);
      expect(r.notifications).toEqual([
        expect.objectContaining({ blocks: expect.any(Array), text: expect.stringContaining("batch-ec2") }),
        expect.objectContaining({ blocks: expect.any(Array) }),
      ]);
    } finally {
      await drill.stop();
    }
  });

  test("holds waits on the simulated clock: AGENT forever takes the backoff's seconds, not real ones", async () => {
    const drill = await Drill.start({ ecs: ["AGENT"] });
    try {
      const started = Date.now();
      const r = await drill.run([agentEvent()]);
      const first = r.deliveries[0];
      expect(first.waits).toHaveLength(3);
      // Full jitter: each wait lies in [0, cap] with caps 30, 60, 120.
      first.waits.forEach((w, i) => expect(w).toBeLessThanOrEqual(30 * 2 ** i));
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await drill.stop();
    }
  });
});

describe("drill CLI", () => {
  // Without the test run's own switch for the SDK's Node version warning: the drill must be quiet by itself.
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "drill/cli.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined },
    });

  // In process, what `npm run drill -- --event <the AGENT event> --clusters batch-ec2 --ecs AGENT,ok
  // --json` runs: readme-commands.test.ts runs that very command through the shell (exit 0, nothing on
  // stderr, one JSON object on stdout).
  test("--json on the AGENT event prints one object: matched, recovered, the original request replayed", async () => {
    const { report } = await drillCommand(["--event", AGENT_EVENT_FILE, "--clusters", "batch-ec2", "--ecs", "AGENT,ok", "--json"]);
    expect(report).toMatchObject({ matched: true, outcome: "recovered", attempts: 1 });
    expect(report.stateTransitions).toBeLessThanOrEqual(10);
    const { requestParameters } = agentEvent().detail;
    expect(report.launchRequests).toEqual([
      {
        action: "RunTask",
        // Where the launch was made: the event's own account and region (the drill's hub place).
        account: "123456789012",
        region: "ap-northeast-1",
        request: {
          ...requestParameters,
          clientToken: expect.stringMatching(/^ecs-rerun-/),
          tags: [...(requestParameters.tags ?? []), { key: "ecs-rerun:event-id", value: agentEvent().detail.eventID }, { key: "ecs-rerun:attempt", value: "1" }],
        },
        source: "cloudtrail",
      },
    ]);
    expect(report.notifications.length).toBeGreaterThan(0);
  });

  test("a hidden environment is replayed from the rule that holds it, and from nowhere without one", async () => {
    const hidden = ["--event", join(EVENTS_DIR, "constructed__runtask-failure-AGENT-hidden-environment__eventbridge-rule.json"), "--ecs", "AGENT,ok", "--json"];
    const without = (await drillCommand(hidden)).report;
    expect(without).toMatchObject({ outcome: "needs_human", tasksStarted: 0, launchRequests: [] });
    const withRule = (await drillCommand([...hidden, "--schedule", join(ROOT, "drill", "schedules", "rule__nightly-report-batch.json")])).report;
    expect(withRule).toMatchObject({ outcome: "recovered", tasksStarted: 1 });
    expect(withRule.launchRequests).toEqual([expect.objectContaining({ source: "schedule", request: expect.objectContaining({ overrides: { containerOverrides: [expect.objectContaining({ environment: [{ name: "REPORT_DATE", value: "yesterday" }] })] } }) })]);
  });

  test("a schedule in the group batch-jobs holds the hidden environment: found in its group and replayed", async () => {
    // The issue 20 "Done when" run, in-process: npm run drill -- --event <this event> --schedule <this file> --ecs AGENT,ok --json
    const drill = await Drill.start({ ecs: ["AGENT", "ok"], schedules: readScheduleFile(join(ROOT, "drill", "schedules", "schedule__nightly-report__group-batch-jobs.json")) });
    try {
      const r = eventReport(await drill.run([readEventFile(join(EVENTS_DIR, "constructed__runtask-failure-AGENT-hidden-environment__scheduler-schedule.json"))]));
      expect(r).toMatchObject({ matched: true, outcome: "recovered", tasksStarted: 1 });
      expect(r.launchRequests).toEqual([
        expect.objectContaining({ source: "schedule", request: expect.objectContaining({ startedBy: "chronos-schedule/nightly-report", overrides: { containerOverrides: [{ name: "app", environment: [{ name: "REPORT_DATE", value: "yesterday" }] }] } }) }),
      ]);
    } finally {
      await drill.stop();
    }
  });

  test("the Step Functions event is not matched", async () => {
    const { report } = await drillCommand(["--event", join(EVENTS_DIR, "constructed__runtask-failure-AGENT__step-functions-startedBy.json"), "--clusters", "batch-ec2", "--json"]);
    expect(report).toMatchObject({ matched: false, outcome: "ignored", launchRequests: [] });
  });

  test("with --json, a bad --clusters value is one JSON object naming it: a usage error, exit code 2", () => {
    const run = cli("--event", AGENT_EVENT_FILE, "--clusters", "bad cluster!", "--json");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("");
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({ error: '--clusters: "bad cluster!" is not a cluster name (1-255 letters, digits, - or _) or a cluster ARN', errorType: "usage" });
  });

  test("a malformed event file gives a clear error and exit code 2", () => {
    const run = cli("--event", join(ROOT, "package.json"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is not an EventBridge event");
  });
});
