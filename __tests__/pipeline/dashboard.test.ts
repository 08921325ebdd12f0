// The pipeline's dashboard: its body is a pure function laid out on CloudWatch's grid; it is on by
// default and off with createDashboard: false; and every metric it draws is really emitted: by AWS, by
// the state machine, or by a synthesized metric filter whose pattern matches lines the real Lambdas log
// in the drill (the pattern read from the synthesized stack, the lines from the handlers, never a copy).
import { Testing } from "cdktf";
import { DEMO_JOB } from "../../jobs";
import { buildApp } from "../../modules/app";
import { dashboardBody, metricsOf, type DashboardInput, type Widget } from "../../modules/pipeline/dashboard/dashboard-body";
import { PIPELINE_METRICS } from "../../modules/pipeline/dashboard/pipeline-metrics";
import { makeHandler as makeReconciler } from "../../lambda/reconciler/handler";
import { readConfig as readReconcilerConfig } from "../../lambda/reconciler/config";
import { NOTICE_FAILURE_METRIC } from "../../modules/pipeline/orchestration/rerun-state-machine";
import { matchesFilterPattern, parseFilterPattern, phraseMatcher } from "../../drill/simulation/cloudwatch";
import { Drill } from "../../drill/runner";
import { SCENARIOS, agentEvent } from "../../drill/scenarios";
import { OUTCOME_MESSAGE, outcomeLine } from "../../lambda/rerun/core/notices/outcome";
import type { Decision, LaunchFailure } from "../../lambda/shared/contract";
import { resourcesOf, synthJson, type TfJson } from "../support/synth";

