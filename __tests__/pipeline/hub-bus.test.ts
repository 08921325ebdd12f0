/**
 * Issue 14 item 4, the hub: an EcsRerunPipeline given spoke clusters (or an organization) gains a bus,
 * its policy admitting exactly the spokes' accounts, rules on it sending to the starter, the right to
 * assume the spokes' relaunch roles, and the rerun Lambda's SPOKE_* settings. Without spokes none of
 * it exists. Everything is read from the synthesized JSON, deployed in the hub's account.
 */
import { Testing, TerraformStack } from "cdktf";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { EVENT_PATTERN_MAX_CHARS } from "../../modules/pipeline/detection/pattern-bins";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { AGENT_EVENT, loadEvent } from "../support/events";
import { deployedIn } from "../support/places";
import { resourcesOf, synthJson, type TfJson } from "../support/synth";

const HUB = { account: "111122223333", region: "us-east-1" };
const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
const US = "arn:aws:ecs:us-west-2:333344445555:cluster/reports";

function synthHub(props: Partial<EcsRerunPipelineProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "hub");
  new AwsProvider(stack, "aws", { region: HUB.region });
  const pipeline = new EcsRerunPipeline(stack, "pipeline", { clusters: ["home"], region: HUB.region, ...props });
  const raw = Testing.synth(stack);
  return { pipeline, raw, tf: synthJson(stack), deployed: JSON.parse(deployedIn(raw, HUB)) as TfJson };
}

/** A resource of the synthesized stack by its construct's id. */
const byId = (tf: TfJson, type: string, id: string) => tf.resource![type][Object.keys(tf.resource![type]).find((k) => k.startsWith(`pipeline_${id}_`))!];
const doc = (text: unknown) => JSON.parse(text as string) as { Statement: Record<string, any>[] };
const rerunEnv = (tf: TfJson) => (byId(tf, "aws_lambda_function", "rerun-function").environment as { variables: Record<string, string> }).variables;

describe("a pipeline without spokes", () => {
  const { tf, pipeline } = synthHub();
  test("has no hub bus, bus policy or spoke rule, and its rerun Lambda no SPOKE_* setting", () => {
    expect(resourcesOf(tf, "aws_cloudwatch_event_bus")).toEqual([]);
    expect(resourcesOf(tf, "aws_cloudwatch_event_bus_policy")).toEqual([]);
    expect(resourcesOf(tf, "aws_cloudwatch_event_rule").map((r) => r.name).sort()).toEqual(["ecs-rerun-launch-failures", "ecs-rerun-reconcile", "ecs-rerun-task-failures"]);
    expect(Object.keys(rerunEnv(tf)).filter((k) => k.startsWith("SPOKE_"))).toEqual([]);
    expect(resourcesOf(tf, "aws_iam_role_policy").map((p) => p.name)).not.toContain("assume-spoke-relaunch-roles");
    expect([pipeline.hubBus, pipeline.hubBusPolicy, pipeline.spokeRule]).toEqual([undefined, undefined, undefined]);
  });
});

