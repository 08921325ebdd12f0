import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildModule, hasTerraform, terraformEnv, type BuiltModule } from "../../scripts/build-module";
import { sharedModule } from "../support/shared-module";

const run = promisify(execFile);

const temporary: string[] = [];

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} made; call it from `afterAll`. */
export function removeTempDirs(): void {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds the module into a fresh temporary directory, without `terraform fmt`, so checks see the renderer's own output. */
export function buildIntoTemp(): BuiltModule {
  return buildModule({ outDir: join(tempDir("ecs-rerun-module-"), "terraform-aws-ecs-rerun"), format: false, synthesized: sharedModule() });
}

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? listFiles(p).map((f) => join(entry, f)) : [entry];
  });
}

/** The text files of the module (everything but the zips), by relative path. */
export function textFiles(dir: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(dir)
      .filter((f) => !f.endsWith(".zip"))
      .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
  );
}

/** The entries of a zip this project wrote (stored or deflated, no data descriptors), inflated. */
export function unzip(zip: Buffer): Record<string, Buffer> {
  const { inflateRawSync } = require("node:zlib") as typeof import("node:zlib");
  const out: Record<string, Buffer> = {};
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8);
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 30, at + 30 + nameLength).toString("utf8");
    const start = at + 30 + nameLength + extraLength;
    const data = zip.subarray(start, start + size);
    out[name] = method === 8 ? inflateRawSync(data) : data;
    at = start + size;
  }
  return out;
}

/** Whether the checks that need a `terraform` binary can run here. */
export const TERRAFORM = hasTerraform();

/** `describe` for checks that need `terraform`: skipped, with the reason in its name, when the binary is absent. */
export const describeWithTerraform = (name: string, fn: () => void) =>
  TERRAFORM ? describe(name, fn) : describe.skip(`${name} [SKIPPED: no terraform binary on the PATH]`, fn);

/** Runs terraform in `dir` (offline; a non-zero exit is returned, not thrown). */
export async function terraform(dir: string, args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run("terraform", [...args], { cwd: dir, env: terraformEnv(), maxBuffer: 16 * 1024 * 1024 });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/**
 * The value of an expression, as `terraform console` evaluates it in `dir` with `vars` set.
 * Strings come back base64-encoded, so no HCL unquoting is needed; errors (validation included)
 * land on stderr, which is returned too.
 */
export async function evaluate(dir: string, expression: string, vars: Readonly<Record<string, unknown>> = {}): Promise<{ value?: string; stderr: string }> {
  const varFile = join(tempDir("ecs-rerun-vars-"), "vars.tfvars.json");
  writeFileSync(varFile, JSON.stringify(vars));
  const r = await terraform(dir, ["console", "-no-color", `-var-file=${varFile}`], `base64encode(${expression})\n`);
  const m = /"([A-Za-z0-9+/=]*)"\s*$/.exec(r.stdout);
  return { value: m && !/Error:/.test(r.stderr) ? Buffer.from(m[1], "base64").toString("utf8") : undefined, stderr: r.stderr };
}

/** A fresh directory holding the given files. */
export function scratchDir(files: Readonly<Record<string, string>>): string {
  const dir = tempDir("ecs-rerun-tf-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** What `terraform test` said of one case: its run's status ("pass", "error", ...) and its errors. */
export interface Verdict {
  readonly status: string;
  /** Each error as `terraform console` prints it: the summary, each variable and its value, the detail. */
  readonly errors: readonly string[];
}

/** A JSON value as an HCL literal: JSON is HCL's syntax for literals, once `${` and `%{` no longer start templates. */
const hclLiteral = (value: unknown): string => JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");

/**
 * Plans the configuration in `dir` (variables only, so no provider is needed) once for each case, with
 * that case's variables, in ONE `terraform test` process, where `terraform console` took a process per
 * case (about 0.2 s of CPU each). Each case is a file of its own: an error in a run skips the runs
 * after it in the same file, not the other files.
 */
export async function planEach(dir: string, cases: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Promise<Record<string, Verdict>> {
  const work = tempDir("ecs-rerun-tftest-");
  copyFileSync(join(dir, "variables.tf"), join(work, "variables.tf"));
  const names = Object.keys(cases);
  names.forEach((name, i) => {
    const variables = Object.entries(cases[name]).map(([key, value]) => `  ${key} = ${hclLiteral(value)}`);
    writeFileSync(join(work, `case-${i}.tftest.hcl`), `variables {\n${variables.join("\n")}\n}\n\nrun "case" {\n  command = plan\n}\n`);
  });
  const r = await terraform(work, ["test", "-json", "-no-color"]);
  const verdicts = new Map<string, { status: string; errors: string[] }>(names.map((_, i) => [`case-${i}.tftest.hcl`, { status: "missing", errors: [] }]));
  for (const line of r.stdout.split("\n").filter((l) => l.startsWith("{"))) {
    const m = JSON.parse(line) as { type: string; "@testfile"?: string; test_run?: { status?: string }; diagnostic?: { severity: string; summary: string; detail?: string; snippet?: { values?: { traversal: string; statement: string }[] } } };
    const verdict = m["@testfile"] ? verdicts.get(m["@testfile"]) : undefined;
    if (!verdict) continue;
    if (m.type === "test_run" && m.test_run?.status) verdict.status = m.test_run.status;
    if (m.type === "diagnostic" && m.diagnostic?.severity === "error") {
      const d = m.diagnostic;
      verdict.errors.push([d.summary, ...(d.snippet?.values ?? []).map((v) => `${v.traversal} ${v.statement}`), d.detail ?? ""].join("\n"));
    }
  }
  return Object.fromEntries(names.map((name, i) => [name, verdicts.get(`case-${i}.tftest.hcl`)!]));
}
