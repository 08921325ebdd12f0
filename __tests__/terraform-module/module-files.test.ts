import { existsSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AWS_PROVIDER_VERSION, EXAMPLE_INPUTS } from "../../modules/terraform-module/ecs-rerun-module-stack";
import { buildLambdaPackage } from "../../modules/pipeline/functions/lambda-package";
import { buildIntoTemp, listFiles, removeTempDirs, textFiles, unzip } from "./support";

const built = buildIntoTemp();
afterAll(removeTempDirs);
const dir = built.outDir;
const files = textFiles(dir);
const tf = JSON.parse(files["main.tf.json"]) as { resource: Record<string, Record<string, Record<string, unknown>>>; data: Record<string, unknown>; [k: string]: unknown };
const resources = Object.entries(tf.resource).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type, name, body })));
/** Files of the module itself; the examples are root modules of their own, the spoke a module of its own (spoke-module.test.ts). */
const moduleFiles = Object.fromEntries(Object.entries(files).filter(([f]) => !f.startsWith("examples/") && !f.startsWith("modules/")));
const configFiles = Object.fromEntries(Object.entries(moduleFiles).filter(([f]) => f.endsWith(".tf") || f.endsWith(".tf.json")));
const variableNames = Object.keys(built.json.variable ?? {});
const outputNames = Object.keys(built.json.output ?? {});

