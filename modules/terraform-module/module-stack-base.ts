/**
 * What the module stacks share (the root module's EcsRerunModuleStack and the spoke submodule's
 * EcsRerunSpokeModuleStack): validation checks written against a variable, readable block addresses,
 * the required versions, tags on every resource, and a place for variables and outputs.
 */
import { Construct, type Node } from "constructs";
import { TerraformElement, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Token, type IResolvable, type TerraformVariableConfig } from "cdktf";
import { hcl, hclFrom, raw } from "../hcl/hcl-expression";
import { ROLE_OPTION_LIMITS, type RoleOptions } from "../pipeline/iam/role-options";
import { INPUT_LIMITS } from "../pipeline/pipeline-inputs";

/** A validation block, written against the variable itself. */
export type Check = (self: string) => { condition: IResolvable; errorMessage: string };

/** `var.x` is a whole number in [min, max]. */
export const wholeNumber =
  (limit: { min: number; max: number }): Check =>
  (v) => ({
    condition: hcl`${raw(v)} == floor(${raw(v)}) && ${raw(v)} >= ${limit.min} && ${raw(v)} <= ${limit.max}`,
    errorMessage: `Must be a whole number from ${limit.min} to ${limit.max}.`,
  });

/** Every element of the list `var.x` matches the pattern. */
export const eachMatches =
  (pattern: string, what: string): Check =>
  (v) => ({ condition: hcl`alltrue([for x in ${raw(v)} : can(regex(${pattern}, x))])`, errorMessage: `Every element must be ${what}.` });

/** No element of the list `var.x` is empty or blank. */
export const noneBlank =
  (what: string): Check =>
  (v) => ({ condition: hcl`alltrue([for x in ${raw(v)} : trimspace(x) != ""])`, errorMessage: `${what} must not be empty.` });

/** Every element of the list of objects `var.x` satisfies `condition`, an HCL expression of the element `r`. */
export const eachRun =
  (condition: string, errorMessage: string): Check =>
  (v) => ({ condition: hclFrom(["alltrue([for r in ", ` : ${condition}])`], [raw(v)]), errorMessage });

/** `var.x` is null or matches the pattern. */
export const nullOrMatches =
  (pattern: string, what: string): Check =>
  (v) => ({ condition: hcl`${raw(v)} == null || can(regex(${pattern}, ${raw(v)}))`, errorMessage: `Must be null or ${what}.` });

/**
 * `pass_role_arns` (the root module's and the spoke's): null, or role ARNs, at least one. [] would
 * become `"Resource": []` in the rerun or relaunch role's policy, which IAM refuses at apply; and a
 * rerun that may pass no role cannot launch a task that has one.
 */
export const passRoleArnsChecks: readonly Check[] = [
  (v) => ({ condition: hcl`${raw(v)} == null || alltrue([for r in coalesce(${raw(v)}, []) : can(regex(${INPUT_LIMITS.passRoleArnPattern}, r))])`, errorMessage: "Must be null or role ARNs." }),
  (v) => ({ condition: hcl`${raw(v)} == null || length(coalesce(${raw(v)}, ["null"])) > 0`, errorMessage: "Must be null (any role of the account) or name at least one role: [] would grant nothing, and IAM refuses a statement whose Resource is empty." }),
];

/** snake_case of a construct id (`alarm-executionsFailed` -> `alarm_executions_failed`). */
export function snakeCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toLowerCase();
}

/** Construct scopes that group the module's blocks without naming them. */
export const GROUPS = ["pipeline", "spoke", "variables", "outputs"];

/**
 * The name of a block in the module: its construct path below the stack, without the group it sits
 * in (pipeline, spoke, variables, outputs) and without a part repeating the one before it (`trail/trail` -> `trail`).
 */
export function moduleAddress(path: readonly string[]): string {
  const parts = path.filter((p, i) => !(i === 0 && GROUPS.includes(p))).map(snakeCase);
  return parts.filter((p, i) => p !== parts[i - 1]).join("_");
}

/** The versions a module asks for, set once by each module stack. */
export interface ModuleVersions {
  /** `required_version`. */
  readonly terraform: string;
  /** The AWS provider's version constraint. */
  readonly aws: string;
}

/**
 * A stack emitted as a Terraform child module: no provider or backend, `variable`s with validation,
 * `output`s, readable and stable block addresses. Built by `npm run build:module`, not `cdktf synth`.
 */
export abstract class ModuleStack extends TerraformStack {
  /** The module's variables, by name. */
  public readonly variables: Readonly<Record<string, TerraformVariable>> = {};

