/**
 * Checks a Terraform configuration (the built module, root and spoke) against the AWS provider schema
 * a `@cdktf/provider-aws` package was generated from: every resource and data source type exists,
 * every argument the configuration sets is one the schema has, and every attribute it reads
 * (`aws_x.y.attr`, `data.aws_x.y.attr`) is one the schema exports. Each major of the bindings is
 * generated from one provider release, named in its documentation links (21.0.0 from provider 6.0.0,
 * 21.22.1 from 6.25.0, 20.0.0 from 5.99.1), so unpacking an older package checks the module against an
 * older provider's schema without the provider itself, which cannot be downloaded here.
 *
 *   tsx scripts/provider-schema.ts                       # the installed bindings (the newest the project knows)
 *   npm pack @cdktf/provider-aws@21.0.0 && tar -xzf cdktf-provider-aws-21.0.0.tgz
 *   tsx scripts/provider-schema.ts package               # provider 6.0.0, the module's floor
 *
 * What the bindings do not carry is not checked: deprecations (so `__tests__` forbids the deprecated
 * attributes it knows of by name) and the provider's own validation of values.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The default bindings: the package the project installs. */
export const INSTALLED_BINDINGS = resolve(__dirname, "..", "node_modules", "@cdktf", "provider-aws");

/** A configuration in Terraform's JSON syntax, as far as this check reads it. */
export interface TfJsonConfig {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly locals?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly [block: string]: unknown;
}

/** One block type's schema as the bindings know it. */
export interface BlockSchema {
  /** Every argument name, of the block and of its nested blocks alike. */
  readonly arguments: ReadonlySet<string>;
  /** Arguments that are maps (tags, environment variables): their keys are the user's, not the schema's. */
  readonly maps: ReadonlySet<string>;
  /** Every attribute that can be read, arguments included. */
  readonly attributes: ReadonlySet<string>;
}

/** Meta-arguments Terraform gives every block. */
const META = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "//"]);

/** The provider version the bindings were generated from, from the provider's documentation links. */
export function bindingsProviderVersion(packageDir: string): string {
  const text = readFileSync(join(packageDir, "lib", "provider", "index.d.ts"), "utf8");
  const m = /registry\.terraform\.io\/providers\/hashicorp\/aws\/(\d+\.\d+\.\d+)\/docs/.exec(text);
  if (!m) throw new Error(`${packageDir} names no provider version in lib/provider: is it @cdktf/provider-aws?`);
  return m[1];
}

/** The bindings' directory of a type: `aws_iam_role` -> `iam-role`, data `aws_region` -> `data-aws-region`. */
function bindingFile(packageDir: string, kind: "resource" | "data", type: string): string {
  const dir = (kind === "data" ? `data-${type}` : type.replace(/^aws_/, "")).replace(/_/g, "-");
  return join(packageDir, "lib", dir, "index.js");
}