const INPUT: DashboardInput = { name: "ecs-rerun", namespace: "ECSRerun/ecs-rerun", region: "eu-west-1", stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:ecs-rerun", deadLetterQueueName: "ecs-rerun-dlq" };

describe("the dashboard's body", () => {
  const body = dashboardBody(INPUT, ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ecs-rerun-nightly-missed-run"]);
  const overlaps = (a: Widget, b: Widget) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  test("lays its widgets on CloudWatch's 24-wide grid without overlap", () => {
    for (const w of body.widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
    body.widgets.forEach((a, i) => body.widgets.slice(i + 1).forEach((b) => expect(overlaps(a, b)).toBe(false)));
  });

  test("draws failures by path, outcomes, time to recovery, launches paced, failed notices, and the missed-run alarms", () => {
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      "Failures found, by path",
      "How failures ended",
      "Time to recovery (seconds from the rejected launch to its replacement running)",
      "Launches paced",
      "Notices that failed",
      "Missed runs (dead man's switches)",
    ]);
    expect(body.widgets.filter((w) => w.type === "metric").every((w) => w.properties.region === "eu-west-1")).toBe(true);
    expect(metricsOf(body)).toEqual(
      expect.arrayContaining([
        ["ECSRerun/ecs-rerun", "FoundByEvent"],
        ["ECSRerun/ecs-rerun", "FoundByReconciler"],
        ["ECSRerun/ecs-rerun", "Recoveries"],
        ["ECSRerun/ecs-rerun", "SecondsToRecovery"],
        ["ECSRerun/ecs-rerun", "GaveUp"],
        ["ECSRerun/ecs-rerun", "NeedsHuman"],
        ["ECSRerun/ecs-rerun", "LaunchesPaced"],
        ["ECSRerun/ecs-rerun", "LaunchPacerFailures"],
        [NOTICE_FAILURE_METRIC.namespace, NOTICE_FAILURE_METRIC.metricName],
      ]),
    );
    expect(body.widgets[5]).toMatchObject({ type: "alarm", properties: { alarms: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ecs-rerun-nightly-missed-run"] } });
  });

  test("has no missed-runs widget without missed-run alarms (an alarm widget lists at least one)", () => {
    expect(dashboardBody(INPUT, []).widgets.map((w) => w.type)).not.toContain("alarm");
  });
});

describe("the outcome line the rerun Lambda logs", () => {
  const failure = { eventTime: "2026-01-01T03:00:00Z", attemptsLaunched: 1, eventId: "e", account: "123456789012", region: "eu-west-1", cluster: "c", taskDefinition: "t" } as LaunchFailure;
  const decision = (next: Decision["next"]) => ({ next, attempt: 1, nextAttempt: 2, maxAttempts: 3, delaySeconds: 0, retryable: true }) as Decision;

  test("says how an ended failure ended, and a recovery's seconds since the failed launch", () => {
    expect(JSON.parse(outcomeLine(failure, decision("recovered"), "x", Date.parse("2026-01-01T03:00:42Z"))!)).toMatchObject({ msg: OUTCOME_MESSAGE, outcome: "recovered", secondsToRecovery: 42, foundBy: "event" });
    expect(JSON.parse(outcomeLine({ ...failure, foundBy: "reconciler" }, decision("gave_up"), "x", 0)!)).toMatchObject({ outcome: "gave_up", foundBy: "reconciler" });
    expect(JSON.parse(outcomeLine(failure, decision("gave_up"), "x", 0)!).secondsToRecovery).toBeUndefined();
  });

  test("is not written while the failure is open, nor for what is no failure of its own", () => {
    for (const next of ["retry", "verify", "later", "already_handled", "self_test"] as const) expect(outcomeLine(failure, decision(next), "x", 0)).toBeUndefined();
  });
});

describe("in the stack", () => {
  const build = (env: Record<string, string> = {}) => synthJson(buildApp(Testing.app(), env, { jobs: [DEMO_JOB] }).rerun!);
  const tf = build();

  test("on by default: one dashboard named for the pipeline and its region, the demo job's missed-run alarm on it", () => {
    const [dashboard] = resourcesOf(tf, "aws_cloudwatch_dashboard");
    expect(dashboard.dashboard_name).toBe("ecs-rerun-us-east-1");
    const body = JSON.parse(dashboard.dashboard_body as string) as { widgets: Widget[] };
    // The demo job's missed-run alarm is on it.
    expect(body.widgets.map((w) => w.type)).toEqual(["metric", "metric", "metric", "metric", "metric", "alarm"]);
  });

  test("ECS_RERUN_CREATE_DASHBOARD=false: no dashboard and none of its filters", () => {
    const off = build({ ECS_RERUN_CREATE_DASHBOARD: "false" });
    expect(resourcesOf(off, "aws_cloudwatch_dashboard")).toEqual([]);
    const metrics = resourcesOf(off, "aws_cloudwatch_log_metric_filter").map((f) => (f.metric_transformation as { name: string }).name);
    for (const m of Object.values(PIPELINE_METRICS)) expect(metrics).not.toContain(m.metric);
  });

  test("every metric it draws is emitted: by AWS, by the state machine, or by a metric filter of the stack", () => {
    const [dashboard] = resourcesOf(tf, "aws_cloudwatch_dashboard");
    const drawn = metricsOf(JSON.parse(dashboard.dashboard_body as string));
    const filtered = new Set(resourcesOf(tf, "aws_cloudwatch_log_metric_filter").map((f) => { const t = f.metric_transformation as { namespace: string; name: string }; return `${t.namespace} ${t.name}`; }));
    const definition = String(resourcesOf(tf, "aws_sfn_state_machine")[0].definition);
    const source = ([namespace, name]: [string, string]) =>
      namespace.startsWith("AWS/") ? "AWS" : filtered.has(`${namespace} ${name}`) ? "filter" : namespace === NOTICE_FAILURE_METRIC.namespace && definition.includes(`"MetricName":"${name}"`) ? "state machine" : "nothing";
    expect(drawn.filter((m) => source(m) === "nothing")).toEqual([]);
  });
});

/** The dashboard's filters as synthesized, each with the lines (of every scenario's Lambdas) it matches. */
function matching(filters: { pattern: string; metricName: string; value: string }[], lines: readonly string[]) {
  return Object.fromEntries(
    filters.map((f) => {
      const json = f.pattern.trim().startsWith("{");
      const terms = json ? parseFilterPattern(f.pattern) : undefined;
      const phrase = json ? undefined : phraseMatcher(f.pattern);
      const hits = lines.filter((line) => {
        if (phrase) return phrase(line);
        try {
          return matchesFilterPattern(terms!, JSON.parse(line));
        } catch {
          return false; // not a bare JSON line: a JSON filter never matches it
        }
      });
      return [f.metricName, { hits, value: f.value }];
    }),
  );
}

describe("the dashboard's filters count lines the real Lambdas log in the drill", () => {
  const lines: string[] = [];
  let filters: TfJson[] = [];
  const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

  beforeAll(async () => {
    for (const s of ["AGENT then ok", "AGENT forever", "ATTRIBUTE", "hidden environment, no schedule"].map(scenario)) {
      const drill = await Drill.start({ ...s.options, timeline: false, onLambdaLog: (line) => lines.push(line) });
      try {
        filters = drill.pipeline.dashboardFilters as unknown as TfJson[];
        expect(s.check(await drill.run(s.events(), s.run))).toEqual([]);
      } finally {
        await drill.stop();
      }
    }
    // A small storm at a slow shared rate: the pacer holds launches back.
    const drill = await Drill.start({ ecs: ["AGENT", "ok"], launchesPerSecond: 0.1, timeline: false, onLambdaLog: (line) => lines.push(line) });
    try {
      await drill.run(Array.from({ length: 6 }, (_, i) => agentEvent((d) => (d.eventID = `5a7ed0c1-0000-4000-8000-00000000000${i}`))));
    } finally {
      await drill.stop();
    }
  }, 120_000);

  test("each one matches what its metric counts", () => {
    const m = matching(filters as never, lines);
    expect(Object.keys(m).sort()).toEqual(Object.values(PIPELINE_METRICS).map((x) => x.metric).sort());
    // Found by their event: one execution started per delivered failure (4 scenarios, 6 storm events).
    expect(m.FoundByEvent.hits).toHaveLength(10);
    expect(m.Recoveries.hits.length).toBeGreaterThanOrEqual(7);
    expect(m.GaveUp.hits).toHaveLength(1);
    expect(m.NotRetryable.hits).toHaveLength(1);
    expect(m.NeedsHuman.hits).toHaveLength(1);
    expect(m.LaunchesPaced.hits.length).toBeGreaterThan(0);
    // Time to recovery is a number the filter's selector reads from the same lines.
    expect(m.SecondsToRecovery.value).toBe("$.secondsToRecovery");
    for (const line of m.SecondsToRecovery.hits) expect(Number.isFinite((JSON.parse(line) as { secondsToRecovery: number }).secondsToRecovery)).toBe(true);
  });

  test("the reconciler's FoundByReconciler counts the line its handler logs for a failure whose event never came", async () => {
    const record = (agentEvent() as { detail: Record<string, unknown> }).detail;
    const at = Date.parse(String(record.eventTime));
    const logged: string[] = [];
    const spy = jest.spyOn(console, "log").mockImplementation((line: unknown) => void logged.push(String(line)));
    try {
      const handler = makeReconciler(readReconcilerConfig({ STATE_MACHINE_ARN: "arn:aws:states:ap-northeast-1:123456789012:stateMachine:ecs-rerun", CLUSTERS: JSON.stringify(["batch-ec2"]), CURSOR_TABLE: "t", AWS_REGION: "ap-northeast-1" }), {
        sfn: { send: async () => ({ executionArn: "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:x", startDate: new Date(), $metadata: {} }) },
        cursors: { get: async () => undefined, put: async () => undefined },
        readersFor: async () => ({
          cloudTrail: { send: async () => ({ Events: [{ EventId: String(record.eventID), EventName: String(record.eventName), CloudTrailEvent: JSON.stringify(record) }], $metadata: {} }) },
          ecs: { send: async () => ({ taskArns: [], tasks: [], failures: [], $metadata: {} }) } as never,
        }),
        now: () => at + 20 * 60_000,
        sleep: async () => undefined,
        homeAccount: "123456789012",
      });
      expect((await handler()).started).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
    const tf = synthJson(buildApp(Testing.app(), {}, { jobs: [DEMO_JOB] }).rerun!);
    const filter = resourcesOf(tf, "aws_cloudwatch_log_metric_filter").find((f) => (f.metric_transformation as { name: string }).name === "FoundByReconciler")!;
    expect(logged.filter(phraseMatcher(filter.pattern as string)).length).toBeGreaterThan(0);
  });
});
