import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MissedRunAlarms } from "../../modules/pipeline/missed-runs/missed-run-alarms";
import { missedRunAlarmShape, resolveExpectedRun, successFilterPattern, successfulRunPattern } from "../../modules/pipeline/missed-runs/missed-run";
import { scheduleIntervalSeconds } from "../../modules/schedule";
import { clusterArnMatchers } from "../../modules/pipeline/detection/task-state-pattern";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { resourcesOf, synthJson } from "../support/synth";

describe("missed-run alarm shape", () => {
  test("a daily job with an hour of grace is judged on 25 hourly periods", () => {
    expect(missedRunAlarmShape(86400, 3600)).toEqual({ period: 3600, evaluationPeriods: 25 });
  });
  test("a 15-minute job is judged on five-minute periods", () => {
    expect(missedRunAlarmShape(900, 300)).toEqual({ period: 300, evaluationPeriods: 4 });
  });
  test("refuses a window longer than CloudWatch looks back", () => {
    expect(() => missedRunAlarmShape(7 * 86400, 3600)).toThrow(/look back at most 604800 s/);
  });
  test("takes a rate's interval and asks for a cron's", () => {
    expect(scheduleIntervalSeconds("rate(6 hours)", undefined, "job")).toBe(21600);
    expect(scheduleIntervalSeconds("cron(0 3 * * ? *)", 86400, "job")).toBe(86400);
    expect(() => scheduleIntervalSeconds("cron(0 3 * * ? *)", undefined, "scheduledTasks[0]")).toThrow(/scheduledTasks\[0\]: .* give expectedIntervalSeconds/);
  });
  test("needs exactly one of family and startedBy", () => {
    expect(() => resolveExpectedRun({ name: "x", intervalSeconds: 3600 })).toThrow(/exactly one of family and startedBy/);
    expect(resolveExpectedRun({ name: "x", family: "f", intervalSeconds: 3600 })).toMatchObject({ graceSeconds: 3600 });
  });
});

describe("successful-run pattern", () => {
  const stopped = (over: Record<string, unknown>) => ({
    source: "aws.ecs",
    "detail-type": "ECS Task State Change",
    detail: {
      clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      group: "family:print-date",
      containers: [{ name: "app", exitCode: 0 }],
      ...over,
    },
  });
  const pattern = successfulRunPattern(clusterArnMatchers(["batch-ec2"]));

  test("matches a task whose container exited 0 on a protected cluster", () => {
    expect(matchesEventPattern(pattern, stopped({}))).toBe(true);
  });
  test("does not match a non-zero exit, a failure to start, or another cluster", () => {
    expect(matchesEventPattern(pattern, stopped({ containers: [{ name: "app", exitCode: 1 }] }))).toBe(false);
    expect(matchesEventPattern(pattern, stopped({ stopCode: "TaskFailedToStart", containers: [{ name: "app" }] }))).toBe(false);
    expect(matchesEventPattern(pattern, stopped({ clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/other" }))).toBe(false);
  });
  test("the metric filter selects the run counter's counted runs of the job, by family or by startedBy", () => {
    expect(successFilterPattern({ name: "d", family: "print-date", intervalSeconds: 86400 })).toBe('{ ($.msg = "successful run") && ($.group = "family:print-date") }');
    expect(successFilterPattern({ name: "d", startedBy: "events-rule/x", intervalSeconds: 86400 })).toBe('{ ($.msg = "successful run") && ($.startedBy = "events-rule/x") }');
  });
});

/** What the run counter needs, as a stack outside the pipeline would give it. */
const PARTS = {
  place: { partition: "aws", region: "ap-northeast-1", account: "123456789012" },
  roleName: "ecs-rerun-run-counter-ap-northeast-1",
  encoding: "json" as const,
  packaging: { packages: {} },
};

describe("MissedRunAlarms construct", () => {
  const stack = new TerraformStack(Testing.app(), "t");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  new MissedRunAlarms(stack, "missed", {
    name: "ecs-rerun",
    clusters: ["batch-ec2"],
    topicArn: "arn:aws:sns:ap-northeast-1:123456789012:notices",
    expectedRuns: [{ name: "print-date", family: "print-date", intervalSeconds: 86400 }],
    ...PARTS,
  });
  const raw = Testing.synth(stack);
  const tf = synthJson(stack);

  test("alarms when a day and an hour pass without a successful run, notifying the topic", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "ecs-rerun-print-date-missed-run",
      metric_name: "SuccessfulRuns-print-date",
      period: 3600,
      evaluation_periods: 25,
      datapoints_to_alarm: 25,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
      alarm_actions: ["arn:aws:sns:ap-northeast-1:123456789012:notices"],
    });
  });
  test("counts successes with a metric filter on the run counter's log group, the rule's target being the counter", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchLogMetricFilter, {
      pattern: expect.stringContaining("family:print-date"),
      metric_transformation: expect.objectContaining({ name: "SuccessfulRuns-print-date", value: "1" }),
    });
    const target = resourcesOf(tf, "aws_cloudwatch_event_target")[0];
    expect(target.arn).toMatch(/aws_lambda_function\..*run-counter/);
    expect(resourcesOf(tf, "aws_cloudwatch_log_group")[0].name).toBe("/aws/lambda/ecs-rerun-run-counter");
    expect(resourcesOf(tf, "aws_lambda_permission")[0]).toMatchObject({ principal: "events.amazonaws.com", source_arn: expect.stringContaining("aws_cloudwatch_event_rule") });
  });
});

