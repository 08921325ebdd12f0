import { App, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunModuleStack, moduleAddress, snakeCase } from "../../modules/terraform-module/ecs-rerun-module-stack";
import { sharedModule } from "../support/shared-module";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const { json, spoke } = sharedModule();
const resources = json.resource as Resources;
const countOf = (type: string, name: string) => resources[type]?.[name]?.count;

function literalStack(props: Partial<EcsRerunPipelineProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "ecs-rerun");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], ...props });
  return JSON.parse(Testing.synth(stack)) as { resource: Resources; locals?: unknown };
}

describe("the module stack feeds Terraform variables to the same EcsRerunPipeline", () => {
  test("creates the same kinds of resources as the literal stack with every option on", () => {
    const literal = literalStack({
      slackWebhookParameterName: "/ecs-rerun/slack-webhook",
      createTrail: true,
      notificationEmails: ["ops@example.com"],
      expectedRuns: [{ name: "nightly", family: "nightly-report", intervalSeconds: 86400 }],
      spokeClusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"],
      // Enough clusters for managed policies beside the inline one (cluster-policies.ts): the module always declares them.
      clusters: Array.from({ length: 100 }, (_, i) => `batch-${i}`),
    });
    const kinds = (r: Resources) => Object.keys(r).sort();
    expect(kinds(resources)).toEqual(kinds(literal.resource));
    const stack = new EcsRerunModuleStack(new App({ skipValidation: true, stackTraces: false }), "m");
    expect(stack.pipeline).toBeInstanceOf(EcsRerunPipeline);
  });

  test("gives blocks readable, stable addresses instead of hashed ids", () => {
    expect(Object.keys(resources.aws_lambda_function).sort()).toEqual(["missed_runs_run_counter_function", "notifier_function", "reconciler_reconciler_function", "rerun_function", "starter_function"]);
    expect(Object.keys(resources.aws_cloudtrail)).toEqual(["trail"]);
    expect(Object.keys(resources.aws_cloudwatch_metric_alarm).sort()).toEqual(["alarm_dead_letters", "alarm_executions_failed", "alarm_notices_failed", "alarm_rerun_errors", "launch_pacer_alarm", "missed_runs_alarm", "notice_storm_delay_alarm", "notice_storm_store_alarm", "reconciler_alarm_errors", "reconciler_alarm_found"]);
    // Rule 0 of each split pattern keeps its address; the later rules are one for_each block beside it.
    expect(Object.keys(resources.aws_cloudwatch_event_rule).sort()).toEqual(["launch_failures", "launch_failures_more", "missed_runs_rule", "missed_runs_rule_more", "notice_storm_schedule", "reconciler_schedule", "spoke_failures", "spoke_failures_more", "spoke_unmatched", "task_failures", "task_failures_more"]);
    for (const byName of Object.values(resources)) for (const name of Object.keys(byName)) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(moduleAddress(["pipeline", "trail", "trail"])).toBe("trail");
    expect(moduleAddress(["pipeline", "alarm-executionsFailed"])).toBe("alarm_executions_failed");
    expect(snakeCase("key-alias")).toBe("key_alias");
  });

  test("switches each optional part with its variable, and everything with create", () => {
    expect(countOf("aws_kms_key", "key")).toBe("${(var.create && (var.kms_key_arn == null)) ? 1 : 0}");
    // A notifier with a webhook or a bot token, its storm parts with it.
    const slack = "(var.create && ((var.slack_webhook_parameter_name != null) || (var.slack_bot_token_parameter_name != null)))";
    expect(countOf("aws_lambda_function", "notifier_function")).toBe(`\${${slack} ? 1 : 0}`);
    expect(countOf("aws_dynamodb_table", "notice_storm_table")).toBe(`\${${slack} ? 1 : 0}`);
    expect(countOf("aws_sqs_queue", "notice_storm_queue")).toBe(`\${${slack} ? 1 : 0}`);
    expect(countOf("aws_iam_role_policy", "notifier_key_policy")).toBe(`\${(${slack} && (var.slack_webhook_kms_key_arn != null)) ? 1 : 0}`);
    expect(countOf("aws_cloudtrail", "trail")).toBe("${(var.create && var.create_trail) ? 1 : 0}");
    expect(countOf("aws_cloudwatch_metric_alarm", "alarm_rerun_errors")).toBe("${(var.create && var.create_alarms) ? 1 : 0}");
    expect(countOf("aws_cloudwatch_metric_alarm", "alarm_notices_failed")).toBe("${(var.create && var.create_alarms) ? 1 : 0}");
    expect(countOf("aws_lambda_function", "starter_function")).toBe("${var.create ? 1 : 0}");
    expect(countOf("aws_sfn_state_machine", "state_machine")).toBe("${var.create ? 1 : 0}");
    expect(resources.aws_sns_topic_subscription.email).toMatchObject({ for_each: "${toset(var.create ? var.notification_emails : [])}", endpoint: "${each.value}" });
  });

  test("lets trail_force_destroy decide whether a destroy deletes the trail's bucket with its logs, in the root module and the spoke", () => {
    expect(resources.aws_s3_bucket.trail_bucket.force_destroy).toBe("${var.trail_force_destroy}");
    expect((spoke.resource as Resources).aws_s3_bucket.trail_bucket.force_destroy).toBe("${var.trail_force_destroy}");
    expect([json.variable!.trail_force_destroy, spoke.variable!.trail_force_destroy].map((v) => v.default)).toEqual([false, false]);
  });

  test("switches the task-failures rule and its target on either of its two parts", () => {
    const either = "${(var.create && (var.catch_failed_to_start || var.report_program_failures)) ? 1 : 0}";
    expect(countOf("aws_cloudwatch_event_rule", "task_failures")).toBe(either);
    expect(countOf("aws_cloudwatch_event_target", "task_failures_target")).toBe(either);
    expect(resources.aws_cloudwatch_event_rule.task_failures.event_pattern).toBe('${local.task_failure_patterns["0"]}');
    expect(resources.aws_cloudwatch_event_rule.task_failures_more.for_each).toBe(
      '${{ for key, pattern in local.task_failure_patterns : key => pattern if key != "0" && (var.create && (var.catch_failed_to_start || var.report_program_failures)) }}',
    );
    // Switched off, the rule has no ARN: the queue policy names only the rules that exist.
    const policy = String(resources.aws_sqs_queue_policy.dlq_policy.policy);
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect(policy).toContain(
      // The hub's rules join them, compacted again: without spokes rule "0" of the hub is off and its ARN null.
      '"aws:SourceArn" = compact(concat(concat(compact([one(aws_cloudwatch_event_rule.launch_failures[*].arn), one(aws_cloudwatch_event_rule.task_failures[*].arn)]), [for r in aws_cloudwatch_event_rule.launch_failures_more : r.arn], [for r in aws_cloudwatch_event_rule.task_failures_more : r.arn]), [one(aws_cloudwatch_event_rule.spoke_failures[*].arn)], [for r in aws_cloudwatch_event_rule.spoke_failures_more : r.arn], [one(aws_cloudwatch_event_rule.spoke_unmatched[*].arn)]))',
    );
  });

  test("switches the missed-run parts on there being expected runs, one filter and one alarm per run by name", () => {
    const any = "${(var.create && length(var.expected_runs) > 0) ? 1 : 0}";
    for (const [type, name] of [
      ["aws_cloudwatch_log_group", "missed_runs_successful_runs"],
      ["aws_cloudwatch_event_rule", "missed_runs_rule"],
      ["aws_cloudwatch_event_target", "missed_runs_to_run_counter"],
      ["aws_lambda_function", "missed_runs_run_counter_function"],
      ["aws_lambda_permission", "missed_runs_run_counter_from_rule"],
    ]) {
      expect({ type, name, count: countOf(type, name) }).toEqual({ type, name, count: any });
    }
    const perRun = "${{ for r in var.expected_runs : r.name => r if var.create }}";
    expect(resources.aws_cloudwatch_log_metric_filter.missed_runs_success_count).toMatchObject({ for_each: perRun, name: "${var.name}-${each.value.name}-successful-runs" });
    expect(resources.aws_cloudwatch_metric_alarm.missed_runs_alarm).toMatchObject({
      for_each: perRun,
      alarm_name: "${var.name}-${each.value.name}-missed-run",
      metric_name: "SuccessfulRuns-${each.value.name}",
      period: expect.stringContaining("each.value.interval_seconds + each.value.grace_seconds"),
      treat_missing_data: "breaching",
    });
    expect(resources.aws_cloudwatch_event_rule.missed_runs_rule.event_pattern).toBe('${local.missed_runs_successful_run_patterns["0"]}');
    expect(resources.aws_cloudwatch_event_rule.missed_runs_rule_more.for_each).toBe(
      '${{ for key, pattern in local.missed_runs_successful_run_patterns : key => pattern if key != "0" && (var.create && length(var.expected_runs) > 0) }}',
    );
    expect(json.output?.missed_run_alarm_arns.value).toBe("${{ for name, alarm in aws_cloudwatch_metric_alarm.missed_runs_alarm : name => alarm.arn }}");
    expect(json.output?.task_failures_rule_arn.value).toBe("${one(aws_cloudwatch_event_rule.task_failures[*].arn)}");
  });

  test("uses the given topic key, or the one it creates", () => {
    expect(resources.aws_sns_topic.topic.kms_master_key_id).toBe("${(var.kms_key_arn != null) ? var.kms_key_arn : one(aws_kms_key.key[*].arn)}");
  });

  test("lets Terraform write the Lambda environment from the variables", () => {
    // The hub's settings exist only when Terraform decides there is a hub, so the map is a merge
    // (evaluated in hub-module.test.ts); its first part is the settings every pipeline has.
    const variables = String((resources.aws_lambda_function.rerun_function.environment as { variables: string }).variables);
    expect(variables.startsWith("${merge({")).toBe(true);
    for (const [key, value] of Object.entries({
      RETRYABLE_REASONS: "jsonencode(var.retryable_reasons)",
      MAX_ATTEMPTS: "var.max_attempts",
      BACKOFF_RATE: "var.backoff_rate",
      JITTER: "var.jitter",
      VERIFY_INTERVAL_SECONDS: "var.verify_interval_seconds",
      VERIFY_TIMEOUT_SECONDS: "var.verify_timeout_seconds",
      RERUN_PROGRAM_FAILURE_FAMILIES: "jsonencode(var.rerun_program_failure_families)",
      RETRYABLE_STOPPED_REASONS: "jsonencode(var.retryable_stopped_reasons)",
    })) {
      expect(variables).toContain(`"${key}" = ${value},`);
    }
    // Unset ones are "" (the notifier reads a blank variable as unset): Lambda takes no null value.
    expect(resources.aws_lambda_function.notifier_function.environment).toEqual({
      variables: expect.objectContaining({
        SLACK_WEBHOOK_PARAMETER: '${(var.slack_webhook_parameter_name != null) ? var.slack_webhook_parameter_name : ""}',
        SLACK_BOT_TOKEN_PARAMETER: '${(var.slack_bot_token_parameter_name != null) ? var.slack_bot_token_parameter_name : ""}',
        SLACK_CHANNEL: '${(var.slack_channel_id != null) ? var.slack_channel_id : ""}',
        DIGEST_ABOVE_PER_MINUTE: "${var.digest_above_per_minute}",
      }),
    });
    expect(resources.aws_lambda_function.notifier_function.lifecycle).toEqual({
      precondition: [
        { condition: "${var.slack_webhook_parameter_name == null || var.slack_bot_token_parameter_name == null}", error_message: expect.stringContaining("not both") },
        { condition: "${var.slack_bot_token_parameter_name == null || var.slack_channel_id != null}", error_message: expect.stringContaining("slack_channel_id") },
      ],
    });
  });

  test("checks the cross-variable rules (max delay >= first delay, verify timeout >= interval, clusters of the provider's place) with preconditions", () => {
    expect(resources.aws_lambda_function.rerun_function.lifecycle).toEqual({
      precondition: [
        expect.objectContaining({ condition: "${var.max_delay_seconds >= var.first_delay_seconds}" }),
        expect.objectContaining({ condition: "${var.verify_timeout_seconds >= var.verify_interval_seconds}", error_message: expect.stringContaining("${var.verify_timeout_seconds} s") }),
        // A cluster ARN of another account or region: its rule would match a same-named cluster here.
        {
          condition: '${alltrue([for c in var.clusters : !startswith(c, "arn:") || (try(split(":", c)[3], "") == data.aws_region.region.region && try(split(":", c)[4], "") == data.aws_caller_identity.account.account_id)])}',
          error_message: expect.stringMatching(/^Every cluster ARN must be of this account and region: .* make this pipeline its hub \(spoke_clusters\) with a spoke there\.$/),
        },
      ],
    });
  });

  test("builds cluster-scoped IAM with jsonencode, the launch condition naming the protected clusters' ARNs", () => {
    const policy = String(resources.aws_iam_role_policy.rerun_policy.policy);
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    // The clusters of part "0" (cluster-policies.ts), the first of var.clusters.
    expect(policy).toContain('"ecs:cluster" = [for c in local.rerun_cluster_parts["0"] : startswith(c, "arn:") ? c : "arn:${data.aws_partition.partition.partition}:ecs:');
    expect(policy).toContain('"iam:PassedToService" = "ecs-tasks.amazonaws.com"');
    expect(policy).not.toMatch(/"Action" = "\*"/);
  });
});

