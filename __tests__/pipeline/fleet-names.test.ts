/**
 * Issue 14, item 1: many pipelines in one account. IAM names are global in an account and the rest
 * are per region, so the Terraform module in two regions, the module beside the `ecs-rerun` stack in
 * a third, and the `ecs-cluster` stack there too must not share an IAM name anywhere nor a regional
 * name within a region. The module's names are evaluated by `terraform console` from main.tf.json
 * itself, per region; the stacks' are read from their synthesized JSON. Item 4 adds hubs and spokes:
 * the hub module and the spoke submodule in one region, spokes in more regions, and EcsRerunSpoke
 * constructs beside the stacks.
 */
import { TerraformLocal, TerraformStack, Testing } from "cdktf";
import { DEMO_JOB } from "../../jobs";
import { buildApp } from "../../modules/app";
import { IAM_NAME_LIMITS, fittedName, fittedNameHcl } from "../../modules/iam-names";
import { hclExpressionOf } from "../../modules/hcl/hcl-expression";
import { renderLocalsTf, renderVariablesTf } from "../../modules/terraform-module/hcl-file";
import { sharedModule } from "../support/shared-module";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunSpoke } from "../../modules/spoke/ecs-rerun-spoke";
import { describeWithTerraform, evaluate, evaluatedOnFirstUse, removeTempDirs, scratchDir } from "../terraform-module/support";

afterAll(removeTempDirs);

/** The variable names.tf reads the deployment's region from (what data.aws_region would read). */
const REGION_VARIABLE = "fleet_names_region";

/** A named resource where it lives: `iam` (the account), or the region it was deployed to. */
interface Named {
  readonly where: string;
  readonly type: string;
  readonly name: string;
  readonly from: string;
}

/**
 * The attribute naming each resource type, and the namespace it must be unique in: the account (IAM),
 * or the region. Per region, event rules on the default bus; security groups per VPC, which is
 * stricter than needed. Every named type the stacks create must be listed here or in NOT_NAMES.
 */
const NAMES: Record<string, { attribute: string; scope: "iam" | "region" }> = {
  aws_iam_role: { attribute: "name", scope: "iam" },
  // The managed policies of clusters a role's inline policy has no room for (cluster-policies.ts).
  aws_iam_policy: { attribute: "name", scope: "iam" },
  aws_iam_instance_profile: { attribute: "name", scope: "iam" },
  aws_kms_alias: { attribute: "name", scope: "region" },
  aws_sns_topic: { attribute: "name", scope: "region" },
  aws_sqs_queue: { attribute: "name", scope: "region" },
  aws_cloudwatch_log_group: { attribute: "name", scope: "region" },
  aws_lambda_function: { attribute: "function_name", scope: "region" },
  aws_sfn_state_machine: { attribute: "name", scope: "region" },
  aws_dynamodb_table: { attribute: "name", scope: "region" },
  aws_cloudwatch_event_rule: { attribute: "name", scope: "region" },
  aws_cloudwatch_event_bus: { attribute: "name", scope: "region" },
  aws_cloudtrail: { attribute: "name", scope: "region" },
  aws_cloudwatch_metric_alarm: { attribute: "alarm_name", scope: "region" },
  aws_cloudwatch_log_resource_policy: { attribute: "policy_name", scope: "region" },
  aws_ecs_cluster: { attribute: "name", scope: "region" },
  aws_ecs_capacity_provider: { attribute: "name", scope: "region" },
  aws_ecs_task_definition: { attribute: "family", scope: "region" },
  aws_launch_template: { attribute: "name", scope: "region" },
  aws_autoscaling_group: { attribute: "name", scope: "region" },
  aws_security_group: { attribute: "name", scope: "region" },
};

/**
 * Name-like attributes that are no names of their own: unique within their parent only (an inline
 * policy in its role, a target in its rule, a permission in its function, a filter in its log
 * group), references to another resource, or a prefix AWS completes with a unique suffix.
 */
