import { App, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunModuleStack, moduleAddress, snakeCase } from "../../modules/ecs-rerun-module-stack";
import { synthesizeModule } from "../../modules/module-files";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/rerun-pipeline";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const { json } = synthesizeModule();
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
    const literal = literalStack({ slackWebhookParameterName: "/ecs-rerun/slack-webhook", createTrail: true, notificationEmails: ["ops@example.com"] });
    const kinds = (r: Resources) => Object.keys(r).sort();
    expect(kinds(resources)).toEqual(kinds(literal.resource));
    const stack = new EcsRerunModuleStack(new App({ skipValidation: true, stackTraces: false }), "m");
    expect(stack.pipeline).toBeInstanceOf(EcsRerunPipeline);
  });

  test("gives blocks readable, stable addresses instead of hashed ids", () => {
    expect(Object.keys(resources.aws_lambda_function).sort()).toEqual(["notifier_function", "rerun_function"]);
    expect(Object.keys(resources.aws_cloudtrail)).toEqual(["trail"]);
    expect(Object.keys(resources.aws_cloudwatch_metric_alarm).sort()).toEqual(["alarm_dead_letters", "alarm_executions_failed", "alarm_notifier_errors", "alarm_rerun_errors"]);
    for (const byName of Object.values(resources)) for (const name of Object.keys(byName)) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(moduleAddress(["pipeline", "trail", "trail"])).toBe("trail");
    expect(moduleAddress(["pipeline", "alarm-executionsFailed"])).toBe("alarm_executions_failed");
    expect(snakeCase("key-alias")).toBe("key_alias");
  });

  test("switches each optional part with its variable, and everything with create", () => {
    expect(countOf("aws_kms_key", "key")).toBe("${(var.create && (var.kms_key_arn == null)) ? 1 : 0}");
    expect(countOf("aws_lambda_function", "notifier_function")).toBe("${(var.create && (var.slack_webhook_parameter_name != null)) ? 1 : 0}");
    expect(countOf("aws_iam_role_policy", "notifier_key_policy")).toBe("${((var.create && (var.slack_webhook_parameter_name != null)) && (var.slack_webhook_kms_key_arn != null)) ? 1 : 0}");
    expect(countOf("aws_cloudtrail", "trail")).toBe("${(var.create && var.create_trail) ? 1 : 0}");
    expect(countOf("aws_cloudwatch_metric_alarm", "alarm_rerun_errors")).toBe("${(var.create && var.create_alarms) ? 1 : 0}");
    expect(countOf("aws_cloudwatch_metric_alarm", "alarm_notifier_errors")).toBe("${((var.create && var.create_alarms) && (var.create && (var.slack_webhook_parameter_name != null))) ? 1 : 0}");
    expect(countOf("aws_sfn_state_machine", "state_machine")).toBe("${var.create ? 1 : 0}");
    expect(resources.aws_sns_topic_subscription.email).toMatchObject({ for_each: "${toset(var.create ? var.notification_emails : [])}", endpoint: "${each.value}" });
  });

  test("uses the given topic key, or the one it creates", () => {
    expect(resources.aws_sns_topic.topic.kms_master_key_id).toBe("${(var.kms_key_arn != null) ? var.kms_key_arn : one(aws_kms_key.key[*].arn)}");
  });

  test("lets Terraform write the Lambda environment from the variables", () => {
    expect(resources.aws_lambda_function.rerun_function.environment).toEqual({
      variables: expect.objectContaining({
        RETRYABLE_REASONS: "${jsonencode(var.retryable_reasons)}",
        MAX_ATTEMPTS: "${var.max_attempts}",
        BACKOFF_RATE: "${var.backoff_rate}",
        JITTER: "${var.jitter}",
      }),
    });
    expect(resources.aws_lambda_function.notifier_function.environment).toEqual({ variables: expect.objectContaining({ SLACK_WEBHOOK_PARAMETER: "${var.slack_webhook_parameter_name}" }) });
  });

  test("checks the one cross-variable rule (max delay >= first delay) with a precondition", () => {
    expect(resources.aws_lambda_function.rerun_function.lifecycle).toEqual({
      precondition: [expect.objectContaining({ condition: "${var.max_delay_seconds >= var.first_delay_seconds}" })],
    });
  });

  test("builds cluster-scoped IAM with jsonencode, the launch condition naming the protected clusters' ARNs", () => {
    const policy = String(resources.aws_iam_role_policy.rerun_policy.policy);
    expect(policy).toMatch(/^\$\{jsonencode\(/);
    expect(policy).toContain('"ecs:cluster" = [for c in var.clusters : startswith(c, "arn:") ? c : "arn:${data.aws_partition.partition.partition}:ecs:');
    expect(policy).toContain('"iam:PassedToService" = "ecs-tasks.amazonaws.com"');
    expect(policy).not.toMatch(/"Action" = "\*"/);
  });
});

describe("literal inputs keep the plain configuration", () => {
  const literal = literalStack({ slackWebhookParameterName: "/ecs-rerun/slack-webhook" });
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

  test("refuses a literal create = false, which could only mean an empty construct", () => {
    expect(() => literalStack({ create: false })).toThrow(/create = false is invalid: expected true or a Terraform expression/);
  });
});