describe("literal inputs keep the plain configuration", () => {
  const literal = literalStack({ slackWebhookParameterName: "/ecs-rerun/slack-webhook", expectedRuns: [{ name: "nightly", family: "nightly-report", intervalSeconds: 86400 }] });
  const all = Object.values(literal.resource).flatMap((byName) => Object.values(byName));

  test("no count, no local, no jsonencode: optional parts are simply there or not", () => {
    expect(all.filter((r) => "count" in r || "for_each" in r)).toEqual([]);
    expect(literal.locals).toBeUndefined();
    expect(JSON.stringify(literal)).not.toContain("jsonencode");
  });

  test("the event pattern, the IAM policies and the state machine stay JSON text", () => {
    const rule = Object.values(literal.resource.aws_cloudwatch_event_rule)[0];
    expect(JSON.parse(rule.event_pattern as string)).toMatchObject({ source: ["aws.ecs"] });
    for (const p of Object.values(literal.resource.aws_iam_role_policy)) expect(JSON.parse(p.policy as string)).toMatchObject({ Version: "2012-10-17" });
    expect(JSON.parse(Object.values(literal.resource.aws_sfn_state_machine)[0].definition as string)).toMatchObject({ StartAt: expect.any(String) });
  });

  test("both task-failure parts switched off leave no rule, and the queue policy names the launch-failure rule alone", () => {
    const off = literalStack({ catchFailedToStart: false, reportProgramFailures: false });
    expect(Object.entries(off.resource.aws_cloudwatch_event_rule).filter(([, r]) => r.schedule_expression === undefined)).toHaveLength(1);
    const policy = JSON.parse(Object.values(off.resource.aws_sqs_queue_policy)[0].policy as string);
    expect(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).toMatch(/^\$\{aws_cloudwatch_event_rule\.[^}]+\.arn\}$/);
  });

  test("refuses a literal create = false, which could only mean an empty construct", () => {
    expect(() => literalStack({ create: false })).toThrow(/create = false is invalid: expected true or a Terraform expression/);
  });
});