describe("MissedRunAlarms with runs only Terraform knows", () => {
  const synth = (build: (stack: TerraformStack) => Partial<ConstructorParameters<typeof MissedRunAlarms>[2]>) => {
    const stack = new TerraformStack(Testing.app(), "t");
    new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
    const alarms = new MissedRunAlarms(stack, "missed", { name: "ecs-rerun", clusters: ["batch-ec2"], topicArn: "arn:aws:sns:ap-northeast-1:123456789012:notices", expectedRuns: [], ...PARTS, ...build(stack) });
    return { alarms, tf: synthJson(stack) };
  };

  test("a Terraform list: shared parts switched on there being runs, one filter and one alarm per run by name", () => {
    const { alarms, tf } = synth((stack) => ({ expectedRuns: new TerraformVariable(stack, "runs", { type: "any" }).value }));
    expect(resourcesOf(tf, "aws_cloudwatch_log_group")[0].count).toBe("${length(var.runs) > 0 ? 1 : 0}");
    const perRun = "${{ for r in var.runs : r.name => r }}";
    expect(resourcesOf(tf, "aws_cloudwatch_log_metric_filter")).toEqual([expect.objectContaining({ for_each: perRun })]);
    expect(resourcesOf(tf, "aws_cloudwatch_metric_alarm")).toEqual([
      expect.objectContaining({
        for_each: perRun,
        period: "${each.value.interval_seconds + each.value.grace_seconds >= 7200 ? 3600 : 300}",
        evaluation_periods: "${ceil((each.value.interval_seconds + each.value.grace_seconds) / (each.value.interval_seconds + each.value.grace_seconds >= 7200 ? 3600 : 300))}",
      }),
    ]);
    expect(alarms.alarms).toEqual({});
    expect(alarms.alarmPerRun).toBeDefined();
  });

  test("a literal list holding an expression becomes a Terraform list, its runs completed with their defaults", () => {
    const { tf } = synth((stack) => ({
      expectedRuns: [{ name: "nightly", family: new TerraformVariable(stack, "family", { type: "string" }).stringValue, intervalSeconds: 86400 }],
      presence: new TerraformVariable(stack, "create", { type: "bool" }).booleanValue,
    }));
    expect(resourcesOf(tf, "aws_cloudwatch_log_group")[0].count).toBe("${var.create ? 1 : 0}");
    expect(resourcesOf(tf, "aws_cloudwatch_metric_alarm")[0].for_each).toBe(
      '${{ for r in [{ name = "nightly", family = var.family, started_by = null, interval_seconds = 86400, grace_seconds = 3600 }] : r.name => r if var.create }}',
    );
  });

  test("literal runs are still checked, and an empty literal list refused", () => {
    expect(() => synth(() => ({ expectedRuns: [] }))).toThrow(/expectedRuns = \[\] is invalid/);
    expect(() => synth(() => ({ expectedRuns: [{ name: "x", family: "f", startedBy: "s", intervalSeconds: 3600 }] }))).toThrow(/exactly one of family and startedBy/);
  });
});
