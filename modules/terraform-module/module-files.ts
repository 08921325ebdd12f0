/** Synthesizes the module stack and lays out its files (main.tf.json, .tf files, Lambda zips, README, example). */
import { App } from "cdktf";
import { EcsRerunModuleStack, EXAMPLE_INPUTS, MODULE_PACKAGE_DIRECTORY, MODULE_REPOSITORY } from "./ecs-rerun-module-stack";
import { renderLocalsTf, renderOutputsTf, renderVariablesTf, renderVersionsTf, type TfJsonOutput, type TfJsonSettings, type TfJsonVariable } from "./hcl-file";
import type { LambdaPackage } from "../pipeline/functions/lambda-package";
import { renderBasicExample, renderModuleReadme, type ModuleInterface } from "./module-readme";
import { EcsRerunSpokeModuleStack, SPOKE_MODULE_DIRECTORY } from "./ecs-rerun-spoke-module-stack";
import { renderMultiAccountExample, renderMultiRegionExample, renderSpokeReadme } from "./spoke-readme";

/** A synthesized module: Terraform's JSON syntax, cdktf's metadata removed. */
export interface ModuleJson {
  readonly terraform?: TfJsonSettings & Record<string, unknown>;
  readonly variable?: Record<string, TfJsonVariable>;
  readonly output?: Record<string, TfJsonOutput>;
  readonly locals?: Record<string, unknown>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly check?: Record<string, unknown>;
  readonly [block: string]: unknown;
}

/** What {@link synthesizeModule} gives: the configuration and the packages to ship beside it. */
export interface SynthesizedModule {
  /** The module's configuration. */
  readonly json: ModuleJson;
  /** Lambda zips, by the path the configuration reads them from (relative to the module). */
  readonly packages: Readonly<Record<string, LambdaPackage>>;
  /** The spoke submodule's configuration (modules/spoke); it has no Lambda. */
  readonly spoke: ModuleJson;
}

/** Drops cdktf's `//` metadata (stack traces, construct paths of the build machine) at every level. */
export function withoutMetadata<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMetadata) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "//").map(([k, v]) => [k, withoutMetadata(v)])) as T;
}

/** Synthesizes the module stack in memory (nothing is written). */
export function synthesizeModule(): SynthesizedModule {
  const app = new App({ skipValidation: true, stackTraces: false });
  const stack = new EcsRerunModuleStack(app, "ecs-rerun-module");
  const json = withoutMetadata(stack.toTerraform()) as ModuleJson;
  const packages = Object.fromEntries(Object.entries(stack.pipeline.packages).map(([name, pkg]) => [`${MODULE_PACKAGE_DIRECTORY}/${name}.zip`, pkg!]));
  const spoke = withoutMetadata(new EcsRerunSpokeModuleStack(app, "ecs-rerun-spoke-module").toTerraform()) as ModuleJson;
  return { json, packages, spoke };
}

/** The blocks a child module may have; a provider, backend or anything else is a bug of the stack. */
const MODULE_BLOCKS = new Set(["terraform", "variable", "output", "locals", "data", "resource", "check"]);

/** The module's interface, as its documents are rendered from it. */
export function moduleInterface(json: ModuleJson): ModuleInterface {
  const { required_version, required_providers } = json.terraform ?? {};
  return { variables: json.variable ?? {}, outputs: json.output ?? {}, settings: { required_version, required_providers } };
}

/**
 * Every text file of the module, by path: HCL for what people read (versions, variables, outputs,
 * the event-pattern locals), Terraform's JSON syntax for the resources, the README and the example.
 * Pure: the zips are copied by whoever writes the files.
 */
export function renderModuleFiles(json: ModuleJson, spoke?: ModuleJson): Record<string, string> {
  const files = renderOneModule(json, "EcsRerunPipeline", (iface) => ({
    "README.md": renderModuleReadme(iface, { repository: MODULE_REPOSITORY, exampleInputs: EXAMPLE_INPUTS }),
    "examples/basic/main.tf": renderBasicExample(iface, EXAMPLE_INPUTS),
    ...(spoke ? { "examples/multi-region/main.tf": renderMultiRegionExample(iface), "examples/multi-account/main.tf": renderMultiAccountExample(iface) } : {}),
  }));
  if (spoke) {
    const spokeFiles = renderOneModule(spoke, "EcsRerunSpoke", (iface) => ({ "README.md": renderSpokeReadme(iface, { repository: MODULE_REPOSITORY }) }));
    for (const [path, text] of Object.entries(spokeFiles)) files[`${SPOKE_MODULE_DIRECTORY}/${path}`] = text;
  }
  return files;
}

/** The files of one module (the root or a submodule): its interface in HCL, its resources in JSON, and `documents` rendered from its interface. */
function renderOneModule(json: ModuleJson, construct: string, documents: (iface: ModuleInterface) => Record<string, string>): Record<string, string> {
  for (const key of Object.keys(json)) {
    if (!MODULE_BLOCKS.has(key)) throw new Error(`the module stack synthesized a "${key}" block, which a child module must not have (allowed: ${[...MODULE_BLOCKS].join(", ")})`);
  }
  const settings = json.terraform ?? {};
  for (const key of Object.keys(settings)) {
    if (key !== "required_version" && key !== "required_providers") throw new Error(`terraform.${key} is not allowed in a child module (a backend or cloud block belongs to the caller)`);
  }
  const iface = moduleInterface(json);
  const files: Record<string, string> = {
    "versions.tf": renderVersionsTf(iface.settings),
    "variables.tf": renderVariablesTf(iface.variables),
    "outputs.tf": renderOutputsTf(iface.outputs),
    "main.tf.json":
      JSON.stringify(
        {
          "//": `Generated by \`npm run build:module\` of the ecs-rerun project from its ${construct} construct. Do not edit: change the construct and rebuild.`,
          data: json.data,
          resource: json.resource,
          // Checks (Terraform >= 1.5) warn at plan without stopping it: a pipeline whose notices reach no one.
          ...(json.check ? { check: json.check } : {}),
        },
        null,
        2,
      ) + "\n",
    ...documents(iface),
  };
  if (json.locals && Object.keys(json.locals).length > 0) files["locals.tf"] = renderLocalsTf(json.locals);
  return files;
}