const NOT_NAMES: Record<string, readonly string[]> = {
  aws_iam_role_policy: ["name"],
  aws_cloudwatch_event_target: ["target_id"],
  aws_lambda_permission: ["statement_id", "function_name"],
  aws_cloudwatch_log_metric_filter: ["name"],
  aws_lambda_function_event_invoke_config: ["function_name"],
  aws_s3_bucket: ["bucket_prefix"],
  aws_s3_bucket_public_access_block: ["bucket"],
  aws_s3_bucket_server_side_encryption_configuration: ["bucket"],
  aws_s3_bucket_policy: ["bucket"],
};
const NAME_LIKE = ["name", "name_prefix", "function_name", "alarm_name", "policy_name", "family", "bucket", "bucket_prefix", "statement_id", "target_id"];

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Refuses a named resource type the tables above do not know, so a new one cannot slip past. */
function classified(resources: Resources): void {
  for (const [type, byName] of Object.entries(resources)) {
    for (const body of Object.values(byName)) {
      for (const attribute of NAME_LIKE.filter((a) => a in body)) {
        const known = NAMES[type]?.attribute === attribute || (NOT_NAMES[type] ?? []).includes(attribute);
        expect({ type, attribute, known }).toEqual({ type, attribute, known: true });
      }
    }
  }
}

/** The named resources of a synthesized stack deployed to `region`. */
function stackNames(resources: Resources, region: string, from: string): Named[] {
  classified(resources);
  return Object.entries(resources).flatMap(([type, byName]) =>
    NAMES[type] ? Object.values(byName).map((body) => ({ where: NAMES[type].scope === "iam" ? "iam" : region, type, name: String(body[NAMES[type].attribute]), from })) : [],
  );
}

/** The names that more than one resource has in one namespace (IAM names compared without case, as IAM compares them). */
function collisions(named: readonly Named[]): string[] {
  const seen = new Map<string, Named>();
  const out: string[] = [];
  for (const n of named) {
    const key = `${n.where}|${n.type}|${n.where === "iam" ? n.name.toLowerCase() : n.name}`;
    const first = seen.get(key);
    if (first) out.push(`${n.type} "${n.name}" in ${n.where}: ${first.from} and ${n.from}`);
    else seen.set(key, n);
  }
  return out;
}

/** The `ecs-cluster` and `ecs-rerun` stacks with their defaults, deployed to `region`. */
function appNames(region: string): Named[] {
  const { cluster, rerun } = buildApp(Testing.app(), { ECS_RERUN_REGION: region }, { jobs: [DEMO_JOB] });
  const resourcesOf = (stack: typeof cluster | typeof rerun) => (JSON.parse(Testing.synth(stack!)) as { resource: Resources }).resource;
  const named = [...stackNames(resourcesOf(cluster), region, `ecs-cluster stack@${region}`), ...stackNames(resourcesOf(rerun), region, `ecs-rerun stack@${region}`)];
  // The stacks know their region: every name is a literal, nothing is left to Terraform.
  for (const n of named) expect({ type: n.type, name: n.name, literal: !n.name.includes("${") }).toEqual({ type: n.type, name: n.name, literal: true });
  return named;
}

/** The names of an EcsRerunSpoke (every part, split rules) synthesized for `region`. */
function spokeConstructNames(region: string): Named[] {
  const stack = new TerraformStack(Testing.app(), "spoke");
  new AwsProvider(stack, "aws", { region });
  new EcsRerunSpoke(stack, "spoke", {
    region,
    clusters: Array.from({ length: 120 }, (_, i) => `batch-${i + 1}`),
    hubEventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/ecs-rerun-hub",
    hubRerunRoleArn: "arn:aws:iam::123456789012:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
    createTrail: true,
  });
  const resources = (JSON.parse(Testing.synth(stack)) as { resource: Resources }).resource;
  classified(resources);
  /** The keys of a for_each block: its literal map, or the keys of the block it iterates over. */
  const keysOf = (forEach: unknown): string[] => {
    if (typeof forEach === "object" && forEach !== null) return Object.keys(forEach);
    const [, type, id] = /^\$\{(aws_[a-z0-9_]+)\.([^.}]+)\}$/.exec(String(forEach))!;
    return keysOf(resources[type][id].for_each);
  };
  // One name per instance, as Terraform makes them.
  return Object.entries(resources).flatMap(([type, byId]) =>
    NAMES[type]
      ? Object.values(byId).flatMap((body) => {
          const name = String(body[NAMES[type].attribute]);
          const names = body.for_each === undefined ? [name] : keysOf(body.for_each).map((k) => name.replace("${each.key}", k));
          return names.map((n) => ({ where: NAMES[type].scope === "iam" ? "iam" : region, type, name: n, from: `EcsRerunSpoke@${region}` }));
        })
      : [],
  );
}