  private readonly addresses = new Map<string, string>();
  // Variables and outputs may share names (kms_key_arn), which constructs of one scope cannot.
  private readonly variableScope: Construct;
  private outputScope?: Construct;

  constructor(scope: Construct, id: string, versions: ModuleVersions) {
    super(scope, id);
    this.addOverride("terraform.required_version", versions.terraform);
    this.addOverride("terraform.required_providers", { aws: { source: "hashicorp/aws", version: versions.aws } });
    this.variableScope = new Construct(this, "variables");
  }

  /** Declares a variable with its validation blocks. */
  protected variable(name: string, config: TerraformVariableConfig, ...checks: Check[]): TerraformVariable {
    const v = new TerraformVariable(this.variableScope, name, config);
    for (const c of checks) v.addValidation(c(`var.${name}`));
    (this.variables as Record<string, TerraformVariable>)[name] = v;
    return v;
  }

  /**
   * Declares `role_permissions_boundary` and `role_path` (terraform-aws-modules' names), checked as
   * the constructs check rolePermissionsBoundary and rolePath; `relaunchRole` names the role that keeps
   * /ecs-rerun/. Returns them as the constructs take them.
   */
  protected roleOptionVariables(relaunchRole: string): RoleOptions {
    const L = ROLE_OPTION_LIMITS;
    const boundary = this.variable(
      "role_permissions_boundary",
      { type: "string", default: Token.nullValue(), description: "ARN of the managed policy that is the permissions boundary of every IAM role the module creates (many organizations require one); it must allow what the roles' own policies grant. null: no boundary." },
      nullOrMatches(L.permissionsBoundaryPattern, "the ARN of a managed policy (arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME)"),
    );
    const path = this.variable(
      "role_path",
      {
        type: "string",
        default: Token.nullValue(),
        description: `IAM path of every role the module creates except ${relaunchRole}, which keeps ${L.reservedPathPrefix}: every ecs-rerun pipeline ignores the calls of roles under that path, which is what keeps reruns from being rerun. null: /. Changing it replaces the roles.`,
      },
      (v) => ({
        condition: hcl`${raw(v)} == null || (can(regex(${L.pathPattern}, ${raw(v)})) && try(length(${raw(v)}), 0) <= ${L.pathMaxLength})`,
        errorMessage: `Must be null, "/" or a path that begins and ends with "/" (e.g. "/platform/batch/"), of printable ASCII without spaces, at most ${L.pathMaxLength} characters.`,
      }),
      (v) => ({
        condition: hcl`${raw(v)} == null || !startswith(coalesce(${raw(v)}, "/"), ${L.reservedPathPrefix})`,
        errorMessage: `${L.reservedPathPrefix} is reserved for the relaunch roles (every ecs-rerun pipeline ignores the calls of any role under it): choose a path outside it.`,
      }),
    );
    return { permissionsBoundary: boundary.stringValue, path: path.stringValue };
  }

  /** Declares an output; the first one creates the outputs' scope, after the resources. */
  protected output(id: string, value: unknown, description: string): TerraformOutput {
    this.outputScope ??= new Construct(this, "outputs");
    return new TerraformOutput(this.outputScope, id, { value, description });
  }

  /** No provider here, so no default_tags: every resource that takes tags gets them itself. */
  protected tagEverything(tags: TerraformVariable): void {
    for (const c of this.node.findAll()) {
      if (TerraformResource.isTerraformResource(c) && "tags" in c) (c as unknown as { tags: Record<string, string> }).tags = Token.asStringMap(tags.value);
    }
  }

  /** Readable, stable addresses (`aws_sns_topic.topic`) instead of hashed ones: users see them in plans and state. */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const path = node.scopes.slice(node.scopes.indexOf(this) + 1).map((c) => c.node.id);
    const address = moduleAddress(path);
    const kind = TerraformElement.isTerraformElement(element) ? (element as unknown as { terraformResourceType?: string }).terraformResourceType ?? element.constructor.name : "";
    const key = `${kind}.${address}`;
    const owner = this.addresses.get(key);
    if (owner !== undefined && owner !== node.path) throw new Error(`module address ${key} is taken by ${owner} and ${node.path}: rename one of the constructs`);
    this.addresses.set(key, node.path);
    return address;
  }
}

/** A part the construct may leave out, which the module switches with a variable and so must have. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the construct has no ${what}, though the module switches it with a variable`);
  return value;
}