describe("a hub of two spokes in two accounts", () => {
  const { tf, raw, deployed, pipeline } = synthHub({ spokeClusters: [EU, US] });

  test("creates the bus <name>-hub and a rule on it that invokes the starter, with the starter's retries, dead-letter queue and permission", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchEventBus, { name: "ecs-rerun-hub" });
    expect(raw).toHaveResourceWithProperties(CloudwatchEventRule, { name: "ecs-rerun-spoke-failures", event_bus_name: expect.stringMatching(/^\$\{aws_cloudwatch_event_bus\.pipeline_hub-bus_\w+\.name\}$/) });
    expect(raw).toHaveResourceWithProperties(CloudwatchEventTarget, {
      rule: expect.stringContaining("aws_cloudwatch_event_rule.pipeline_spoke-failures_"),
      event_bus_name: expect.stringContaining("aws_cloudwatch_event_bus.pipeline_hub-bus_"),
      arn: expect.stringContaining("aws_lambda_function.pipeline_starter-function_"),
      retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
      dead_letter_config: { arn: expect.stringContaining("aws_sqs_queue.pipeline_dlq_") },
    });
    expect(raw).toHaveResourceWithProperties(LambdaPermission, { statement_id: "InvokeFrom-spoke-failures", principal: "events.amazonaws.com", source_arn: expect.stringContaining("aws_cloudwatch_event_rule.pipeline_spoke-failures_") });
    expect(pipeline.spokeRule).toBeDefined();
    expect(pipeline.moreSpokeRules).toBeUndefined();
  });

  test("the bus policy lets exactly the two accounts put events on this bus, and no one else", () => {
    const policy = byId(deployed, "aws_cloudwatch_event_bus_policy", "hub-bus-policy");
    expect(policy.event_bus_name).toMatch(/aws_cloudwatch_event_bus\.pipeline_hub-bus_/);
    expect(doc(policy.policy).Statement).toEqual([
      {
        Sid: "SpokeAccountsPutEvents",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222233334444:root", "arn:aws:iam::333344445555:root"] },
        Action: "events:PutEvents",
        Resource: expect.stringMatching(/^\$\{aws_cloudwatch_event_bus\.pipeline_hub-bus_\w+\.arn\}$/),
      },
    ]);
  });

  test("the rerun role may assume the relaunch roles of this name in those accounts only, in an inline policy of its own", () => {
    const policy = byId(deployed, "aws_iam_role_policy", "rerun-spoke-policy");
    expect(policy.role).toMatch(/aws_iam_role\.pipeline_rerun-role_/);
    expect(doc(policy.policy).Statement).toEqual([
      { Sid: "AssumeSpokeRelaunchRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: ["arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-*", "arn:aws:iam::333344445555:role/ecs-rerun/ecs-rerun-relaunch-*"] },
    ]);
  });

  test("the rerun Lambda learns the role pattern and the admitted accounts, and no organization", () => {
    const env = JSON.parse(deployedIn(JSON.stringify(rerunEnv(tf)), HUB)) as Record<string, string>;
    expect(env.SPOKE_ROLE_ARN_PATTERN).toBe("arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}");
    expect(JSON.parse(env.SPOKE_ACCOUNTS)).toEqual(["222233334444", "333344445555"]);
    expect(env).not.toHaveProperty("SPOKE_ORGANIZATION_ID");
  });

  // Not through the relaunch roles: those trust the rerun role alone (and may launch); the reconciler
  // only reads, through each spoke's sweep role, which trusts the reconciler's role alone.
  test("the reconciler's role may assume the spokes' sweep roles of this name in those accounts, and no relaunch role", () => {
    const policy = byId(deployed, "aws_iam_role_policy", "reconciler_spoke-policy");
    expect(policy).toMatchObject({ name: "assume-spoke-sweep-roles", role: expect.stringMatching(/aws_iam_role\.pipeline_reconciler_role_/) });
    expect(doc(policy.policy).Statement).toEqual([
      { Sid: "AssumeSpokeSweepRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: ["arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-sweep-*", "arn:aws:iam::333344445555:role/ecs-rerun/ecs-rerun-sweep-*"] },
    ]);
    const env = JSON.parse(deployedIn(JSON.stringify((byId(tf, "aws_lambda_function", "reconciler_reconciler-function").environment as { variables: Record<string, string> }).variables), HUB)) as Record<string, string>;
    expect(env.SPOKE_ROLE_ARN_PATTERN).toBe("arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-sweep-{region}");
    expect(JSON.parse(env.SPOKE_CLUSTERS)).toEqual([EU, US]);
  });

  test("the synthesized hub rule matches a failure forwarded from an admitted account and region, not one from another account", () => {
    const pattern = JSON.parse(byId(deployed, "aws_cloudwatch_event_rule", "spoke-failures").event_pattern as string);
    const event = loadEvent(AGENT_EVENT);
    expect(matchesEventPattern(pattern, { ...event, account: "222233334444", region: "eu-west-1" })).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, account: "333344445555", region: "us-west-2" })).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, account: "444455556666", region: "eu-west-1" })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, account: "222233334444", region: "us-west-2" })).toBe(true); // both places are admitted; the spoke's role limits what runs
    expect(matchesEventPattern(pattern, { ...event, account: "222233334444", region: "ap-south-1" })).toBe(false);
  });

  test("events the hub rule could not deliver may be parked in the dead-letter queue", () => {
    const statement = doc(byId(tf, "aws_sqs_queue_policy", "dlq-policy").policy).Statement.find((s) => s.Sid === "UndeliveredRuleEvents")!;
    expect(statement.Condition.ArnEquals["aws:SourceArn"]).toEqual(expect.arrayContaining([expect.stringContaining("aws_cloudwatch_event_rule.pipeline_spoke-failures_")]));
  });
});

