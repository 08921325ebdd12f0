import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { launchFailurePatterns } from "../../modules/pipeline/detection/launch-failure-pattern";
import { EVENT_PATTERN_MAX_CHARS } from "../../modules/pipeline/detection/pattern-bins";
import { taskStateFailurePatterns } from "../../modules/pipeline/detection/task-state-pattern";
import { hclExpressionOf } from "../../modules/hcl/hcl-expression";
import { renderLocalsTf } from "../../modules/terraform-module/hcl-file";
import { missedRunAlarmShape, successFilterPattern, type ExpectedRun } from "../../modules/pipeline/missed-runs/missed-run";
import { DEFAULT_IGNORE_STARTED_BY, EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { buildIntoTemp, describeWithTerraform, evaluate, evaluatedOnFirstUse, planEach, removeTempDirs, scratchDir, terraform } from "./support";

afterAll(removeTempDirs);

/** An expected run for the validation cases: a valid one, changed by `change`. */
const run = (change: Partial<ExpectedRun>): ExpectedRun => ({ name: "nightly", family: "nightly-report", intervalSeconds: 86400, ...change });
/** The same run as the module's `expected_runs` takes it. */
const runVariable = (r: ExpectedRun) => ({ name: r.name, family: r.family, started_by: r.startedBy, interval_seconds: r.intervalSeconds, grace_seconds: r.graceSeconds });

describeWithTerraform("the module as terraform reads it", () => {
  const built = buildIntoTemp();
  const dir = built.outDir;
  const variablesTf = readFileSync(join(dir, "variables.tf"), "utf8");
  const resources = built.json.resource!;

  test("is already formatted the way terraform fmt writes it (checked before any fmt ran)", async () => {
    expect(built.formatted).toBe(false);
    const r = await terraform(dir, ["fmt", "-check", "-recursive", "-diff", "-no-color", "."]);
    expect({ code: r.code, diff: r.stdout, errors: r.stderr }).toEqual({ code: 0, diff: "", errors: "" });
  });

  test("loads, HCL and JSON syntax alike, and the example installs it from ../.. without any download", async () => {
    const example = join(dir, "examples", "basic");
    const get = await terraform(example, ["get", "-no-color"]);
    expect(get).toMatchObject({ code: 0, stdout: expect.stringContaining("ecs_rerun in ../..") });
    const providers = await terraform(example, ["providers", "-no-color"]);
    expect(providers.code).toBe(0);
    expect(providers.stdout).toMatch(/module\.ecs_rerun\n\s+└── provider\[registry\.terraform\.io\/hashicorp\/aws\] >= 6\.\d+\.\d+, < 7\.0\.0/);
  });

  describe("validation blocks refuse what the construct refuses", () => {
    const vars = scratchDir({ "variables.tf": variablesTf });
    const construct = (props: Partial<EcsRerunPipelineProps>) => () => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
      new EcsRerunPipeline(stack, "p", { clusters: ["batch-ec2"], ...props });
    };
    const refused: [string, Partial<EcsRerunPipelineProps>, Record<string, unknown>, string?][] = [
      ["no cluster", { clusters: [] }, { clusters: [] }],
      ["a malformed cluster ARN", { clusters: ["arn:aws:ecs:x:cluster"] }, { clusters: ["arn:aws:ecs:x:cluster"] }],
      ["a name with a space", { name: "ecs rerun" }, { name: "ecs rerun" }],
      ["zero attempts", { maxAttempts: 0 }, { max_attempts: 0 }],
      ["a fractional attempt count", { maxAttempts: 2.5 }, { max_attempts: 2.5 }],
      ["a first delay over an hour", { firstDelaySeconds: 3601 }, { first_delay_seconds: 3601 }],
      ["a backoff rate below 1", { backoffRate: 0.5 }, { backoff_rate: 0.5 }],
      ["a zero max delay", { maxDelaySeconds: 0, firstDelaySeconds: 0 }, { max_delay_seconds: 0, first_delay_seconds: 0 }],
      ["an unknown jitter", { jitter: "EQUAL" as never }, { jitter: "EQUAL" }],
      ["a retention CloudWatch does not offer", { logRetentionDays: 2 }, { log_retention_days: 2 }],
      ["a bad email", { notificationEmails: ["ops"] }, { notification_emails: ["ops"] }],
      ["a webhook URL where its parameter's name belongs", { slackWebhookParameterName: "https://hooks.slack.com/services/T/B/X" }, { slack_webhook_parameter_name: "https://hooks.slack.com/services/T/B/X" }],
      ["a verify interval over an hour", { verifyIntervalSeconds: 3601, verifyTimeoutSeconds: 3601 }, { verify_interval_seconds: 3601, verify_timeout_seconds: 3601 }],
      ["a verify timeout under a minute", { verifyIntervalSeconds: 0, verifyTimeoutSeconds: 30 }, { verify_timeout_seconds: 30, verify_interval_seconds: 0 }],
      ["a blank stopped reason", { retryableStoppedReasons: ["AGENT", " "] }, { retryable_stopped_reasons: ["AGENT", " "] }],
      ["a family name with a slash", { rerunProgramFailureFamilies: ["nightly/report"] }, { rerun_program_failure_families: ["nightly/report"] }],
      // [] would be `"Resource": []` in the rerun role's policy, which IAM refuses at apply.
      ["an empty list of roles to pass", { passRoleArns: [] }, { pass_role_arns: [] }, "IAM refuses a statement whose Resource is empty"],
      ["a role path without its closing slash", { rolePath: "/platform" }, { role_path: "/platform" }, 'begins and ends with "/"'],
      // Every pipeline ignores the calls of roles under /ecs-rerun/: a user's roles there would be ignored too.
      ["a role path under /ecs-rerun/", { rolePath: "/ecs-rerun/" }, { role_path: "/ecs-rerun/" }, "reserved for the relaunch roles"],
      ["a boundary that is no policy ARN", { rolePermissionsBoundary: "platform-boundary" }, { role_permissions_boundary: "platform-boundary" }, "the ARN of a managed policy"],
      ...(
        [
          ["two expected runs of one name", [run({}), run({ family: "other" })], "a name no other run has"],
          ["an expected run with both family and started_by", [run({ startedBy: "events-rule/nightly" })], "exactly one of family and started_by"],
          ["an expected run with neither family nor started_by", [run({ family: undefined })], "exactly one of family and started_by"],
          ["an expected run whose window is over 7 days (with the default grace)", [run({ intervalSeconds: 7 * 86400 })], "look back at most 7 days"],
          ["an expected run whose name has a space", [run({ name: "nightly report" })], "1 to 60 letters, digits or dashes"],
          ["an expected run more often than once a minute", [run({ intervalSeconds: 30, graceSeconds: 0 })], "interval_seconds must be a whole number of at least 60"],
          ["an expected run with a negative grace", [run({ graceSeconds: -1 })], "grace_seconds must be a whole number of at least 0"],
        ] as const
      ).map(([name, runs, message]): [string, Partial<EcsRerunPipelineProps>, Record<string, unknown>, string] => [name, { expectedRuns: runs }, { expected_runs: runs.map(runVariable) }, message]),
      // `message` is a rest parameter: a fourth named one would make jest wait for a `done` callback.
    ];
    const acceptedRuns = [run({}), run({ name: "quarter-hourly", family: undefined, startedBy: "events-rule/q", intervalSeconds: 900, graceSeconds: 0 }), run({ name: "weekly", intervalSeconds: 6 * 86400, graceSeconds: 86400 })];
    const accepted = {
      clusters: ["batch-ec2"],
      max_attempts: 5,
      slack_webhook_parameter_name: "/ecs-rerun/slack-webhook",
      notification_emails: ["ops@example.com"],
      verify_interval_seconds: 0,
      verify_timeout_seconds: 60,
      expected_runs: acceptedRuns.map(runVariable),
      rerun_program_failure_families: ["nightly-report"],
      role_path: "/platform/batch/",
      role_permissions_boundary: "arn:aws-us-gov:iam::123456789012:policy/boundaries/platform",
    };
    // Every case planned by one `terraform test` process, the first test to ask starting it.
    let planned: ReturnType<typeof planEach> | undefined;
    const verdictOf = async (name: string) => (await (planned ??= planEach(vars, { ...Object.fromEntries(refused.map(([n, , tfVars]) => [n, { clusters: ["batch-ec2"], ...tfVars }])), accepted })))[name];

    test.each(refused)("%s", async (name, props, tfVars, ...[message]) => {
      expect(construct(props)).toThrow(/is invalid/);
      const { status, errors } = await verdictOf(name);
      expect(status).toBe("error");
      const text = errors.join("\n");
      expect(text).toContain("Invalid value for variable");
      expect(text).toContain(`var.${Object.keys(tfVars)[0]} is`);
      if (message !== undefined) expect(text.replace(/\s+/g, " ")).toContain(message);
    });

    test("and both accept the defaults and sensible values (the check above can pass)", async () => {
      expect(
        construct({
          maxAttempts: 5,
          slackWebhookParameterName: "/ecs-rerun/slack-webhook",
          notificationEmails: ["ops@example.com"],
          verifyIntervalSeconds: 0,
          verifyTimeoutSeconds: 60,
          expectedRuns: acceptedRuns,
          rerunProgramFailureFamilies: ["nightly-report"],
          rolePath: "/platform/batch/",
          rolePermissionsBoundary: "arn:aws-us-gov:iam::123456789012:policy/boundaries/platform",
        }),
      ).not.toThrow();
      expect(await verdictOf("accepted")).toEqual({ status: "pass", errors: [] });
    });
  });

  /**
   * The module's locals whose names start with `prefix`, with the data sources' values (partition,
   * account) filled in as the literal stack's tests fill them in: `terraform console` has no provider.
   */
  const localsNamed = (prefix: string) =>
    Object.fromEntries(
      Object.entries(built.json.locals ?? {})
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, value]) => {
          const fill = (text: string) => text.replace(/\$\{data\.aws_partition\.[a-z_]+\.partition\}/g, "aws").replace(/\$\{data\.aws_caller_identity\.[a-z_]+\.account_id\}/g, "123456789012");
          // Object locals (the policies measured without clusters, cluster-policies.ts) are filled in as JSON.
          return [name, typeof value === "string" ? fill(value) : JSON.parse(fill(JSON.stringify(value)))];
        }),
    );
  const PREFIX = "arn:aws:iam::123456789012:role/ecs-rerun/";
  /** Patterns by rule key, parsed. */
  const parsed = (patterns: Record<string, unknown>) => Object.fromEntries(Object.entries(patterns).map(([k, p]) => [k, typeof p === "string" ? JSON.parse(p) : p]));
  const manyClusters = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-${i + 1}` : `batch-${i + 1}`));

  describe("the launch-failure patterns Terraform computes are the pure launchFailurePatterns', rule by rule", () => {
    test("rule 0 takes pattern 0, the for_each block the others", () => {
      expect(resources.aws_cloudwatch_event_rule.launch_failures.event_pattern).toBe('${local.launch_failure_patterns["0"]}');
      expect(resources.aws_cloudwatch_event_rule.launch_failures_more.for_each).toBe('${{ for key, pattern in local.launch_failure_patterns : key => pattern if key != "0" && var.create }}');
    });
    const dirWithPattern = scratchDir({ "variables.tf": variablesTf, "locals.tf": renderLocalsTf(localsNamed("launch_failure_")) });
    const cases: [string, string[], string[] | undefined][] = [
      ["one cluster by name, defaults", ["batch-ec2"], undefined],
      ["names and ARNs, nothing ignored", ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], []],
      ["the default cluster, two ignored callers", ["default"], ["AWS Step Functions", "my-scheduler"]],
      ["the default cluster by ARN", ["arn:aws:ecs:us-east-1:123456789012:cluster/default"], undefined],
      ["repeats, in both forms", ["a", "a", "arn:aws:ecs:us-east-1:123456789012:cluster/a", "b"], ["x"]],
      ["200 clusters, names and ARNs: split over several rules", manyClusters, undefined],
    ];
    const varsOf = (clusters: string[], ignoreStartedBy: string[] | undefined) => ({ clusters, ...(ignoreStartedBy ? { ignore_started_by: ignoreStartedBy } : {}) });
    const evaluation = evaluatedOnFirstUse(dirWithPattern, Object.fromEntries(cases.map(([n, c, i]) => [n, { expression: "jsonencode(local.launch_failure_patterns)", vars: varsOf(c, i) }])));
    test.each(cases)("%s", async (name, clusters, ignoreStartedBy) => {
      const r = await evaluation(name);
      expect(r.stderr).toBe("");
      const expected = launchFailurePatterns({ clusters, ignoreStartedBy: ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY, relaunchRoleArnPrefix: PREFIX });
      const evaluated = parsed(JSON.parse(r.value!) as Record<string, string>);
      expect(evaluated).toEqual(expected);
      for (const text of Object.values(JSON.parse(r.value!) as Record<string, string>)) expect(text.length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      if (clusters.length === 200) expect(Object.keys(evaluated).length).toBeGreaterThan(1);
    });
  });

  describe("the task-failure patterns Terraform computes are the pure taskStateFailurePatterns', rule by rule", () => {
    test("rule 0 takes pattern 0", () => {
      expect(resources.aws_cloudwatch_event_rule.task_failures.event_pattern).toBe('${local.task_failure_patterns["0"]}');
    });
    const dirWithPattern = scratchDir({ "variables.tf": variablesTf, "locals.tf": renderLocalsTf(localsNamed("task_failure_")) });
    const ruleCount = hclExpressionOf(resources.aws_cloudwatch_event_rule.task_failures.count);
    const cases: [string, string[], string[] | undefined, boolean | undefined, boolean | undefined][] = [
      ["one cluster by name, defaults", ["batch-ec2"], undefined, undefined, undefined],
      ["names and ARNs, nothing ignored, both parts", ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], [], true, true],
      ["repeats, two ignored callers", ["a", "a", "arn:aws:ecs:us-east-1:123456789012:cluster/a"], ["AWS Step Functions", "my-scheduler"], undefined, undefined],
      ["only tasks that never started", ["batch-ec2"], undefined, true, false],
      ["only program failures, nothing ignored", ["arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], [], false, true],
      ["200 clusters: split over several rules", manyClusters, undefined, undefined, undefined],
    ];
    const varsOf = (clusters: string[], ignoreStartedBy?: string[], catchFailedToStart?: boolean, reportProgramFailures?: boolean) => ({
      clusters,
      ...(ignoreStartedBy ? { ignore_started_by: ignoreStartedBy } : {}),
      ...(catchFailedToStart !== undefined ? { catch_failed_to_start: catchFailedToStart } : {}),
      ...(reportProgramFailures !== undefined ? { report_program_failures: reportProgramFailures } : {}),
    });
    const expression = `jsonencode({ patterns = local.task_failure_patterns, count = ${ruleCount} })`;
    const evaluation = evaluatedOnFirstUse(dirWithPattern, Object.fromEntries(cases.map(([n, ...rest]) => [n, { expression, vars: varsOf(...rest) }])));
    test.each(cases)("%s", async (name, clusters, ignoreStartedBy, catchFailedToStart, reportProgramFailures) => {
      const r = await evaluation(name);
      expect(r.stderr).toBe("");
      const expected = taskStateFailurePatterns({
        clusters,
        ignoreStartedBy: ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY,
        catchFailedToStart: catchFailedToStart ?? true,
        reportProgramFailures: reportProgramFailures ?? true,
      });
      const { patterns, count } = JSON.parse(r.value!) as { patterns: Record<string, string>; count: number };
      expect(parsed(patterns)).toEqual(expected);
      for (const text of Object.values(patterns)) expect(text.length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      expect(count).toBe(1);
    });

    test("both parts off: no rule, and the pattern it would have had still evaluates", async () => {
      const r = await evaluate(dirWithPattern, `jsonencode({ patterns = local.task_failure_patterns, count = ${ruleCount} })`, { clusters: ["batch-ec2"], catch_failed_to_start: false, report_program_failures: false });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.value!)).toMatchObject({ count: 0 });
    });
  });

  describe("the missed-run alarms Terraform computes are the literal stack's, shaped by the pure functions", () => {
    const alarm = resources.aws_cloudwatch_metric_alarm.missed_runs_alarm;
    const filter = resources.aws_cloudwatch_log_metric_filter.missed_runs_success_count;
    const patterns = localsNamed("missed_runs_successful_run_");
    /** The module's own expressions of one run's attributes, with `each.value` as the run `r` of a for expression. */
    const perRun = (body: Record<string, unknown>, skip: readonly string[]) =>
      `{ ${Object.entries(body)
        .filter(([k]) => !skip.includes(k))
        .map(([k, v]) => `${k} = ${hclExpressionOf(v, "inline").replace(/\beach\.value\b/g, "r")}`)
        .join(", ")} }`;
    const notPerRun = ["for_each", "tags", "alarm_actions", "ok_actions", "log_group_name"];
    const dirWithAlarms = scratchDir({
      "variables.tf": variablesTf,
      "locals.tf": `${renderLocalsTf(patterns)}
