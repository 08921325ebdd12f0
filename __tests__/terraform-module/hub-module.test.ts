/**
 * The hub part of the root module as Terraform evaluates it (`terraform console`, no provider): the
 * hub rules' patterns are the pure spokeRulePatterns' rule by rule, nothing of the hub exists without
 * spoke input, the rerun Lambda's SPOKE_* settings appear exactly when there is a hub, the dead-letter
 * queue admits the hub rules that exist, and the new variables refuse what the construct refuses.
 * Resources' counts are simulated from their own `count` and `for_each` expressions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hclExpressionOf } from "../../modules/hcl/hcl-expression";
import { EVENT_PATTERN_MAX_CHARS } from "../../modules/pipeline/detection/pattern-bins";
import { spokeRulePatterns } from "../../modules/pipeline/hub/spoke-rule-patterns";
import { renderLocalsTf } from "../../modules/terraform-module/hcl-file";
import { buildIntoTemp, describeWithTerraform, evaluate, removeTempDirs, scratchDir } from "./support";

afterAll(removeTempDirs);

const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
const US = "arn:aws:ecs:us-west-2:333344445555:cluster/reports";
const ORG = "o-a1b2c3d4e5";

describeWithTerraform("the hub in the module, as terraform evaluates it", () => {
  const built = buildIntoTemp();
  const resources = built.json.resource!;
  const variablesTf = readFileSync(join(built.outDir, "variables.tf"), "utf8");
  const fill = (text: string) => text.replace(/data\.aws_partition\.[a-z_]+\.partition/g, '"aws"').replace(/data\.aws_caller_identity\.[a-z_]+\.account_id/g, '"123456789012"').replace(/data\.aws_region\.[a-z_]+\.region/g, '"us-east-1"');
  const hclOf = (value: unknown) => hclExpressionOf(value, "inline");
  const count = (type: string, name: string) => hclOf(resources[type][name].count);
  /** A reference to a rule's ARN as the deployed rule would give it: null when its count is 0, one per for_each key. */
  const withRules = (text: string) =>
    text
      .replace(/one\(aws_cloudwatch_event_rule\.([a-z0-9_]+)\[\*\]\.arn\)/g, (_m, rule: string) => `((${count("aws_cloudwatch_event_rule", rule)}) > 0 ? "<${rule}>" : null)`)
      .replace(/\[for r in aws_cloudwatch_event_rule\.([a-z0-9_]+) : r\.arn\]/g, (_m, rule: string) => `[for k, v in ${hclOf(resources.aws_cloudwatch_event_rule[rule].for_each)} : "<${rule}[\${k}]>"]`)
      .replace(/one\((aws_[a-z0-9_]+)\.([a-z0-9_]+)\[\*\]\.([a-z_]+)\)/g, '"<$1.$2.$3>"');
  const hubBlocks: [string, string][] = [
    ["aws_cloudwatch_event_bus", "hub_bus"],
    ["aws_cloudwatch_event_bus_policy", "hub_bus_policy"],
    ["aws_cloudwatch_event_rule", "spoke_failures"],
    ["aws_cloudwatch_event_target", "spoke_failures_target"],
    ["aws_lambda_permission", "spoke_failures_invoke"],
    ["aws_iam_role_policy", "rerun_spoke_policy"],
  ];
  /** An HCL expression as the template a local takes in Terraform's JSON syntax, which renderLocalsTf writes back as the expression. */
  const asTemplate = (expression: string) => `\${${expression}}`;
  const locals = {
    ...Object.fromEntries(Object.entries(built.json.locals ?? {}).map(([k, v]) => [k, fill(String(v))])),
    hub_counts: asTemplate(`{ ${hubBlocks.map(([t, n]) => `"${t}.${n}" = ${count(t, n)}`).join(", ")} }`),
    hub_first_pattern: asTemplate(fill(hclOf(resources.aws_cloudwatch_event_rule.spoke_failures.event_pattern))),
    hub_more_patterns: asTemplate(hclOf(resources.aws_cloudwatch_event_rule.spoke_failures_more.for_each)),
    rerun_environment: asTemplate(fill(withRules(hclOf((resources.aws_lambda_function.rerun_function.environment as { variables: string }).variables)))),
    dlq_policy: asTemplate(fill(withRules(hclOf(resources.aws_sqs_queue_policy.dlq_policy.policy)))),
  };
  const dir = scratchDir({ "variables.tf": variablesTf, "locals.tf": renderLocalsTf(locals) });
  const run = async (vars: Record<string, unknown>) => {
    const r = await evaluate(dir, "jsonencode({ counts = local.hub_counts, first = local.hub_first_pattern, more = local.hub_more_patterns, env = local.rerun_environment, dlq = local.dlq_policy })", { clusters: ["batch-ec2"], ...vars });
    expect(r.stderr).toBe("");
    const v = JSON.parse(r.value!) as { counts: Record<string, number>; first: string; more: Record<string, string>; env: Record<string, string>; dlq: string };
    const sourceArns = (JSON.parse(v.dlq) as { Statement: { Sid: string; Condition: { ArnEquals: Record<string, string[]> } }[] }).Statement.find((s) => s.Sid === "UndeliveredRuleEvents")!.Condition.ArnEquals["aws:SourceArn"];
    return { ...v, patterns: { "0": JSON.parse(v.first), ...Object.fromEntries(Object.entries(v.more).map(([k, p]) => [k, JSON.parse(p)])) } as Record<string, unknown>, sourceArns };
  };
  const allHub = (n: number) => Object.fromEntries(hubBlocks.map(([t, name]) => [`${t}.${name}`, n]));

  test("without spoke input: no hub block, no SPOKE_* setting, and the queue admits the two detection rules only", async () => {
    const v = await run({});
    expect(v.counts).toEqual(allHub(0));
    expect(v.more).toEqual({});
    expect(Object.keys(v.env).filter((k) => k.startsWith("SPOKE_"))).toEqual([]);
    // An object here; the provider converts it to the map(string) Lambda takes (3 -> "3").
    expect(v.env).toMatchObject({ MAX_ATTEMPTS: 3, JITTER: "FULL", NODE_OPTIONS: "--enable-source-maps" });
    expect(v.sourceArns).toEqual(["<launch_failures>", "<task_failures>"]);
  });

  test("with create = false, an organization creates no hub either", async () => {
    expect((await run({ create: false, spoke_organization_id: ORG })).counts).toEqual(allHub(0));
  });

  test("two spoke accounts: every hub block, the pure function's pattern, the SPOKE_* settings, the hub rule admitted by the queue", async () => {
    const v = await run({ spoke_clusters: [EU, US, EU] });
    expect(v.counts).toEqual(allHub(1));
    expect(v.patterns).toEqual(spokeRulePatterns({ spokeClusters: [EU, US, EU] }));
    expect(v.patterns["0"]).toEqual({ account: ["222233334444", "333344445555"], region: ["eu-west-1", "us-west-2"], source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail", "ECS Task State Change"] });
    expect(v.env.SPOKE_ROLE_ARN_PATTERN).toBe("arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}");
    expect(JSON.parse(v.env.SPOKE_ACCOUNTS)).toEqual(["222233334444", "333344445555"]);
    expect(v.env).not.toHaveProperty("SPOKE_ORGANIZATION_ID");
    expect(v.sourceArns).toEqual(["<launch_failures>", "<task_failures>", "<spoke_failures>", "<spoke_unmatched>"]);
  });

  test("an organization alone: one rule on source and detail type, the organization in the settings", async () => {
    const v = await run({ spoke_organization_id: ORG, name: "team-b" });
    expect(v.counts).toEqual(allHub(1));
    expect(v.patterns).toEqual(spokeRulePatterns({ spokeClusters: [] }));
    expect(v.env).toMatchObject({ SPOKE_ORGANIZATION_ID: ORG, SPOKE_ACCOUNTS: "[]", SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun/team-b-relaunch-{region}" });
  });

  test("200 spoke clusters in 200 accounts: split over rules within 2,048 characters, as the pure function splits them, each admitted by the queue", async () => {
    const spokeClusters = Array.from({ length: 200 }, (_, i) => `arn:aws:ecs:${i % 2 ? "eu-west-1" : "ap-southeast-2"}:${String(400000000000 + i * 31)}:cluster/c${i}`);
    const v = await run({ spoke_clusters: spokeClusters });
    expect(v.patterns).toEqual(spokeRulePatterns({ spokeClusters }));
    expect(Object.keys(v.more).length).toBeGreaterThan(0);
    for (const text of [v.first, ...Object.values(v.more)]) expect(text.length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
    expect(v.sourceArns).toEqual(["<launch_failures>", "<task_failures>", "<spoke_failures>", ...Object.keys(v.more).map((k) => `<spoke_failures_more[${k}]>`), "<spoke_unmatched>"]);
  });

  test.each([
    ["a spoke cluster by name", { spoke_clusters: ["batch-ec2"] }, "spoke_clusters"],
    ["a spoke cluster ARN without an account", { spoke_clusters: ["arn:aws:ecs:eu-west-1::cluster/x"] }, "spoke_clusters"],
    ["an organization ID that is a root ID", { spoke_organization_id: "r-abcd" }, "spoke_organization_id"],
  ])("the module refuses %s", async (_what, vars, variable) => {
    const r = await evaluate(scratchDir({ "variables.tf": variablesTf }), '"ok"', { clusters: ["batch-ec2"], ...vars });
    expect(r.stderr).toContain("Invalid value for variable");
    expect(r.stderr).toContain(`var.${variable} is`);
    expect(r.value).toBeUndefined();
  });
});