describe("a hub admitting an organization", () => {
  test("the bus policy admits any principal of the organization, and the rerun role any relaunch role of it, each with its condition", () => {
    const { deployed, tf } = synthHub({ spokeOrganizationId: "o-a1b2c3d4e5" });
    expect(doc(byId(deployed, "aws_cloudwatch_event_bus_policy", "hub-bus-policy").policy).Statement).toEqual([
      { Sid: "OrganizationPutEvents", Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: expect.stringContaining("aws_cloudwatch_event_bus.pipeline_hub-bus_"), Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
    ]);
    expect(doc(byId(deployed, "aws_iam_role_policy", "rerun-spoke-policy").policy).Statement).toEqual([
      { Sid: "AssumeOrganizationRelaunchRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/ecs-rerun/ecs-rerun-relaunch-*", Condition: { StringEquals: { "aws:ResourceOrgID": "o-a1b2c3d4e5" } } },
    ]);
    const pattern = JSON.parse(byId(deployed, "aws_cloudwatch_event_rule", "spoke-failures").event_pattern as string);
    expect(pattern).toEqual({ source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail", "ECS Task State Change"] });
    expect(rerunEnv(tf).SPOKE_ORGANIZATION_ID).toBe("o-a1b2c3d4e5");
    expect(rerunEnv(tf).SPOKE_ACCOUNTS).toBe("[]");
    // No spoke cluster: nothing for the reconciler to sweep elsewhere, so no right to assume anything.
    expect(resourcesOf(tf, "aws_iam_role_policy").map((p) => p.name)).not.toContain("assume-spoke-sweep-roles");
  });
});

describe("200 spoke clusters over 60 accounts and 5 regions", () => {
  const accounts = Array.from({ length: 60 }, (_, i) => String(200000000000 + i * 104729));
  const regions = ["eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2", "sa-east-1"];
  const spokeClusters = Array.from({ length: 200 }, (_, i) => `arn:aws:ecs:${regions[i % 5]}:${accounts[i % 60]}:cluster/batch-${i}`);
  const { raw } = synthHub({ spokeClusters });

  test.each(["aws", "aws-us-gov"])("every event pattern fits 2,048 characters and the rerun role's inline policies 10,240 together (partition %s)", (partition) => {
    const deployed = JSON.parse(deployedIn(raw, { ...HUB, partition })) as TfJson;
    const patterns = Object.values(deployed.resource!.aws_cloudwatch_event_rule).flatMap((r) => (r.for_each ? Object.values(r.for_each as Record<string, string>) : r.event_pattern === undefined ? [] : [r.event_pattern as string]));
    for (const p of patterns) expect({ length: p.length, fits: p.length <= EVENT_PATTERN_MAX_CHARS }).toEqual({ length: p.length, fits: true });
    const rerunRole = Object.keys(deployed.resource!.aws_iam_role).find((k) => k.startsWith("pipeline_rerun-role_"))!;
    const inline = Object.values(deployed.resource!.aws_iam_role_policy).filter((p) => String(p.role).includes(`aws_iam_role.${rerunRole}.`));
    expect(inline.map((p) => p.name).sort()).toEqual(["assume-spoke-relaunch-roles", "rerun-on-protected-clusters", "reserve-launch-slots", "reserve-spoke-launch-slots"]);
    const total = inline.reduce((n, p) => n + String(p.policy).replace(/\s/g, "").length, 0);
    expect({ total, fits: total <= 10240 }).toEqual({ total, fits: true });
    const assumed = doc(inline.find((p) => p.name === "assume-spoke-relaunch-roles")!.policy).Statement[0].Resource as string[];
    expect(assumed.map((arn) => arn.split(":")[4]).sort()).toEqual([...accounts].sort());
  });
});

describe("spoke inputs are checked", () => {
  test("a spoke cluster given by name, not ARN, is refused naming the value, the prop and what is allowed", () => {
    expect(() => synthHub({ spokeClusters: [EU, "batch-ec2"] })).toThrow(/spokeClusters\[1\] = "batch-ec2" is invalid \(EcsRerunPipeline prop spokeClusters; module: spoke_clusters\): expected the full ARN of a cluster/);
  });
  test("an organization ID that is not one is refused", () => {
    expect(() => synthHub({ spokeOrganizationId: "r-abcd" })).toThrow(/spokeOrganizationId = "r-abcd" is invalid .*expected an AWS Organizations ID/);
  });
  test("more accounts than the rerun role's policy can name are refused, pointing at the organization", () => {
    const spokeClusters = Array.from({ length: 200 }, (_, i) => `arn:aws:ecs:eu-west-1:${String(300000000000 + i)}:cluster/c`);
    expect(() => synthHub({ spokeClusters })).toThrow(/spokeClusters name 200 accounts: the rerun role's policy .* spokeOrganizationId/);
  });
});