describe("the built module directory", () => {
  test("holds the interface in HCL, the resources in JSON syntax, the zips, a README and an example", () => {
    expect(listFiles(dir).sort()).toEqual(
      expect.arrayContaining(["README.md", "examples/basic/main.tf", "lambda/notifier.zip", "lambda/rerun.zip", "locals.tf", "main.tf.json", "outputs.tf", "variables.tf", "versions.tf"]),
    );
  });

  test("has no provider block and no backend, cloud or module block anywhere in the module", () => {
    // check: warns at plan when the notices would reach no one (Terraform >= 1.5).
    expect(Object.keys(tf).sort()).toEqual(["//", "check", "data", "resource"]);
    for (const [name, text] of Object.entries(configFiles)) {
      expect({ name, provider: /^\s*provider\s+"/m.test(text), backend: /^\s*(backend\s+"|cloud\s*\{)/m.test(text) }).toEqual({ name, provider: false, backend: false });
    }
  });

  test("asks for a range of AWS provider versions, not the exact pin of the prebuilt bindings, and a Terraform version", () => {
    const versions = moduleFiles["versions.tf"];
    expect(versions).toMatch(/required_version\s*=\s*">= 1\.\d+\.\d+"/);
    const aws = /aws\s*=\s*\{[^}]*source\s*=\s*"hashicorp\/aws"[^}]*version\s*=\s*"([^"]+)"/.exec(versions);
    expect(aws?.[1]).toBe(AWS_PROVIDER_VERSION);
    expect(aws?.[1]).toMatch(/^>= 6\.\d+\.\d+, < 7\.0\.0$/);
  });

  test("declares every variable it uses, and uses every variable it declares", () => {
    const declared = [...moduleFiles["variables.tf"].matchAll(/^variable "([^"]+)"/gm)].map((m) => m[1]);
    expect(declared).toEqual(variableNames);
    const usedIn = (text: string) => new Set([...text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
    const used = new Set(Object.entries(configFiles).flatMap(([f, text]) => (f === "variables.tf" ? [] : [...usedIn(text)])));
    expect([...used].filter((v) => !declared.includes(v))).toEqual([]);
    expect(declared.filter((v) => !used.has(v))).toEqual([]);
  });

  test("gives every variable a type and a description, and starts with create and ends with tags", () => {
    for (const [name, v] of Object.entries(built.json.variable ?? {})) expect({ name, type: typeof v.type, description: typeof v.description }).toEqual({ name, type: "string", description: "string" });
    expect(variableNames[0]).toBe("create");
    expect(variableNames[variableNames.length - 1]).toBe("tags");
    expect(variableNames).toEqual(
      expect.arrayContaining([
        "clusters",
        "retryable_reasons",
        "max_attempts",
        "first_delay_seconds",
        "backoff_rate",
        "max_delay_seconds",
        "jitter",
        "ignore_started_by",
        "catch_failed_to_start",
        "report_program_failures",
        "rerun_program_failure_families",
        "retryable_stopped_reasons",
        "verify_interval_seconds",
        "verify_timeout_seconds",
        "slack_webhook_parameter_name",
        "notification_emails",
        "kms_key_arn",
        "log_retention_days",
        "create_trail",
        "create_alarms",
        "expected_runs",
        "name",
      ]),
    );
  });

  test("checks ranges with validation blocks", () => {
    const v = built.json.variable!;
    for (const name of [
      "clusters",
      "max_attempts",
      "first_delay_seconds",
      "backoff_rate",
      "max_delay_seconds",
      "jitter",
      "log_retention_days",
      "notification_emails",
      "slack_webhook_parameter_name",
      "kms_key_arn",
      "name",
      "rerun_program_failure_families",
      "retryable_stopped_reasons",
      "verify_interval_seconds",
      "verify_timeout_seconds",
      "expected_runs",
    ]) {
      expect({ name, validations: (v[name].validation ?? []).length > 0 }).toEqual({ name, validations: true });
    }
  });

  test("describes every output, names it <resource>_<attribute> (plural for a map), and has the ones callers need", () => {
    for (const [name, o] of Object.entries(built.json.output ?? {})) {
      expect({ name, description: typeof o.description }).toEqual({ name, description: "string" });
      expect(name).toMatch(/^[a-z0-9_]+_(arn|url|name|id)s?$/);
    }
    expect(outputNames).toEqual(
      expect.arrayContaining(["state_machine_arn", "topic_arn", "rule_arn", "rerun_function_arn", "notifier_function_arn", "dead_letter_queue_url", "task_failures_rule_arn", "missed_run_alarm_arns"]),
    );
  });

  test("creates nothing when create is false: every resource is count- or for_each-switched by var.create, or for_each over a block that is", () => {
    const switched = (body: Record<string, unknown>): boolean => {
      const switch_ = String(body.count ?? body.for_each ?? "");
      if (switch_.includes("var.create")) return true;
      // for_each over another block's instances (a target per later rule): switched when that block is.
      const over = /^\$\{(aws_[a-z0-9_]+)\.([a-z0-9_]+)\}$/.exec(switch_);
      return over !== null && switched(tf.resource[over[1]][over[2]]);
    };
    for (const { type, name, body } of resources) {
      expect({ resource: `${type}.${name}`, switched: switched(body) }).toEqual({ resource: `${type}.${name}`, switched: true });
    }
  });

  test("refers to count-switched resources only through a splat or an index, never a bare attribute", () => {
    const counted = new Set(resources.filter((r) => r.body.count !== undefined).map((r) => `${r.type}.${r.name}`));
    const bare = Object.values(configFiles).flatMap((text) => [...text.matchAll(/\b(aws_[a-z0-9_]+\.[a-z0-9_]+)\.[a-z_]/g)].map((m) => m[1]).filter((address) => counted.has(address)));
    expect(bare).toEqual([]);
  });

  test("tags every resource that takes tags with var.tags", () => {
    const taggable = ["aws_kms_key", "aws_sns_topic", "aws_sqs_queue", "aws_cloudwatch_log_group", "aws_iam_role", "aws_lambda_function", "aws_sfn_state_machine", "aws_cloudwatch_event_rule", "aws_cloudwatch_metric_alarm", "aws_s3_bucket", "aws_cloudtrail"];
    for (const { type, name, body } of resources.filter((r) => taggable.includes(r.type))) expect({ resource: `${type}.${name}`, tags: body.tags }).toEqual({ resource: `${type}.${name}`, tags: "${var.tags}" });
  });
});