/** The schema of one block type, or undefined when the bindings have no such type. */
export function blockSchema(packageDir: string, kind: "resource" | "data", type: string): BlockSchema | undefined {
  const file = bindingFile(packageDir, kind, type);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  if (!text.includes(`.tfResourceType = "${type}";`)) return undefined;
  // synthesizeAttributes() and the nested blocks' *ToTerraform functions write `key: <converter>(...)`.
  // Attributes written as blocks (a security group's egress) guard each value: `key: struct.x === undefined ? null : <converter>(...)`.
  const written = [...text.matchAll(/^\s+([a-z][a-z0-9_]*): (?:struct\.\w+ === undefined \? null : )?(cdktf\.(?:\w+ToTerraform|listMapper|hashMapper)\b|\w+ToTerraform\()/gm)];
  const args = new Set(written.map((m) => m[1]));
  const maps = new Set(written.filter((m) => m[2] === "cdktf.hashMapper").map((m) => m[1]));
  const read = [...text.matchAll(/get\w*Attribute\(['"]([a-z0-9_]+)['"]\)|OutputReference\(this, ['"]([a-z0-9_]+)['"]/g)].map((m) => m[1] ?? m[2]);
  return { arguments: args, maps, attributes: new Set([...args, ...read, "id"]) };
}

/** The argument keys of one block that its schema lacks, with their paths; descends into nested blocks but not into maps. */
function unknownArguments(value: Record<string, unknown>, schema: BlockSchema, at: string, top: boolean): string[] {
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (top && META.has(key)) continue;
    if (!schema.arguments.has(key)) {
      problems.push(`${at}.${key}`);
      continue;
    }
    if (schema.maps.has(key)) continue;
    const nested = Array.isArray(v) ? v : [v];
    for (const [i, n] of nested.entries()) {
      if (n !== null && typeof n === "object" && !Array.isArray(n)) problems.push(...unknownArguments(n as Record<string, unknown>, schema, Array.isArray(v) ? `${at}.${key}[${i}]` : `${at}.${key}`, false));
    }
  }
  return problems;
}

/** Every `aws_x.name.attr` and `data.aws_x.name.attr` the configuration reads (splats and indexes allowed between). */
export function attributeReferences(config: TfJsonConfig): { kind: "resource" | "data"; type: string; name: string; attribute: string }[] {
  const text = JSON.stringify(config);
  const refs = [...text.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.([a-z_][a-z0-9_]*)/g)];
  return refs.map((m) => ({ kind: m[1] ? "data" : "resource", type: m[2], name: m[3], attribute: m[4] }));
}

/**
 * What in `config` the provider schema of the bindings in `packageDir` does not have: unknown block
 * types, arguments and read attributes, one line each (empty: it all exists).
 */
export function schemaProblems(config: TfJsonConfig, packageDir: string = INSTALLED_BINDINGS): string[] {
  const problems: string[] = [];
  const schemas = new Map<string, BlockSchema | undefined>();
  const schemaOf = (kind: "resource" | "data", type: string) => {
    const key = `${kind} ${type}`;
    if (!schemas.has(key)) schemas.set(key, blockSchema(packageDir, kind, type));
    return schemas.get(key);
  };
  for (const kind of ["resource", "data"] as const) {
    for (const [type, blocks] of Object.entries(config[kind] ?? {})) {
      const schema = schemaOf(kind, type);
      if (!schema) {
        problems.push(`${kind} type ${type}: not in the schema`);
        continue;
      }
      for (const [name, body] of Object.entries(blocks)) {
        for (const p of unknownArguments(body, schema, `${kind === "data" ? "data." : ""}${type}.${name}`, true)) problems.push(`argument ${p}: not in the schema`);
      }
    }
  }
  const seen = new Set<string>();
  for (const r of attributeReferences(config)) {
    const ref = `${r.kind === "data" ? "data." : ""}${r.type}.${r.name}.${r.attribute}`;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const schema = schemaOf(r.kind, r.type);
    if (schema && !schema.attributes.has(r.attribute)) problems.push(`attribute ${ref}: not in the schema`);
    else if (!schema && !problems.includes(`${r.kind} type ${r.type}: not in the schema`)) problems.push(`${r.kind} type ${r.type} (read as ${ref}): not in the schema`);
  }
  return problems;
}

if (require.main === module) {
  // Imported here only: the check itself needs no cdktf, and the tests pass it configurations of their own.
  const { synthesizeModule } = require("../modules/terraform-module/module-files") as typeof import("../modules/terraform-module/module-files");
  const packageDir = resolve(process.argv[2] ?? INSTALLED_BINDINGS);
  const version = bindingsProviderVersion(packageDir);
  const { json, spoke } = synthesizeModule();
  const problems = [...schemaProblems(json, packageDir).map((p) => `module: ${p}`), ...schemaProblems(spoke, packageDir).map((p) => `modules/spoke: ${p}`)];
  for (const p of problems) console.log(p);
  console.log(problems.length === 0 ? `the module fits the schema of AWS provider ${version}` : `${problems.length} problem(s) against AWS provider ${version}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