describe("IAM names carry the region and fit IAM's limits", () => {
  test("a name that fits is kept; a longer one keeps its start and ends with a hash of the whole", () => {
    expect(fittedName("ecs-rerun-rerun-us-east-1", 64)).toBe("ecs-rerun-rerun-us-east-1");
    const long = `${"a".repeat(40)}-state-machine-us-isof-south-1`;
    const fitted = fittedName(long, 64);
    expect(fitted).toHaveLength(64);
    expect(fitted.startsWith("a".repeat(40))).toBe(true);
    expect(fittedName(`${long}x`, 64)).not.toBe(fitted);
  });

  test("the stacks' IAM names are literal, region-qualified and within IAM's limits; the relaunch role has the /ecs-rerun/ path", () => {
    const { cluster, rerun } = buildApp(Testing.app(), { ECS_RERUN_REGION: "ap-southeast-2", ECS_RERUN_CLUSTER_NAME: "c".repeat(255) }, { jobs: [DEMO_JOB] });
    for (const stack of [cluster!, rerun!]) {
      const resources = (JSON.parse(Testing.synth(stack)) as { resource: Resources }).resource;
      for (const role of Object.values(resources.aws_iam_role ?? {})) {
        expect(String(role.name).length).toBeLessThanOrEqual(IAM_NAME_LIMITS.roleName);
        expect(String(role.name)).toMatch(/^[\w+=,.@-]+$/);
      }
      for (const profile of Object.values(resources.aws_iam_instance_profile ?? {})) expect(String(profile.name).length).toBeLessThanOrEqual(IAM_NAME_LIMITS.instanceProfileName);
    }
    const roles = Object.values((JSON.parse(Testing.synth(rerun!)) as { resource: Resources }).resource.aws_iam_role);
    expect(roles.map((r) => [r.name, r.path]).sort()).toEqual([
      ["ecs-rerun-notifier-ap-southeast-2", undefined],
      ["ecs-rerun-reconciler-ap-southeast-2", undefined],
      ["ecs-rerun-rerun-ap-southeast-2", "/ecs-rerun/"],
      ["ecs-rerun-run-counter-ap-southeast-2", undefined],
      ["ecs-rerun-starter-ap-southeast-2", undefined],
      ["ecs-rerun-state-machine-ap-southeast-2", undefined],
    ]);
  });
});