describe("Lambda packages inside the module", () => {
  const functions = resources.filter((r) => r.type === "aws_lambda_function");

  test("are read through ${path.module}, so the module works from wherever it is called", () => {
    expect(functions.map((f) => f.body.filename).sort()).toEqual(["${path.module}/lambda/notifier.zip", "${path.module}/lambda/reconciler.zip", "${path.module}/lambda/rerun.zip", "${path.module}/lambda/run-counter.zip", "${path.module}/lambda/starter.zip"]);
  });

  test("are hashed by Terraform from the very file it uploads, so the hash changes whenever the code does", () => {
    for (const f of functions) expect(f.body.source_code_hash).toBe(`\${filebase64sha256("${f.body.filename}")}`);
  });

  test("are the packages the project builds, byte for byte", () => {
    for (const name of ["rerun", "notifier"] as const) {
      expect(readFileSync(join(dir, "lambda", `${name}.zip`)).equals(readFileSync(buildLambdaPackage(name).zipPath))).toBe(true);
    }
  });

  test("every file the module references exists inside it", () => {
    const referenced = Object.values(configFiles).flatMap((text) => [...text.matchAll(/\$\{path\.module\}\/([^"}\s)\\]+)/g)].map((m) => m[1]));
    expect(referenced.length).toBeGreaterThan(0);
    for (const file of referenced) {
      expect(resolve(dir, file).startsWith(dir + "/")).toBe(true);
      expect({ file, exists: existsSync(join(dir, file)) }).toEqual({ file, exists: true });
    }
  });
});

describe("nothing of the build machine leaks into the module", () => {
  const projectRoot = resolve(__dirname, "..", "..");
  const forbidden = [projectRoot, homedir(), tmpdir(), dir, "cdktf.out", "/work/", "assets/"].filter((s) => s !== "/" && s !== "");
  const absolutePath = /(^|[\s"'=(,[])\/(home|root|Users|tmp|work|var|opt|private|mnt)\//m;

  test("no text file holds an absolute path, the project's path, a home or temp directory, or cdktf's output paths", () => {
    for (const [name, text] of Object.entries(files)) {
      expect({ name, found: forbidden.filter((s) => text.includes(s)) }).toEqual({ name, found: [] });
      expect({ name, absolute: absolutePath.exec(text)?.[0] ?? null }).toEqual({ name, absolute: null });
    }
  });

  test("neither does the code inside the zips (source maps included)", () => {
    for (const zip of ["lambda/rerun.zip", "lambda/notifier.zip"]) {
      const code = Object.values(unzip(readFileSync(join(dir, zip)))).map((b) => b.toString("utf8")).join("\n");
      expect(code.length).toBeGreaterThan(1000);
      expect({ zip, found: [projectRoot, homedir()].filter((s) => code.includes(s)) }).toEqual({ zip, found: [] });
    }
  });
});

describe("examples/basic", () => {
  const example = files["examples/basic/main.tf"];
  const moduleBlock = /module "ecs_rerun" \{([\s\S]*?)\n\}/.exec(example)?.[1] ?? "";

  test("calls the module by the relative path ../.., which is the module's directory", () => {
    const source = /source\s*=\s*"([^"]+)"/.exec(moduleBlock)?.[1];
    expect(source).toBe("../..");
    expect(resolve(dir, "examples/basic", source!)).toBe(dir);
  });

  test("is a root module with its own provider, and sets only the variables without a default and where notices go", () => {
    expect(example).toMatch(/^provider "aws" \{/m);
    const set = [...moduleBlock.matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]).filter((a) => a !== "source");
    const required = Object.entries(built.json.variable ?? {}).filter(([, v]) => !("default" in v)).map(([name]) => name);
    // Without a destination every plan would warn (the notices would reach no one).
    expect(set).toEqual([...required, "notification_emails"]);
    expect(set).toEqual(Object.keys(EXAMPLE_INPUTS));
  });
});

describe("README.md", () => {
  const readme = files["README.md"];
  const section = (name: string) => new RegExp(`<!-- BEGIN GENERATED ${name} -->\\n([\\s\\S]*?)\\n<!-- END GENERATED ${name} -->`).exec(readme)?.[1] ?? "";
  const firstColumn = (table: string) => [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);

  test("its generated inputs table lists every variable, in order, with its default", () => {
    expect(firstColumn(section("inputs"))).toEqual(variableNames);
    expect(section("inputs")).toContain('| `max_attempts` | Reruns before giving up (and alarming). | `number` | `3` | no |');
    expect(section("inputs")).toMatch(/\| `clusters` \| .* \| `list\(string\)` \| n\/a \| yes \|/);
    expect(section("inputs")).toContain("| `catch_failed_to_start` | Catch tasks that ECS accepted but stopped before they started");
    expect(section("inputs")).toMatch(/\| `expected_runs` \| .* \| `list\(object\(\{ name = string, family = optional\(string\), .*grace_seconds = optional\(number, 3600\) \}\)\)` \| `\[\]` \| no \|/);
    expect(section("inputs")).toMatch(/\| `retryable_stopped_reasons` \| .* \| `\["TaskFailedToStart: RESOURCE:\*", /);
  });

  test("its generated outputs table lists every output", () => {
    expect(firstColumn(section("outputs"))).toEqual(outputNames);
  });

  test("has usage, requirements and how to publish", () => {
    expect(readme).toMatch(/## Usage[\s\S]*module "ecs_rerun" \{[\s\S]*clusters += \["batch-ec2"\][\s\S]*notification_emails = \[/);
    expect(section("requirements")).toContain(AWS_PROVIDER_VERSION);
    expect(readme).toMatch(/## Publishing[\s\S]*terraform-aws-ecs-rerun[\s\S]*semantic-version git tag/);
  });
});
