/**
 * The spoke submodule (`modules/spoke` of the built module) and the two hub-and-spoke examples: a
 * child module by the same rules as the root one, its validation refusing what EcsRerunSpoke refuses,
 * and its patterns and relaunch policy, evaluated by `terraform console`, the literal construct's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { hclExpressionOf } from "../../modules/hcl/hcl-expression";
import { launchFailurePatterns } from "../../modules/pipeline/detection/launch-failure-pattern";
import { DEFAULT_IGNORE_STARTED_BY } from "../../modules/pipeline/pipeline-inputs";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "../../modules/spoke/ecs-rerun-spoke";
import { SPOKE_EXAMPLE_INPUTS } from "../../modules/terraform-module/ecs-rerun-spoke-module-stack";
import { renderLocalsTf } from "../../modules/terraform-module/hcl-file";
import { buildIntoTemp, describeWithTerraform, evaluate, evaluatedOnFirstUse, listFiles, planEach, removeTempDirs, scratchDir, terraform, textFiles } from "./support";

afterAll(removeTempDirs);

const built = buildIntoTemp();
const root = built.outDir;
const dir = join(root, "modules", "spoke");
const files = textFiles(dir);
const tf = JSON.parse(files["main.tf.json"]) as { resource: Record<string, Record<string, Record<string, unknown>>>; [k: string]: unknown };
const resources = Object.entries(tf.resource).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type, name, body })));
const configFiles = Object.fromEntries(Object.entries(files).filter(([f]) => f.endsWith(".tf") || f.endsWith(".tf.json")));
const declared = [...files["variables.tf"].matchAll(/^variable "([^"]+)"/gm)].map((m) => m[1]);
const outputs = [...files["outputs.tf"].matchAll(/^output "([^"]+)"/gm)].map((m) => m[1]);

describe("modules/spoke", () => {
  test("is laid out like a terraform-aws-modules submodule: versions, variables, outputs, resources, README", () => {
    expect(listFiles(dir).sort()).toEqual(expect.arrayContaining(["README.md", "main.tf.json", "outputs.tf", "variables.tf", "versions.tf"]));
    expect(files["versions.tf"]).toBe(readFileSync(join(root, "versions.tf"), "utf8"));
  });

  test("has no provider, backend or module block: the caller passes its provider for the spoke's account and region", () => {
    // check: warns at plan when its alarms would reach no one (Terraform >= 1.5).
    expect(Object.keys(tf).sort()).toEqual(["//", "check", "data", "resource"]);
    for (const [name, text] of Object.entries(configFiles)) expect({ name, provider: /^\s*provider\s+"/m.test(text), module: /^\s*module\s+"/m.test(text) }).toEqual({ name, provider: false, module: false });
  });

  test("declares every variable it uses and uses every one it declares, create first and tags last", () => {
    const used = new Set(Object.entries(configFiles).flatMap(([f, text]) => (f === "variables.tf" ? [] : [...text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))));
    expect([...used].filter((v) => !declared.includes(v))).toEqual([]);
    expect(declared.filter((v) => !used.has(v))).toEqual([]);
    expect([declared[0], declared[declared.length - 1]]).toEqual(["create", "tags"]);
    expect(declared).toEqual(expect.arrayContaining(["clusters", "hub_event_bus_arn", "hub_rerun_role_arn", "hub_reconciler_role_arn", "name", "pass_role_arns", "create_trail", "alarm_actions"]));
  });

  test("outputs the roles, the queue and the rules", () => {
    expect(outputs).toEqual(["relaunch_role_arn", "sweep_role_arn", "forward_role_arn", "dead_letter_queue_arn", "rule_arn", "task_failures_rule_arn", "trail_arn"]);
  });

  test("creates nothing when create is false, and tags everything that takes tags", () => {
    const switched = (body: Record<string, unknown>): boolean => {
      const s = String(body.count ?? body.for_each ?? "");
      const over = /^\$\{\{? ?for k, r in (aws_[a-z0-9_]+)\.([a-z0-9_]+) |^\$\{(aws_[a-z0-9_]+)\.([a-z0-9_]+)\}$/.exec(s);
      return s.includes("var.create") || (over !== null && switched(tf.resource[over[1] ?? over[3]][over[2] ?? over[4]]));
    };
    for (const { type, name, body } of resources) expect({ resource: `${type}.${name}`, switched: switched(body) }).toEqual({ resource: `${type}.${name}`, switched: true });
    const taggable = ["aws_sqs_queue", "aws_iam_role", "aws_cloudwatch_event_rule", "aws_cloudwatch_metric_alarm", "aws_s3_bucket", "aws_cloudtrail"];
    for (const { type, name, body } of resources.filter((r) => taggable.includes(r.type))) expect({ resource: `${type}.${name}`, tags: body.tags }).toEqual({ resource: `${type}.${name}`, tags: "${var.tags}" });
  });

  test("its README lists every input and output in generated tables, and says to apply the hub first", () => {
    const readme = files["README.md"];
    for (const v of declared) expect(readme).toContain(`| \`${v}\` |`);
    for (const o of outputs) expect(readme).toContain(`| \`${o}\` |`);
    expect(readme).toContain("<!-- BEGIN GENERATED inputs -->");
    expect(readme).toMatch(/Apply the hub first/);
  });
});

describe("the root module's documents name the submodule and the examples", () => {
  test("README lists modules/spoke, examples/multi-region and examples/multi-account", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    for (const path of ["modules/spoke", "examples/multi-region", "examples/multi-account"]) expect(readme).toContain(`(${path})`);
  });
  test.each(["multi-region", "multi-account"])("examples/%s calls the hub from ../.. and a spoke from ../../modules/spoke with its own provider", (example) => {
    const text = readFileSync(join(root, "examples", example, "main.tf"), "utf8");
    expect(text).toMatch(/module "ecs_rerun" \{\n {2}source = "\.\.\/\.\."/);
    expect(text).toMatch(/source {4}= "\.\.\/\.\.\/modules\/spoke"\n {2}providers = \{ aws = aws\.[a-z_0-9]+ \}/);
    expect(text).toMatch(/hub_event_bus_arn += module\.ecs_rerun\.hub_event_bus_arn/);
    expect(text).toMatch(/hub_rerun_role_arn += module\.ecs_rerun\.rerun_role_arn/);
    // The spoke's sweep role, for the hub's reconciler.
    expect(text).toMatch(/hub_reconciler_role_arn = module\.ecs_rerun\.reconciler_role_arn/);
    expect(text).toMatch(/spoke_clusters += \["arn:aws:ecs:eu-west-1:/);
    // Every alarm of the hub and of the spoke reaches someone besides the hub's topic.
    expect(text.match(/^\s*alarm_actions\s+= \[/gm)).toHaveLength(2);
  });
});

describeWithTerraform("modules/spoke as terraform reads it", () => {
  test("the module and both examples are formatted as terraform fmt writes them (before any fmt ran)", async () => {
    expect(built.formatted).toBe(false);
    const r = await terraform(root, ["fmt", "-check", "-recursive", "-diff", "-no-color", "."]);
    expect({ code: r.code, diff: r.stdout, errors: r.stderr }).toEqual({ code: 0, diff: "", errors: "" });
  });

  test.each([
    ["multi-region", "ecs_rerun_spoke_eu_west_1"],
    ["multi-account", "ecs_rerun_spoke_workload"],
  ])("examples/%s installs the hub and the spoke from their relative paths without any download", async (example, spoke) => {
    const r = await terraform(join(root, "examples", example), ["get", "-no-color"]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("ecs_rerun in ../..") });
    expect(r.stdout).toContain(`${spoke} in ../../modules/spoke`);
  });

  describe("validation refuses what EcsRerunSpoke refuses", () => {
    const vars = scratchDir({ "variables.tf": files["variables.tf"] });
    const construct = (props: Partial<EcsRerunSpokeProps>) => () => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new EcsRerunSpoke(stack, "s", { clusters: ["batch-ec2"], hubEventBusArn: String(SPOKE_EXAMPLE_INPUTS.hub_event_bus_arn), hubRerunRoleArn: String(SPOKE_EXAMPLE_INPUTS.hub_rerun_role_arn), ...props });
    };
    const refused: [string, Partial<EcsRerunSpokeProps>, Record<string, unknown>][] = [
      ["no cluster", { clusters: [] }, { clusters: [] }],
      ["a bus given by name", { hubEventBusArn: "ecs-rerun-hub" }, { hub_event_bus_arn: "ecs-rerun-hub" }],
      ["a hub role outside /ecs-rerun/", { hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun-rerun-us-east-1" }, { hub_rerun_role_arn: "arn:aws:iam::111122223333:role/ecs-rerun-rerun-us-east-1" }],
      ["an empty list of roles to pass", { passRoleArns: [] }, { pass_role_arns: [] }],
      ["a name with a space", { name: "ecs rerun" }, { name: "ecs rerun" }],
      ["an alarm action that is no ARN", { alarmActions: ["ops"] }, { alarm_actions: ["ops"] }],
      ["a role path under /ecs-rerun/, reserved for relaunch roles", { rolePath: "/ecs-rerun/mine/" }, { role_path: "/ecs-rerun/mine/" }],
      ["a boundary that is a role, not a policy", { rolePermissionsBoundary: "arn:aws:iam::222233334444:role/boundary" }, { role_permissions_boundary: "arn:aws:iam::222233334444:role/boundary" }],
    ];
    const roles = { rolePath: "/platform/", rolePermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess" };
    // Every case planned by one `terraform test` process, the first test to ask starting it.
    let planned: ReturnType<typeof planEach> | undefined;
    const verdictOf = async (name: string) =>
      (await (planned ??= planEach(vars, {
        ...Object.fromEntries(refused.map(([n, , tfVars]) => [n, { ...SPOKE_EXAMPLE_INPUTS, ...tfVars }])),
        example: SPOKE_EXAMPLE_INPUTS,
        roles: { ...SPOKE_EXAMPLE_INPUTS, role_path: roles.rolePath, role_permissions_boundary: roles.rolePermissionsBoundary },
      })))[name];
    test.each(refused)("%s", async (name, props, tfVars) => {
      expect(construct(props)).toThrow(/is invalid/);
      const { status, errors } = await verdictOf(name);
      expect(status).toBe("error");
      expect(errors.join("\n")).toContain("Invalid value for variable");
      expect(errors.join("\n")).toContain(`var.${Object.keys(tfVars)[0]} is`);
    });
    test("and both accept the example's inputs (the check above can pass)", async () => {
      expect(construct({})).not.toThrow();
      expect(await verdictOf("example")).toEqual({ status: "pass", errors: [] });
      expect(construct(roles)).not.toThrow();
      expect(await verdictOf("roles")).toEqual({ status: "pass", errors: [] });
    });
  });

  describe("what terraform computes is the literal construct's", () => {
    const place = { account: "222233334444", region: "eu-west-1" };
    const fill = (text: string) =>
      text.replace(/data\.aws_partition\.[a-z_]+\.partition/g, '"aws"').replace(/data\.aws_caller_identity\.[a-z_]+\.account_id/g, `"${place.account}"`).replace(/data\.aws_region\.[a-z_]+\.region/g, `"${place.region}"`);
    const hclOf = (v: unknown) => hclExpressionOf(v, "inline");
    const role = tf.resource.aws_iam_role.relaunch_role as { name: string; lifecycle: { precondition: { condition: string }[] } };
    const dirWith = scratchDir({
      "variables.tf": files["variables.tf"],
      "locals.tf": fill(files["locals.tf"]),
      "checks.tf": renderLocalsTf({
        relaunch_policy: fill(String(tf.resource.aws_iam_role_policy.relaunch_policy.policy)),
        relaunch_role_name: fill(String(role.name)),
        preconditions: `\${[${role.lifecycle.precondition.map((p) => fill(hclOf(p.condition))).join(", ")}]}`,
      }),
    });
    const literalSpoke = (props: Partial<EcsRerunSpokeProps>) => {
      const stack = new TerraformStack(Testing.app(), "s");
      new AwsProvider(stack, "aws", { region: place.region });
      new EcsRerunSpoke(stack, "s", { region: place.region, hubEventBusArn: String(SPOKE_EXAMPLE_INPUTS.hub_event_bus_arn), hubRerunRoleArn: String(SPOKE_EXAMPLE_INPUTS.hub_rerun_role_arn), clusters: [], ...props });
      const text = Testing.synth(stack).replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, "aws").replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, place.account).replace(/\$\{data\.aws_region\.[A-Za-z0-9_-]+\.region\}/g, place.region);
      return JSON.parse(text) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    };
    const manyClusters = Array.from({ length: 150 }, (_, i) => (i % 4 === 0 ? `arn:aws:ecs:eu-west-1:222233334444:cluster/b-${i}` : `b-${i}`));

    const cases: [string, Partial<EcsRerunSpokeProps>, Record<string, unknown>][] = [
      ["one cluster, defaults", { clusters: ["batch-ec2"] }, { clusters: ["batch-ec2"] }],
      ["names and ARNs, families and roles", { clusters: ["a", "arn:aws:ecs:eu-west-1:222233334444:cluster/b"], taskDefinitionFamilies: ["nightly"], passRoleArns: ["arn:aws:iam::222233334444:role/task"] }, { clusters: ["a", "arn:aws:ecs:eu-west-1:222233334444:cluster/b"], task_definition_families: ["nightly"], pass_role_arns: ["arn:aws:iam::222233334444:role/task"] }],
      ["150 clusters: split over several rules", { clusters: manyClusters }, { clusters: manyClusters }],
    ];
    const expression = "jsonencode({ launch = local.launch_failure_patterns, policy = local.relaunch_policy, name = local.relaunch_role_name, ok = local.preconditions })";
    const evaluation = evaluatedOnFirstUse(dirWith, Object.fromEntries(cases.map(([w, , vars]) => [w, { expression, vars: { ...SPOKE_EXAMPLE_INPUTS, ...vars } }])));
    test.each(cases)("%s: forwarding patterns rule by rule, and the relaunch policy", async (what, props, tfVars) => {
      const r = await evaluation(what);
      expect(r.stderr).toBe("");
      const v = JSON.parse(r.value!) as { launch: Record<string, string>; policy: string; name: string; ok: boolean[] };
      const clusters = tfVars.clusters as string[];
      const expected = launchFailurePatterns({ clusters, ignoreStartedBy: DEFAULT_IGNORE_STARTED_BY, relaunchRoleArnPrefix: `arn:aws:iam::${place.account}:role/ecs-rerun/` });
      expect(Object.fromEntries(Object.entries(v.launch).map(([k, p]) => [k, JSON.parse(p)]))).toEqual(expected);
      if (clusters.length > 100) expect(Object.keys(v.launch).length).toBeGreaterThan(1);
      const literal = Object.values(literalSpoke(props).resource.aws_iam_role_policy).find((p) => p.name === "relaunch-on-protected-clusters")!;
      expect(JSON.parse(v.policy).Statement).toEqual(JSON.parse(String(literal.policy)).Statement);
      expect(v.name).toBe("ecs-rerun-relaunch-eu-west-1");
      expect(v.ok).toEqual([true, true]);
    });

    test("a cluster ARN of another region fails the role's precondition", async () => {
      const r = await evaluate(dirWith, "jsonencode(local.preconditions)", { ...SPOKE_EXAMPLE_INPUTS, clusters: ["arn:aws:ecs:us-east-1:222233334444:cluster/x"] });
      expect(JSON.parse(r.value!)).toEqual([true, false]);
    });

    describe("long lists: Terraform cuts them into the inline and managed policies where the construct does, and refuses what it refuses", () => {
      const policy = tf.resource.aws_iam_role_policy.relaunch_policy as { lifecycle: { precondition: { condition: string; error_message: string }[] } };
      const managed = tf.resource.aws_iam_policy.relaunch_cluster_policies as { for_each: string };
      // Only the relaunch policy's locals: terraform console evaluates every local of its directory, and
      // the event-pattern bins (each matcher sums the lengths of all before it: quadratic in HCL) took about 4 of the 5 s each 414-cluster evaluation cost.
      const relaunchLocals = Object.fromEntries(Object.entries(built.spoke.locals ?? {}).filter(([name]) => name.startsWith("relaunch_")));
      const dirWithParts = scratchDir({
        "variables.tf": files["variables.tf"],
        "locals.tf": fill(renderLocalsTf(relaunchLocals)),
        "checks.tf": renderLocalsTf({
          relaunch_policy: fill(String(tf.resource.aws_iam_role_policy.relaunch_policy.policy)),
          managed_policies: fill(String(managed.for_each)),
          fits: `\${${fill(hclOf(policy.lifecycle.precondition[0].condition))}}`,
        }),
      });
      /** Names of 20 characters, as the README's maxima are stated for. */
      const names = (n: number) => Array.from({ length: n }, (_, i) => `cluster-${String(i).padStart(12, "0")}`);

      const expression = "jsonencode({ policy = local.relaunch_policy, managed = local.managed_policies, fits = local.fits })";
      const counts = [200, 414];
      const evaluation = evaluatedOnFirstUse(dirWithParts, Object.fromEntries(counts.map((m) => [m, { expression, vars: { ...SPOKE_EXAMPLE_INPUTS, clusters: names(m) } }])));
      test.each(counts)("%i clusters: the same inline policy, the same managed policies", async (n) => {
        const clusters = names(n);
        const r = await evaluation(String(n));
        expect(r.stderr).toBe("");
        const v = JSON.parse(r.value!) as { policy: string; managed: Record<string, string>; fits: boolean };
        const literal = literalSpoke({ clusters }).resource;
        const inline = Object.values(literal.aws_iam_role_policy).find((p) => p.name === "relaunch-on-protected-clusters")!;
        expect(JSON.parse(v.policy).Statement).toEqual(JSON.parse(String(inline.policy)).Statement);
        const literalManaged = Object.values(literal.aws_iam_policy)[0].for_each as Record<string, string>;
        expect(Object.keys(v.managed)).toEqual(Object.keys(literalManaged));
        for (const key of Object.keys(literalManaged)) expect(JSON.parse(v.managed[key]).Statement).toEqual(JSON.parse(literalManaged[key]).Statement);
        expect(v.fits).toBe(true);
      });

      test("415 clusters: the construct throws, the module's precondition fails with the same explanation", async () => {
        const clusters = names(415);
        expect(() => literalSpoke({ clusters })).toThrow(/cannot be granted 415 protected clusters: .* so 54 fit its inline policy relaunch-on-protected-clusters/);
        const r = await evaluate(dirWithParts, "local.fits", { ...SPOKE_EXAMPLE_INPUTS, clusters });
        expect(r).toEqual({ value: "false", stderr: "" });
        expect(policy.lifecycle.precondition[0].error_message).toContain("protected clusters: its inline policies take up to");
      });
    });
  });
});