locals {
  alarms  = { for name, r in ${hclExpressionOf(alarm.for_each)} : name => ${perRun(alarm, notPerRun)} }
  filters = { for name, r in ${hclExpressionOf(filter.for_each)} : name => ${perRun(filter, notPerRun)} }
}
`,
    });
    const runs: ExpectedRun[] = [
      { name: "daily", family: "print-date", intervalSeconds: 86400 },
      { name: "quarter-hourly", startedBy: "events-rule/quarter-hourly", intervalSeconds: 900, graceSeconds: 300 },
      { name: "hourly", family: "hourly", intervalSeconds: 3600, graceSeconds: 3600 },
      { name: "almost-two-hours", family: "hourly", intervalSeconds: 3600, graceSeconds: 3599 },
      { name: "weekly", startedBy: "weekly", intervalSeconds: 6 * 86400, graceSeconds: 86400 },
      { name: "every-minute", family: "tick", intervalSeconds: 60, graceSeconds: 0 },
    ];

    test("one alarm and one filter per run, by name; none when create is false", async () => {
      const r = await evaluate(dirWithAlarms, "jsonencode([keys(local.alarms), keys(local.filters)])", { clusters: ["batch-ec2"], expected_runs: runs.map(runVariable) });
      expect(r.stderr).toBe("");
      const names = runs.map((run) => run.name).sort();
      expect(JSON.parse(r.value!)).toEqual([names, names]);
      const off = await evaluate(dirWithAlarms, "length(local.alarms) + length(local.filters)", { clusters: ["batch-ec2"], expected_runs: runs.map(runVariable), create: false });
      expect(off).toEqual({ value: "0", stderr: "" });
    });

    test("period, evaluation periods and filter pattern are missedRunAlarmShape's and successFilterPattern's, every other attribute the literal stack's", async () => {
      const r = await evaluate(dirWithAlarms, "jsonencode({ alarms = local.alarms, filters = local.filters, pattern = local.missed_runs_successful_run_patterns })", {
        clusters: ["batch-ec2"],
        expected_runs: runs.map(runVariable),
      });
      expect(r.stderr).toBe("");
      const evaluated = JSON.parse(r.value!) as { alarms: Record<string, Record<string, unknown>>; filters: Record<string, Record<string, unknown>>; pattern: Record<string, string> };

      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
      new EcsRerunPipeline(stack, "p", { clusters: ["batch-ec2"], expectedRuns: runs });
      const literal = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      const withoutSkipped = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !notPerRun.includes(k) && k !== "//"));
      const literalAlarms = Object.values(literal.resource.aws_cloudwatch_metric_alarm).filter((a) => String(a.alarm_name).endsWith("-missed-run"));
      const literalFilters = Object.values(literal.resource.aws_cloudwatch_log_metric_filter);
      const literalRule = Object.values(literal.resource.aws_cloudwatch_event_rule).find((rule) => String(rule.name).endsWith("-successful-runs"))!;

      for (const run of runs) {
        const shape = missedRunAlarmShape(run.intervalSeconds, run.graceSeconds ?? 3600);
        const alarmOf = evaluated.alarms[run.name];
        expect({ run: run.name, period: alarmOf.period, evaluationPeriods: alarmOf.evaluation_periods, datapointsToAlarm: alarmOf.datapoints_to_alarm }).toEqual({
          run: run.name,
          period: shape.period,
          evaluationPeriods: shape.evaluationPeriods,
          datapointsToAlarm: shape.evaluationPeriods,
        });
        expect({ run: run.name, pattern: evaluated.filters[run.name].pattern }).toEqual({ run: run.name, pattern: successFilterPattern(run) });
        expect(alarmOf).toEqual(withoutSkipped(literalAlarms.find((a) => a.alarm_name === `ecs-rerun-${run.name}-missed-run`)!));
        expect(evaluated.filters[run.name]).toEqual(withoutSkipped(literalFilters.find((f) => f.name === `ecs-rerun-${run.name}-successful-runs`)!));
      }
      expect(Object.keys(evaluated.pattern)).toEqual(["0"]);
      expect(JSON.parse(evaluated.pattern["0"])).toEqual(JSON.parse(literalRule.event_pattern as string));
    });
  });

  describe("the rerun role's cluster policies: the module refuses at plan what the construct refuses at synth", () => {
    const condition = (resources.aws_iam_role_policy.rerun_policy as { lifecycle: { precondition: { condition: string }[] } }).lifecycle.precondition[0].condition;
    const dir = scratchDir({
      "variables.tf": variablesTf,
      "locals.tf": renderLocalsTf({ ...localsNamed("rerun_"), ...localsNamed("spoke_"), fits: condition }),
    });
    /** Names of 20 characters, as the README's maxima are stated for. */
    const names = (n: number) => Array.from({ length: n }, (_, i) => `cluster-${String(i).padStart(12, "0")}`);
    const hub = { spoke_clusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"] };
    const cases: [string, number, Record<string, unknown>, string][] = [
      ["a pipeline: 406 fit", 406, {}, "true"],
      ["a pipeline: 407 do not", 407, {}, "false"],
      ["a hub of one spoke account: 405 fit", 405, hub, "true"],
      ["a hub of one spoke account: 406 do not", 406, hub, "false"],
    ];
    const evaluation = evaluatedOnFirstUse(dir, Object.fromEntries(cases.map(([w, n, vars]) => [w, { expression: "local.fits", vars: { clusters: names(n), slack_webhook_parameter_name: "/ecs-rerun/slack-webhook", ...vars } }])));
    test.each(cases)("%s", async (what, _n, _vars, fits) => {
      expect(await evaluation(what)).toEqual({ value: fits, stderr: "" });
    });
  });

  describe("the IAM policies Terraform computes hold the literal stack's statements", () => {
    /** References to other blocks, made comparable: `one(aws_x.y[*].arn)` and `${aws_x.hash.arn}` both become "<aws_x.arn>". */
    const place: [RegExp, string][] = [
      [/data\.aws_partition\.[A-Za-z0-9_-]+\.partition/g, "PARTITION"],
      [/data\.aws_region\.[A-Za-z0-9_-]+\.region/g, "REGION"],
      [/data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id/g, "ACCOUNT"],
    ];
    const fromModule = (policy: unknown) =>
      place.reduce((text, [re, v]) => text.replace(re, `"${v}"`), hclExpressionOf(policy)).replace(/one\((aws_[a-z0-9_]+)\.[a-z0-9_]+\[\*\]\.([a-z_]+)\)/g, '"<$1.$2>"');
    const fromLiteral = (policy: string) =>
      JSON.parse(place.reduce((text, [re, v]) => text.replace(new RegExp(`\\$\\{${re.source}\\}`, "g"), v), policy).replace(/\$\{(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\}/g, "<$1.$2>"));
    const policies = resources.aws_iam_role_policy;
    const busPolicy = resources.aws_cloudwatch_event_bus_policy.hub_bus_policy;
    const dirWithPolicies = scratchDir({
      "variables.tf": variablesTf,
      "locals.tf": `locals {\n${[...Object.entries(policies), ["hub_bus_policy", busPolicy] as const, ["rerun_cluster_policies", { policy: resources.aws_iam_policy.rerun_cluster_policies.for_each }] as const]
        .map(([name, p]) => `  ${name} = ${fromModule(p.policy)}`)
        .join("\n")}\n}\n`,
      // The hub's policies read the spoke accounts from these.
      "spoke-locals.tf": renderLocalsTf(localsNamed("spoke_")),
      // The rerun policy names the clusters of part "0" (cluster-policies.ts).
      "rerun-locals.tf": renderLocalsTf(localsNamed("rerun_")),
    });
    const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
    const US = "arn:aws:ecs:us-west-2:333344445555:cluster/reports";
    const slack = { props: { slackWebhookParameterName: "/ecs-rerun/slack-webhook" }, vars: { slack_webhook_parameter_name: "/ecs-rerun/slack-webhook" } };
    const MANY = Array.from({ length: 200 }, (_, i) => `cluster-${String(i).padStart(12, "0")}`);

    const cases: [string, Partial<EcsRerunPipelineProps>, Record<string, unknown>][] = [
      ["clusters by name and ARN, defaults", { clusters: ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], slackWebhookParameterName: "ecs-rerun/slack-webhook" }, { clusters: ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], slack_webhook_parameter_name: "ecs-rerun/slack-webhook" }],
      [
        "families, roles, keys and a leading slash given",
        {
          clusters: ["default"],
          taskDefinitionFamilies: ["nightly-report", "weekly"],
          passRoleArns: ["arn:aws:iam::123456789012:role/task"],
          slackWebhookParameterName: "/ecs-rerun/slack-webhook",
          slackWebhookKmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/slack",
          kmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/topic",
        },
        {
          clusters: ["default"],
          task_definition_families: ["nightly-report", "weekly"],
          pass_role_arns: ["arn:aws:iam::123456789012:role/task"],
          slack_webhook_parameter_name: "/ecs-rerun/slack-webhook",
          slack_webhook_kms_key_arn: "arn:aws:kms:ap-northeast-1:123456789012:key/slack",
          kms_key_arn: "arn:aws:kms:ap-northeast-1:123456789012:key/topic",
        },
      ],
      ["a hub of two spoke accounts", { clusters: ["batch-ec2"], spokeClusters: [EU, US, EU], ...slack.props }, { clusters: ["batch-ec2"], spoke_clusters: [EU, US, EU], ...slack.vars }],
      ["a hub of an organization and one spoke account", { clusters: ["batch-ec2"], spokeClusters: [US], spokeOrganizationId: "o-a1b2c3d4e5", ...slack.props }, { clusters: ["batch-ec2"], spoke_clusters: [US], spoke_organization_id: "o-a1b2c3d4e5", ...slack.vars }],
      ["200 clusters of 20 characters: the first in the inline policy, the rest in managed policies", { clusters: MANY, ...slack.props }, { clusters: MANY, ...slack.vars }],
      ["a hub of 200 clusters", { clusters: MANY, spokeClusters: [EU, US], ...slack.props }, { clusters: MANY, spoke_clusters: [EU, US], ...slack.vars }],
      ["a hub of an organization alone", { clusters: ["batch-ec2"], spokeOrganizationId: "o-a1b2c3d4e5", ...slack.props }, { clusters: ["batch-ec2"], spoke_organization_id: "o-a1b2c3d4e5", ...slack.vars }],
    ];
    const names = [...Object.keys(policies), "hub_bus_policy", "rerun_cluster_policies"];
    const expression = `jsonencode({ ${names.map((n) => `${n} = local.${n}`).join(", ")} })`;
    const evaluation = evaluatedOnFirstUse(dirWithPolicies, Object.fromEntries(cases.map(([n, , vars]) => [n, { expression, vars }])));
    test.each(cases)("%s", async (name, props, tfVars) => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
      new EcsRerunPipeline(stack, "p", { clusters: [], ...props });
      const literalResources = (JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, { name: string; policy: string }>> }).resource;
      const literal = Object.values(literalResources.aws_iam_role_policy);
      const literalStatements = (name: string) => fromLiteral(literal.find((p) => p.name === name)!.policy).Statement;

      const r = await evaluation(name);
      expect(r.stderr).toBe("");
      const evaluated = JSON.parse(r.value!) as Record<string, string>;
      const moduleStatements = (name: string) => (JSON.parse(evaluated[name]) as { Statement: unknown[] }).Statement;

      expect(moduleStatements("rerun_policy")).toEqual(literalStatements("rerun-on-protected-clusters"));
      // The clusters the inline policy has no room for: the same managed policies, key by key.
      const literalManaged = (Object.values((literalResources as Record<string, Record<string, { for_each?: Record<string, string> }>>).aws_iam_policy ?? {})[0]?.for_each ?? {}) as Record<string, string>;
      const moduleManaged = evaluated.rerun_cluster_policies as unknown as Record<string, string>;
      expect(Object.keys(moduleManaged)).toEqual(Object.keys(literalManaged));
      for (const key of Object.keys(literalManaged)) expect(JSON.parse(moduleManaged[key]).Statement).toEqual(fromLiteral(literalManaged[key]).Statement);
      if (tfVars.clusters === MANY) expect(Object.keys(moduleManaged).length).toBeGreaterThan(0);
      expect(moduleStatements("state_machine_policy")).toEqual(literalStatements("rerun-and-notify"));
      expect(moduleStatements("starter_policy")).toEqual(literalStatements("start-rerun-executions"));
      // A key known only to Terraform gets a policy of its own, switched with it.
      const notifier = [...moduleStatements("notifier_policy"), ...(tfVars.slack_webhook_kms_key_arn ? moduleStatements("notifier_key_policy") : [])];
      expect(notifier).toEqual(literalStatements("read-webhook-parameter"));
      // The hub's: the same statements when it exists; none (and so no resource) without spokes.
      const hub = tfVars.spoke_clusters !== undefined || tfVars.spoke_organization_id !== undefined;
      if (hub) {
        expect(moduleStatements("rerun_spoke_policy")).toEqual(literalStatements("assume-spoke-relaunch-roles"));
        expect(moduleStatements("hub_bus_policy")).toEqual(fromLiteral(Object.values(literalResources.aws_cloudwatch_event_bus_policy)[0].policy).Statement);
      } else {
        expect(literal.map((p) => p.name)).not.toContain("assume-spoke-relaunch-roles");
        expect([moduleStatements("rerun_spoke_policy"), moduleStatements("hub_bus_policy")]).toEqual([[], []]);
      }
    });
  });

  test("Terraform hashes a package from the file it uploads, so the hash follows the code", async () => {
    const scratch = scratchDir({ "main.tf": 'locals {\n  hash = filebase64sha256("${path.module}/lambda/rerun.zip")\n}\n' });
    mkdirSync(join(scratch, "lambda"));
    const zip = join(scratch, "lambda", "rerun.zip");
    copyFileSync(join(dir, "lambda", "rerun.zip"), zip);
    const sha = () => createHash("sha256").update(readFileSync(zip)).digest("base64");
    const before = await evaluate(scratch, "local.hash");
    expect(before.value).toBe(sha());
    appendFileSync(zip, "changed");
    const after = await evaluate(scratch, "local.hash");
    expect(after.value).toBe(sha());
    expect(after.value).not.toBe(before.value);
  });
});
