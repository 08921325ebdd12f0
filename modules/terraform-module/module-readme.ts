/** The module's README: usage example and the inputs and outputs tables, generated. */
import { alignAttributes, hclExpressionOf, hclString } from "../hcl/hcl-expression";
import { renderVersionsTf, type TfJsonOutput, type TfJsonSettings, type TfJsonVariable } from "./hcl-file";
import { MODULE_VERSION, versionConstraint } from "./module-version";

/** What the module's documents are rendered from: its synthesized variables, outputs and settings. */
export interface ModuleInterface {
  /** The module's variables, in declaration order. */
  readonly variables: Readonly<Record<string, TfJsonVariable>>;
  /** The module's outputs, in declaration order. */
  readonly outputs: Readonly<Record<string, TfJsonOutput>>;
  /** Its `terraform` settings (required versions). */
  readonly settings: TfJsonSettings;
}

/** Options of {@link renderModuleReadme}. */
export interface ModuleReadmeOptions {
  /** Repository name, `terraform-<provider>-<name>`. */
  readonly repository: string;
  /** Registry address users put in `source`. @default "<namespace>/<name>/<provider>" from the repository name */
  readonly registrySource?: string;
  /** Values for the required variables in the usage example. @default {} */
  readonly exampleInputs?: Readonly<Record<string, unknown>>;
}

/** Text made safe for one Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/** Inline code in a table cell; backticks inside are not expected in HCL values but would end the span. */
function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

const isRequired = (v: TfJsonVariable) => !("default" in v);

/**
 * The inputs table, one row per variable in declaration order. Exported so the project README can
 * embed the same table.
 */
export function renderInputsTable(variables: Readonly<Record<string, TfJsonVariable>>): string {
  const rows = Object.entries(variables).map(
    ([name, v]) => `| ${code(name)} | ${cell(v.description ?? "")} | ${code(v.type ?? "any")} | ${isRequired(v) ? "n/a" : code(hclExpressionOf(v.default, "inline"))} | ${isRequired(v) ? "yes" : "no"} |`,
  );
  return ["| Name | Description | Type | Default | Required |", "| --- | --- | --- | --- | :---: |", ...rows].join("\n");
}

/** The outputs table, one row per output in declaration order. */
export function renderOutputsTable(outputs: Readonly<Record<string, TfJsonOutput>>): string {
  const rows = Object.entries(outputs).map(([name, o]) => `| ${code(name)} | ${cell(o.description ?? "")} |`);
  return ["| Name | Description |", "| --- | --- |", ...rows].join("\n");
}

/** The requirements table: Terraform itself and every provider, with the versions the module accepts. */
export function renderRequirementsTable(settings: TfJsonSettings): string {
  const rows = [
    ...(settings.required_version ? [`| terraform | ${code(settings.required_version)} |`] : []),
    ...Object.entries(settings.required_providers ?? {}).map(([name, p]) => `| ${name} (${p.source}) | ${code(p.version)} |`),
  ];
  return ["| Name | Version |", "| --- | --- |", ...rows].join("\n");
}

/** A `module` block setting the required variables, then the other variables `exampleInputs` gives (where notices go). */
function moduleBlock(source: string, variables: ModuleInterface["variables"], exampleInputs: Readonly<Record<string, unknown>>, version?: string): string {
  const required = Object.entries(variables).filter(([, v]) => isRequired(v));
  for (const [name] of required) {
    if (!(name in exampleInputs)) throw new Error(`exampleInputs has no value for the required variable ${name}: the example could not be applied`);
  }
  for (const name of Object.keys(exampleInputs)) if (!(name in variables)) throw new Error(`exampleInputs names ${name}, which is no variable of the module`);
  const head = [{ name: "source", value: hclString(source) }, ...(version ? [{ name: "version", value: hclString(version) }] : [])];
  const optional = Object.keys(exampleInputs).filter((name) => !required.some(([r]) => r === name));
  const inputs = [...required.map(([name]) => name), ...optional].map((name) => ({ name, value: hclExpressionOf(exampleInputs[name]) }));
  return `module "ecs_rerun" {\n${alignAttributes(head, "  ")}\n${inputs.length > 0 ? `\n${alignAttributes(inputs, "  ")}\n` : ""}}`;
}

/**
 * `examples/basic/main.tf`: a root module with its provider, calling the module by relative path
 * and setting only what has no default.
 */
export function renderBasicExample(iface: ModuleInterface, exampleInputs: Readonly<Record<string, unknown>>): string {
  const outputs = Object.entries(iface.outputs)
    .slice(0, 2)
    .map(([name, o]) => `output ${hclString(name)} {\n${alignAttributes([{ name: "description", value: hclString(o.description ?? name) }, { name: "value", value: `module.ecs_rerun.${name}` }], "  ")}\n}`);
  return [
    "# The least a caller sets: the clusters to protect, and where notices go (else every plan warns).",
    "# Everything else has a default.",
    renderVersionsTf(iface.settings).trimEnd(),
    "",
    'provider "aws" {',
    '  region = "us-east-1" # the region of the protected clusters',
    "}",
    "",
    moduleBlock("../..", iface.variables, exampleInputs),
    "",
    outputs.join("\n\n"),
    "",
  ].join("\n");
}