describeWithTerraform("one account: the module in two regions, the stacks and a second module in a third; hubs and spokes", () => {
  const synthesized = sharedModule();
  const module = synthesized.json;
  /** Data sources' values as the provider would read them; the region is the deployment's, as an HCL expression (a variable: one directory serves every region). */
  const deployed = (text: string, regionExpression: string) =>
    text
      .replace(/data\.aws_region\.[a-z_]+\.region/g, regionExpression)
      .replace(/data\.aws_partition\.[a-z_]+\.partition/g, '"aws"')
      .replace(/data\.aws_caller_identity\.[a-z_]+\.account_id/g, '"123456789012"');
  /** Every named block's names as Terraform evaluates them: `count` respected, one per `for_each` instance. */
  const namesExpression = (resources: Resources) => {
    // A for_each over another block's instances (an alarm per later rule) iterates that block's own for_each keys.
    const overBlocks = (text: string) => text.replace(/\b(aws_[a-z0-9_]+)\.([a-z0-9_]+)\b(?![.[])/g, (m, type: string, name: string) => (resources[type]?.[name]?.for_each !== undefined ? `(${hclExpressionOf(resources[type][name].for_each, "inline")})` : m));
    const entries = Object.entries(resources).flatMap(([type, byName]) =>
      NAMES[type]
        ? Object.entries(byName).map(([address, body]) => {
            const name = hclExpressionOf(body[NAMES[type].attribute], "inline");
            const value =
              body.for_each !== undefined
                ? `[for k, v in ${overBlocks(hclExpressionOf(body.for_each, "inline"))} : ${name.replace(/\beach\.key\b/g, "k").replace(/\beach\.value\b/g, "v")}]`
                : body.count !== undefined
                  ? `(${hclExpressionOf(body.count, "inline")}) > 0 ? [${name}] : []`
                  : `[${name}]`;
            return `    "${type}|${address}" = ${deployed(value, `var.${REGION_VARIABLE}`)}`;
          })
        : [],
    );
    return `variable "${REGION_VARIABLE}" {\n  type = string\n}\n\nlocals {\n  names = {\n${entries.join("\n")}\n  }\n}\n`;
  };
  const localsOf = (json: typeof module) => Object.fromEntries(Object.entries(json.locals ?? {}).map(([k, v]) => [k, deployed(String(v), '"unused"')]));
  const dirFor = (json: typeof module) => scratchDir({ "variables.tf": renderVariablesTf(json.variable ?? {}), "locals.tf": renderLocalsTf(localsOf(json)), "names.tf": namesExpression(json.resource as Resources) });
  /** Inputs that create every optional part, and a cluster list long enough to split every pattern. */
  const everything = {
    clusters: Array.from({ length: 120 }, (_, i) => `batch-${i + 1}`),
    slack_webhook_parameter_name: "/ecs-rerun/slack-webhook",
    create_trail: true,
    // Spokes in two accounts: the hub's bus, policy and rules exist.
    spoke_clusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch", "arn:aws:ecs:us-west-2:333344445555:cluster/batch"],
    expected_runs: [
      { name: "nightly", family: "nightly-report", interval_seconds: 86400 },
      { name: "hourly", family: "hourly", interval_seconds: 3600 },
    ],
  };
  /** The spoke submodule with every optional part and split rules. */
  const spokeEverything = {
    clusters: everything.clusters,
    hub_event_bus_arn: "arn:aws:events:us-east-1:123456789012:event-bus/ecs-rerun-hub",
    hub_rerun_role_arn: "arn:aws:iam::123456789012:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
    create_trail: true,
  };
  /**
   * Every deployment the tests below name (the module or its spoke submodule, a region, variables),
   * evaluated together: one `terraform test` per module (evaluatedOnFirstUse) rather than a `terraform
   * console` each. A test naming a deployment not listed here fails, naming it.
   */
  const DEPLOYMENTS: readonly { readonly spoke: boolean; readonly region: string; readonly vars?: Readonly<Record<string, unknown>> }[] = [
    { spoke: false, region: "us-east-1" },
    { spoke: false, region: "eu-west-1" },
    { spoke: false, region: "ap-northeast-1" },
    { spoke: false, region: "ap-northeast-1", vars: { name: "team-b" } },
    { spoke: true, region: "us-east-1" },
    { spoke: true, region: "eu-west-1" },
    { spoke: true, region: "ap-northeast-1" },
  ];
  const deploymentKey = (region: string, vars: Readonly<Record<string, unknown>> = {}) => JSON.stringify([region, vars]);
  /** The names of the module's (or the spoke submodule's) deployments of DEPLOYMENTS as Terraform evaluates them, by deploymentKey. */
  const evaluatedNames = (spoke: boolean) =>
    evaluatedOnFirstUse(
      dirFor(spoke ? synthesized.spoke : module),
      Object.fromEntries(DEPLOYMENTS.filter((d) => d.spoke === spoke).map((d) => [deploymentKey(d.region, d.vars), { expression: "jsonencode(local.names)", vars: { ...(spoke ? spokeEverything : everything), ...d.vars, [REGION_VARIABLE]: d.region } }])),
    );
  const namesOf = { root: evaluatedNames(false), spoke: evaluatedNames(true) };
  /** Names of the root module, or (`spoke`) of the spoke submodule, deployed to `region`. */
  const moduleNames = async (region: string, vars: Record<string, unknown>, from: string, spoke = false): Promise<Named[]> => {
    classified((spoke ? synthesized.spoke : module).resource as Resources);
    const r = await namesOf[spoke ? "spoke" : "root"](deploymentKey(region, vars));
    expect(r.stderr).toBe("");
    const byBlock = JSON.parse(r.value!) as Record<string, string[]>;
    return Object.entries(byBlock).flatMap(([block, names]) => {
      const type = block.split("|")[0];
      return names.map((name) => ({ where: NAMES[type].scope === "iam" ? "iam" : region, type, name, from: `${from}@${region}` }));
    });
  };

  test("hub and spokes: a hub and a spoke in one region, spokes in two more, beside the stacks and a hub and spoke of the construct: no name twice", async () => {
    const named = [
      ...(await moduleNames("us-east-1", {}, "hub module")),
      ...(await moduleNames("us-east-1", {}, "spoke module", true)),
      ...(await moduleNames("eu-west-1", {}, "spoke module", true)),
      ...(await moduleNames("ap-northeast-1", {}, "spoke module", true)),
      ...appNames("ap-northeast-1"),
      ...spokeConstructNames("eu-central-1"),
      ...spokeConstructNames("us-east-2"),
    ];
    // The parts whose names are checked exist: the hub's bus and rule, each spoke's relaunch role, split forwarding rules.
    expect(named.filter((n) => n.type === "aws_cloudwatch_event_bus").map((n) => n.name)).toEqual(["ecs-rerun-hub"]);
    expect(named.filter((n) => n.type === "aws_iam_role" && /-relaunch-/.test(n.name)).map((n) => n.name).sort()).toEqual(
      ["ap-northeast-1", "eu-central-1", "eu-west-1", "us-east-1", "us-east-2"].map((r) => `ecs-rerun-relaunch-${r}`),
    );
    // Their long cluster lists spill into managed policies named after each role (account-wide names too).
    expect(named.filter((n) => n.type === "aws_iam_policy").map((n) => n.name)).toEqual(expect.arrayContaining(["ecs-rerun-relaunch-eu-central-1-clusters-1", "ecs-rerun-relaunch-us-east-1-clusters-1"]));
    expect(named.filter((n) => /-forward-launch-failures-\d+$/.test(n.name)).length).toBeGreaterThan(0);
    for (const n of named.filter((x) => x.where === "iam")) expect(n.name.length).toBeLessThanOrEqual(IAM_NAME_LIMITS.roleName);
    expect(collisions(named)).toEqual([]);
  });

  test("the check can fail: two spokes of one name in one region collide, in IAM and in the region", async () => {
    const found = collisions([...(await moduleNames("eu-west-1", {}, "spoke module", true)), ...spokeConstructNames("eu-west-1")]);
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining('aws_iam_role "ecs-rerun-relaunch-eu-west-1" in iam'), expect.stringContaining('aws_sqs_queue "ecs-rerun-forward-dlq" in eu-west-1')]));
  });

  test("no IAM name twice in the account, no regional name twice in a region", async () => {
    const named = [
      ...(await moduleNames("us-east-1", {}, "module")),
      ...(await moduleNames("eu-west-1", {}, "module")),
      ...(await moduleNames("ap-northeast-1", { name: "team-b" }, 'module "team-b"')),
      ...appNames("ap-northeast-1"),
    ];
    // The split rules exist (the check covers their names too), and every IAM name fits.
    expect(named.filter((n) => n.type === "aws_cloudwatch_event_rule" && /-launch-failures-\d+$/.test(n.name)).length).toBeGreaterThan(0);
    for (const n of named.filter((x) => x.where === "iam")) expect(n.name.length).toBeLessThanOrEqual(n.type === "aws_iam_role" ? IAM_NAME_LIMITS.roleName : IAM_NAME_LIMITS.instanceProfileName);
    expect(collisions(named)).toEqual([]);
  });

  test("the check can fail: two pipelines of one name in one region collide on their regional names (give each a name of its own)", async () => {
    const named = [...(await moduleNames("ap-northeast-1", {}, "module")), ...appNames("ap-northeast-1")];
    const found = collisions(named);
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining('aws_lambda_function "ecs-rerun-rerun" in ap-northeast-1')]));
    expect(found.filter((c) => c.includes(" in iam:"))).toEqual(expect.arrayContaining([expect.stringContaining('aws_iam_role "ecs-rerun-rerun-ap-northeast-1"')]));
  });

  test("Terraform fits a long name exactly as TypeScript does", async () => {
    const names = [`${"n".repeat(40)}-state-machine-us-isof-south-1`, "ecs-rerun-rerun-us-east-1", `${"x".repeat(70)}`];
    const stack = new TerraformStack(Testing.app(), "s");
    names.forEach((n, i) => new TerraformLocal(stack, `n${i}`, fittedNameHcl(n, 64)));
    const dir = scratchDir({ "fit.tf": renderLocalsTf((JSON.parse(Testing.synth(stack)) as { locals: Record<string, unknown> }).locals) });
    const r = await evaluate(dir, `jsonencode([${names.map((_, i) => `local.n${i}`).join(", ")}])`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.value!)).toEqual(names.map((n) => fittedName(n, 64)));
  });
});
