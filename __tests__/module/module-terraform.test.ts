import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { launchFailurePattern } from "../../modules/event-pattern";
import { taskStateFailurePattern } from "../../modules/task-state-pattern";
import { hclExpressionOf } from "../../modules/hcl-expression";
import { renderLocalsTf } from "../../modules/hcl-file";
import { DEFAULT_IGNORE_STARTED_BY, EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/rerun-pipeline";
import { buildIntoTemp, describeWithTerraform, evaluate, removeTempDirs, scratchDir, terraform } from "./support";

afterAll(removeTempDirs);

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
    expect(providers.stdout).toMatch(/module\.ecs_rerun\n\s+└── provider\[registry\.terraform\.io\/hashicorp\/aws\] >= 5\.\d+\.\d+, < 7\.0\.0/);
  });

  describe("validation blocks refuse what the construct refuses", () => {
    const vars = scratchDir({ "variables.tf": variablesTf });
    const construct = (props: Partial<EcsRerunPipelineProps>) => () => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
      new EcsRerunPipeline(stack, "p", { clusters: ["batch-ec2"], ...props });
    };
    test.each<[string, Partial<EcsRerunPipelineProps>, Record<string, unknown>]>([
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
    ])("%s", async (_name, props, tfVars) => {
      expect(construct(props)).toThrow(/is invalid/);
      const r = await evaluate(vars, '"ok"', { clusters: ["batch-ec2"], ...tfVars });
      expect(r.stderr).toContain("Invalid value for variable");
      expect(r.stderr).toContain(`var.${Object.keys(tfVars)[0]} is`);
      expect(r.value).toBeUndefined();
    });

    test("and both accept the defaults and sensible values (the check above can pass)", async () => {
      expect(construct({ maxAttempts: 5, slackWebhookParameterName: "/ecs-rerun/slack-webhook", notificationEmails: ["ops@example.com"] })).not.toThrow();
      const r = await evaluate(vars, '"ok"', { clusters: ["batch-ec2"], max_attempts: 5, slack_webhook_parameter_name: "/ecs-rerun/slack-webhook", notification_emails: ["ops@example.com"] });
      expect(r).toEqual({ value: "ok", stderr: "" });
    });
  });

  describe("the event pattern Terraform computes is the pure launchFailurePattern's", () => {
    test("the rule takes it from the local", () => {
      expect(Object.values(resources.aws_cloudwatch_event_rule)[0].event_pattern).toBe("${local.launch_failure_pattern}");
    });
    const pattern = built.json.locals?.launch_failure_pattern;
    const dirWithPattern = scratchDir({ "variables.tf": variablesTf, "locals.tf": renderLocalsTf({ launch_failure_pattern: pattern }) });
    test.each<[string, string[], string[] | undefined, string | undefined]>([
      ["one cluster by name, defaults", ["batch-ec2"], undefined, undefined],
      ["names and ARNs, nothing ignored", ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], [], undefined],
      ["the default cluster, two ignored callers, another name", ["default"], ["AWS Step Functions", "my-scheduler"], "nightly"],
      ["the default cluster by ARN", ["arn:aws:ecs:us-east-1:123456789012:cluster/default"], undefined, undefined],
      ["repeats, in both forms", ["a", "a", "arn:aws:ecs:us-east-1:123456789012:cluster/a", "b"], ["x"], undefined],
    ])("%s", async (_name, clusters, ignoreStartedBy, name) => {
      const vars: Record<string, unknown> = { clusters };
      if (ignoreStartedBy) vars.ignore_started_by = ignoreStartedBy;
      if (name) vars.name = name;
      const r = await evaluate(dirWithPattern, "local.launch_failure_pattern", vars);
      expect(r.stderr).toBe("");
      const expected = launchFailurePattern({ clusters, ignoreStartedBy: ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY, rerunRoleName: `${name ?? "ecs-rerun"}-rerun` });
      expect(JSON.parse(r.value!)).toEqual(expected);
    });
  });

  describe("the task-failure pattern Terraform computes is the pure taskStateFailurePattern's", () => {
    test("the task-failures rule takes it from the local", () => {
      expect(Object.values(resources.aws_cloudwatch_event_rule).map((r) => r.event_pattern)).toContain("${local.task_failure_pattern}");
    });
    const pattern = built.json.locals?.task_failure_pattern;
    const dirWithPattern = scratchDir({ "variables.tf": variablesTf, "locals.tf": renderLocalsTf({ task_failure_pattern: pattern }) });
    test.each<[string, string[], string[] | undefined]>([
      ["one cluster by name, defaults", ["batch-ec2"], undefined],
      ["names and ARNs, nothing ignored", ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"], []],
      ["repeats, two ignored callers", ["a", "a", "arn:aws:ecs:us-east-1:123456789012:cluster/a"], ["AWS Step Functions", "my-scheduler"]],
    ])("%s", async (_name, clusters, ignoreStartedBy) => {
      const vars: Record<string, unknown> = { clusters };
      if (ignoreStartedBy) vars.ignore_started_by = ignoreStartedBy;
      const r = await evaluate(dirWithPattern, "local.task_failure_pattern", vars);
      expect(r.stderr).toBe("");
      const expected = taskStateFailurePattern({ clusters, ignoreStartedBy: ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY, catchFailedToStart: true, reportProgramFailures: true });
      expect(JSON.parse(r.value!)).toEqual(expected);
    });
  });

  describe("the IAM policies Terraform computes hold the literal stack's statements", () => {
    /** References to other blocks, made comparable: `one(aws_x.y[*].arn)` and `${aws_x.hash.arn}` both become "<aws_x.arn>". */
    const place: [RegExp, string][] = [
      [/data\.aws_partition\.[A-Za-z0-9_-]+\.partition/g, "PARTITION"],
      [/data\.aws_region\.[A-Za-z0-9_-]+\.name/g, "REGION"],
      [/data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id/g, "ACCOUNT"],
    ];
    const fromModule = (policy: unknown) =>
      place.reduce((text, [re, v]) => text.replace(re, `"${v}"`), hclExpressionOf(policy)).replace(/one\((aws_[a-z0-9_]+)\.[a-z0-9_]+\[\*\]\.([a-z_]+)\)/g, '"<$1.$2>"');
    const fromLiteral = (policy: string) =>
      JSON.parse(place.reduce((text, [re, v]) => text.replace(new RegExp(`\\$\\{${re.source}\\}`, "g"), v), policy).replace(/\$\{(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\}/g, "<$1.$2>"));
    const policies = resources.aws_iam_role_policy;
    const dirWithPolicies = scratchDir({
      "variables.tf": variablesTf,
      "locals.tf": `locals {\n${Object.entries(policies)
        .map(([name, p]) => `  ${name} = ${fromModule(p.policy)}`)
        .join("\n")}\n}\n`,
    });

    test.each<[string, Partial<EcsRerunPipelineProps>, Record<string, unknown>]>([
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
    ])("%s", async (_name, props, tfVars) => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
      new EcsRerunPipeline(stack, "p", { clusters: [], ...props });
      const literal = Object.values((JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, { name: string; policy: string }>> }).resource.aws_iam_role_policy);
      const literalStatements = (name: string) => fromLiteral(literal.find((p) => p.name === name)!.policy).Statement;

      const names = Object.keys(policies);
      const r = await evaluate(dirWithPolicies, `jsonencode({ ${names.map((n) => `${n} = local.${n}`).join(", ")} })`, tfVars);
      expect(r.stderr).toBe("");
      const evaluated = JSON.parse(r.value!) as Record<string, string>;
      const moduleStatements = (name: string) => (JSON.parse(evaluated[name]) as { Statement: unknown[] }).Statement;

      expect(moduleStatements("rerun_policy")).toEqual(literalStatements("rerun-on-protected-clusters"));
      expect(moduleStatements("state_machine_policy")).toEqual(literalStatements("rerun-and-notify"));
      expect(moduleStatements("events_policy")).toEqual(literalStatements("start-rerun-executions"));
      // A key known only to Terraform gets a policy of its own, switched with it.
      const notifier = [...moduleStatements("notifier_policy"), ...(tfVars.slack_webhook_kms_key_arn ? moduleStatements("notifier_key_policy") : [])];
      expect(notifier).toEqual(literalStatements("read-webhook-parameter"));
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
