import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { DEMO_JOB } from "../../jobs";
import { buildApp } from "../../modules/app";
import { AWS_PROVIDER_VERSION } from "../../modules/terraform-module/ecs-rerun-module-stack";
import { renderModuleFiles } from "../../modules/terraform-module/module-files";
import { sharedModule } from "../support/shared-module";
import { README } from "../../scripts/readme";
import { INSTALLED_BINDINGS, bindingsProviderVersion, schemaProblems, type TfJsonConfig } from "../../scripts/provider-schema";
import { removeTempDirs, tempDir } from "./support";

afterAll(removeTempDirs);

const { json, spoke } = sharedModule();
/** Every text file of the built module, as `npm run build:module` writes it to dist/. */
const moduleFiles = renderModuleFiles(json, spoke);
/** The app's three stacks (a hub, and a spoke stack beside it), as cdktf synthesizes them. */
const stacks = (() => {
  const env = {
    ECS_RERUN_SPOKE_CLUSTERS: "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2",
    ECS_RERUN_HUB_EVENT_BUS_ARN: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
    ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
    ECS_RERUN_ALARM_ACTIONS: "arn:aws:sns:us-east-1:111122223333:on-call",
  };
  const built = buildApp(Testing.app(), env, { jobs: [DEMO_JOB] });
  return { "ecs-cluster": Testing.synth(built.cluster!), "ecs-rerun": Testing.synth(built.rerun!), "ecs-rerun-spoke": Testing.synth(built.spoke!) };
})();

/**
 * Attributes of data sources that AWS provider 6.x deprecates: every plan would warn. `name` of
 * aws_region since 6.0 and `id` since 6.47 (the data source's schema in the provider's source; issue
 * hashicorp/terraform-provider-aws#48036); `region` is what replaces both.
 */
const DEPRECATED = [/aws_region\.[a-z_0-9-]*(\[[^\]]*\])?\.name\b/, /aws_region\.[a-z_0-9-]*(\[[^\]]*\])?\.id\b/];

describe("no attribute that AWS provider 6 deprecates", () => {
  test("the built module, root and spoke, reads the region from aws_region's region attribute only", () => {
    const hits = Object.entries(moduleFiles).flatMap(([file, text]) => DEPRECATED.filter((re) => re.test(text)).map((re) => `${file}: ${re.source}`));
    expect(hits).toEqual([]);
    expect(moduleFiles["main.tf.json"]).toContain("data.aws_region.region.region");
    expect(moduleFiles["modules/spoke/main.tf.json"]).toContain("data.aws_region.region.region");
  });

  test("neither do the app's stacks, which share the constructs", () => {
    const hits = Object.entries(stacks).flatMap(([stack, text]) => DEPRECATED.filter((re) => re.test(text)).map((re) => `${stack}: ${re.source}`));
    expect(hits).toEqual([]);
  });

  test("the check can fail: a name read the old way is caught", () => {
    expect(DEPRECATED[0].test('"${data.aws_region.region.name}"')).toBe(true);
    expect(DEPRECATED[1].test('"${one(data.aws_region.region[*].id)}"')).toBe(true);
    expect(DEPRECATED.some((re) => re.test('"${data.aws_region.region.region}"'))).toBe(false);
  });
});

describe("the module against the provider schema the bindings were generated from", () => {
  test("the installed bindings are the newest the module supports: a 6.x provider", () => {
    expect(bindingsProviderVersion(INSTALLED_BINDINGS)).toMatch(/^6\.\d+\.\d+$/);
    expect(AWS_PROVIDER_VERSION).toBe(">= 6.0.0, < 7.0.0");
  });

  test("every type, argument and attribute of the module and its spoke exists in that schema", () => {
    expect(schemaProblems(json)).toEqual([]);
    expect(schemaProblems(spoke)).toEqual([]);
  });

  test("and of the app's stacks", () => {
    for (const [stack, text] of Object.entries(stacks)) expect({ stack, problems: schemaProblems(JSON.parse(text) as TfJsonConfig) }).toEqual({ stack, problems: [] });
  });

  test("the check can fail: an argument or attribute the schema lacks is named, a map's own keys are not", () => {
    const config: TfJsonConfig = {
      resource: {
        aws_sqs_queue: { q: { name: "q", tags: { anything: "goes" }, fifo_throughput: "x" } },
        aws_cloudwatch_metric_alarm: { a: { alarm_name: "a", dimensions: { QueueName: "q" } } },
        aws_nowhere_thing: { n: {} },
      },
      output: { x: { value: "${aws_sqs_queue.q.arn} ${aws_sqs_queue.q.colour}" } },
    };
    expect(schemaProblems(config)).toEqual(["argument aws_sqs_queue.q.fifo_throughput: not in the schema", "resource type aws_nowhere_thing: not in the schema", "attribute aws_sqs_queue.q.colour: not in the schema"]);
  });

  test("the check can fail: against a 5.x schema without aws_region's region attribute, the module is refused", () => {
    // A stand-in for @cdktf/provider-aws 20.0.0 (provider 5.99.1), cut down to the one data source.
    const dir = tempDir("ecs-rerun-bindings-");
    mkdirSync(join(dir, "lib", "provider"), { recursive: true });
    mkdirSync(join(dir, "lib", "data-aws-region"), { recursive: true });
    writeFileSync(join(dir, "lib", "provider", "index.d.ts"), "* Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/5.99.1/docs aws}\n");
    writeFileSync(
      join(dir, "lib", "data-aws-region", "index.js"),
      ["    get name() {", "        return this.getStringAttribute('name');", "    synthesizeAttributes() {", "        return {", "            name: cdktf.stringToTerraform(this._name),", "        };", 'DataAwsRegion.tfResourceType = "aws_region";'].join("\n"),
    );
    expect(bindingsProviderVersion(dir)).toBe("5.99.1");
    // The other types are not in the stand-in: only what it says of aws_region counts here.
    expect(schemaProblems(json, dir).filter((p) => p.includes("aws_region"))).toEqual(["attribute data.aws_region.region.region: not in the schema"]);
  });

  test("the README states the module's provider range", () => {
    const [floor, ceiling] = /^>= (\d+\.\d+)\.0, < (\d+)\.0\.0$/.exec(AWS_PROVIDER_VERSION)!.slice(1);
    expect(readFileSync(README, "utf8")).toContain(`the AWS provider >= ${floor}, < ${ceiling}.`);
  });
});