/** Begin and end markers of a generated README section, for tools that refresh it in place. */
export const generated = (name: string, body: string) => `<!-- BEGIN GENERATED ${name} -->\n${body}\n<!-- END GENERATED ${name} -->`;

/** The generated Requirements, Inputs and Outputs sections of a module's README (root or submodule). */
export function referenceSections(iface: ModuleInterface): string {
  return `## Requirements

${generated("requirements", renderRequirementsTable(iface.settings))}

## Inputs

${generated("inputs", renderInputsTable(iface.variables))}

## Outputs

${generated("outputs", renderOutputsTable(iface.outputs))}`;
}

/** The module's README: usage, requirements, inputs and outputs (generated), examples, and how to publish it. */
export function renderModuleReadme(iface: ModuleInterface, options: ModuleReadmeOptions): string {
  const [, provider, ...nameParts] = options.repository.split("-");
  const source = options.registrySource ?? `<namespace>/${nameParts.join("-")}/${provider}`;
  const exampleInputs = options.exampleInputs ?? {};
  return `# ${options.repository}

Terraform module that reruns Amazon ECS tasks whose launch was rejected. EventBridge (or anything
else) calls \`ecs:RunTask\`; ECS answers HTTP 200 with an empty \`tasks\` list and a \`failures\` list
(reason \`AGENT\`: the container agent was reconnecting, which AWS says happens several times an
hour); nothing retries and the job silently does not run. This module catches the CloudTrail record
of every such call on the clusters you protect, reruns the task with its original request after a
backoff, and publishes a notice at each step (to Slack, email or any SNS subscriber).

- An EventBridge rule on CloudTrail records of RunTask/StartTask calls answered with failures, on the
  protected clusters only; it ignores the reruns of every ecs-rerun pipeline (calls by roles under
  the IAM path \`/ecs-rerun/\`) and, by default, calls started by Step Functions (which retry on
  their own). A long \`clusters\` list is spread over several rules, each within EventBridge's
  2,048-character pattern quota.
- A Standard Step Functions state machine that classifies the failure, waits with exponential backoff
  and full jitter, reruns through a Lambda (same request, only the missing count, a fresh idempotent
  client token), and gives up after \`max_attempts\` with a failed execution.
- Transient reasons (\`AGENT\`, \`RESOURCE:*\`, Fargate capacity) are rerun; configuration reasons
  (\`ATTRIBUTE\`, \`MISSING\`, ...) are reported to a human instead.
- A second rule catches tasks that ECS accepted but that stopped before starting
  (\`catch_failed_to_start\`; rerun when \`retryable_stopped_reasons\` matches: capacity, agent,
  registry or network timeouts) and tasks that ran and exited non-zero (\`report_program_failures\`;
  reported, and rerun only for \`rerun_program_failure_families\`). Every rerun is checked until its
  tasks start (\`verify_interval_seconds\`, \`verify_timeout_seconds\`).
- Optional missed-run alarms (\`expected_runs\`): a dead man's switch per job that fires when no
  successful run arrives within its interval plus grace, the one failure no event shows (the job was
  never invoked).
- An SNS topic encrypted with a customer-managed KMS key, an optional Slack notifier Lambda that reads
  the webhook URL from an SSM SecureString at run time (the URL never lands in Terraform state), a
  dead-letter queue, and alarms on the pipeline itself, each also notifying \`alarm_actions\`.
- Somewhere for the notices to go: with no \`slack_webhook_parameter_name\`, no \`notification_emails\`
  and no \`alarm_actions\`, a \`check\` block warns at every plan (set \`allow_no_destination = true\`
  when you subscribe \`topic_arn\` yourself).
- A CloudWatch dashboard \`<name>-<region>\` (\`create_dashboard\`): failures found by their event or by
  the reconciler, how they ended, time to recovery, launches paced, notices that failed, missed runs.
- Least privilege: \`ecs:RunTask\`/\`ecs:StartTask\` only with an \`ecs:cluster\` condition naming the
  protected clusters, \`iam:PassRole\` only to \`ecs-tasks.amazonaws.com\` (and the roles of
  \`infrastructure_role_arns\`, if any, only to \`ecs.amazonaws.com\`), one topic, one state machine.

## Usage

\`\`\`hcl
${moduleBlock(source, iface.variables, exampleInputs, versionConstraint())}
\`\`\`

To follow a repository instead of a registry: \`source = "git::https://github.com/<owner>/${options.repository}.git?ref=v${MODULE_VERSION}"\`.

Before the first apply:

- EventBridge receives \`AWS API Call via CloudTrail\` events only for calls some CloudTrail trail
  logs. If no trail logs write management events in this account and region, set
  \`create_trail = true\` (one such trail per account and region is enough).
- To see it work once applied: \`npm run self-test -- --region <region>\` in the ecs-rerun project (or
  \`aws lambda invoke\` of \`<name>-starter\` with a self-test event, as its README shows) sends a
  synthetic failure through the whole pipeline, launching nothing, and posts one "self-test" message.
- For Slack, store the webhook URL once and give the module the parameter's **name**:
  \`aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value https://hooks.slack.com/...\`,
  then \`slack_webhook_parameter_name = "/ecs-rerun/slack-webhook"\`.
- The module has no \`provider\` block: it uses the caller's \`aws\` provider (pass another with
  \`providers = { aws = aws.other }\`), and its region is the region of the protected clusters.
  Tags: set \`tags\`, or \`default_tags\` on your provider.

Several pipelines: IAM role names carry the region, so the module deploys to any number of regions
of one account, beside the \`ecs-rerun\` stack too; two instances in one region need different
\`name\`s. Pipelines that share a cluster leave each other's reruns alone.

## Upgrading to the region-qualified names

This version renames the IAM roles (\`<name>-rerun\` becomes \`<name>-rerun-<region>\`, and so on)
and moves the rerun role under the path \`/ecs-rerun/\`. IAM cannot rename a role or change its path,
so the first plan replaces the four roles, their inline policies, and, with them, the functions' and
state machine's role ARNs (updated in place; no resource address changes). Upgrade every pipeline
that protects the same clusters: an older one ignores only its own role by name and would catch the
newer ones' reruns.

${referenceSections(iface)}

## Many accounts and regions: hub and spokes

A rule and the events it sees live in one account and region. To protect clusters of other accounts
or regions, this module is the **hub** (give it \`spoke_clusters\`, their full ARNs, and/or
\`spoke_organization_id\`): it gains an event bus admitting those accounts, rules on it, and a rerun
role that may assume the spokes' relaunch roles. Each other account and region calls the
[\`modules/spoke\`](modules/spoke) submodule with the hub's \`hub_event_bus_arn\` and \`rerun_role_arn\`:
it forwards its clusters' failures to the hub's bus and holds the relaunch role the hub reruns with.

## Submodules

- [\`modules/spoke\`](modules/spoke): a spoke, one per other account and region.

## Examples

- [\`examples/basic\`](examples/basic): the smallest root module calling this one (\`source = "../.."\`).
- [\`examples/multi-region\`](examples/multi-region): one account, the hub in one region and a spoke in another.
- [\`examples/multi-account\`](examples/multi-account): the hub in a central account, a spoke in a workload account.

## Files

| File | What |
| --- | --- |
| \`versions.tf\` | Terraform and provider versions |
| \`variables.tf\`, \`outputs.tf\` | the interface |
| \`locals.tf\` | the EventBridge patterns, computed from \`clusters\`, \`ignore_started_by\` and the switches, and split over rules to fit the pattern size quota |
| \`main.tf.json\` | the resources, in Terraform's JSON syntax |
| \`modules/spoke/\` | the spoke submodule, laid out the same way |
| \`lambda/*.zip\` | the Lambda packages, referenced as \`\${path.module}/lambda/...\` and hashed by Terraform |

This directory is generated by \`npm run build:module\` in the ecs-rerun project, from the same CDKTF
construct its \`ecs-rerun\` stack deploys; change the construct and rebuild rather than edit here.
Resources are in JSON syntax because CDKTF's HCL output does not survive \`terraform fmt\` (it writes
JSON policy documents into quoted HCL strings without escaping their quotes) and because telling
nested blocks from attributes in HCL needs the provider's schema, which Terraform's JSON syntax
resolves by itself. The interface files are HCL rendered from the same synthesis and formatted with
\`terraform fmt\`.

## Publishing

Registries (the public Terraform Registry, OpenTofu's, HCP Terraform's private registry) publish a
module from the **root of its own repository**:

- the repository is named \`${options.repository}\` (\`terraform-<PROVIDER>-<NAME>\`); the public
  registry wants it public on GitHub;
- each release is a semantic-version git tag (\`v1.4.0\`); the registry lists versions from tags, and
  callers pin with \`version = "~> 1.4"\`. Removing or renaming a variable or output, adding a
  required variable, or changing a resource address is a major version;
- the repository's content is exactly this directory.

From the ecs-rerun project, whose \`package.json\` holds the version (the one place it is kept) and
whose CHANGELOG.md has a section for it:

\`\`\`sh
npm version 1.4.0 --no-git-tag-version                                     # the version to release
git clone git@github.com:<owner>/${options.repository}.git ../${options.repository}
npm run publish:module -- ../${options.repository}                         # build, sync, commit, tag v1.4.0; pushes nothing
git -C ../${options.repository} show --stat v1.4.0                         # review
git -C ../${options.repository} push --follow-tags                         # or publish with --push
\`\`\`

\`scripts/publish-module.sh\` builds the module (\`npm run build:module\`), replaces the checkout's files
(all but \`.git\`) with it, commits, and creates an annotated tag; it refuses a dirty checkout, a
version that is not semver or has no section in CHANGELOG.md, and a tag that exists. Once, in the registry: sign in with GitHub, choose Publish > Module and the
repository; later tags are picked up by the registry's webhook.
`;
}
