import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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

/** One expression for {@link evaluateEach}, and the variables it is evaluated with. */
export interface Evaluation {
  readonly expression: string;
  readonly vars?: Readonly<Record<string, unknown>>;
}

/**
 * {@link evaluate} for many cases of one directory in ONE `terraform test` process, where `terraform
 * console` takes a process per case (~0.15 s of CPU each before it evaluates anything). `terraform
 * test` prints no value, so each case's value travels in the message of an assertion that cannot hold
 * (its condition compares the value's JSON with text that is no JSON); each case is a file of its own,
 * so an error (a variable's validation) fails that case alone. `stderr` holds the case's other errors
 * as `evaluate` would show them ("" when there are none); the expression must refer to something of
 * the configuration (a local or a variable), as any assertion must.
 */
export async function evaluateEach(dir: string, cases: Readonly<Record<string, Evaluation>>): Promise<Record<string, { value?: string; stderr: string }>> {
  const files = Object.fromEntries(
    Object.entries(cases).map(([name, { expression, vars = {} }]) => {
      // terraform test reads a test file's variable values as templates once more, escaped or not.
      if (/[$%]\{/.test(JSON.stringify(vars))) throw new Error(`evaluateEach: case ${name}'s variables hold a template sequence; evaluate it alone`);
      return [name, `${variablesBlock(vars)}\nrun "case" {\n  command = plan\n  assert {\n    condition     = jsonencode(${expression}) == "${NOT_JSON}"\n    error_message = "${VALUE_MARK}\${base64encode(${expression})}"\n  }\n}\n`];
    }),
  );
  const { byCase, run } = await testEachCase(dir, mkdtempSync(join(dir, "evaluate-")), files);
  const results = Object.entries(byCase).map(([name, messages]) => {
    let value: string | undefined;
    const errors: string[] = [];
    for (const { type, diagnostic: d } of messages) {
      if (type !== "diagnostic" || d?.severity !== "error") continue;
      if (d.summary === "Test assertion failed" && d.detail?.startsWith(VALUE_MARK)) value = Buffer.from(d.detail.slice(VALUE_MARK.length), "base64").toString("utf8");
      else errors.push(consoleText(d));
    }
    return [name, errors.length === 0 ? { value, stderr: "" } : { stderr: errors.join("\n") }] as const;
  });
  if (run.code !== 0 && results.every(([, r]) => r.value === undefined && r.stderr === "")) throw new Error(`terraform test ran no case in ${dir}: ${run.stderr}${run.stdout}`);
  return Object.fromEntries(results);
}

/**
 * {@link evaluateEach} of `cases`, run when a test first asks for one of them: what a `test.each` over
 * the same cases reads, one `terraform test` for all. Asking for a case not among them throws.
 */
export function evaluatedOnFirstUse(dir: string, cases: Readonly<Record<string, Evaluation>>): (name: string) => Promise<{ value?: string; stderr: string }> {
  let all: ReturnType<typeof evaluateEach> | undefined;
  return async (name) => {
    const r = (await (all ??= evaluateEach(dir, cases)))[name];
    if (r === undefined) throw new Error(`evaluatedOnFirstUse: no case named ${name} in ${dir}`);
    return r;
  };
}

/** Text no JSON can be: what {@link evaluateEach}'s assertions compare a value's JSON with, so none holds. */
const NOT_JSON = "not JSON";
/** What starts the message that carries a value. */
const VALUE_MARK = "value:";

/** An error of `terraform test -json`, as it reports it. */
interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly snippet?: { readonly values?: readonly { readonly traversal: string; readonly statement: string }[] };
}

/** An error as `terraform console` prints it: the summary, each variable and its value, the detail. */
const consoleText = (d: Diagnostic): string => [d.summary, ...(d.snippet?.values ?? []).map((v) => `${v.traversal} ${v.statement}`), d.detail ?? ""].join("\n");

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
  const files = Object.fromEntries(Object.entries(cases).map(([name, vars]) => [name, `${variablesBlock(vars)}\nrun "case" {\n  command = plan\n}\n`]));
  const { byCase } = await testEachCase(work, work, files);
  return Object.fromEntries(
    Object.entries(byCase).map(([name, messages]) => [
      name,
      {
        status: messages.reduce((status, m) => (m.type === "test_run" && m.test_run?.status ? m.test_run.status : status), "missing"),
        errors: messages.filter((m) => m.type === "diagnostic" && m.diagnostic?.severity === "error").map((m) => consoleText(m.diagnostic!)),
      },
    ]),
  );
}

/** A message of `terraform test -json`. */
interface TestMessage {
  readonly type: string;
  readonly "@testfile"?: string;
  readonly test_run?: { readonly status?: string };
  readonly diagnostic?: Diagnostic;
}

/** The `variables` block of a test file that sets `vars`. */
const variablesBlock = (vars: Readonly<Record<string, unknown>>): string =>
  `variables {\n${Object.entries(vars)
    .map(([key, value]) => `  ${key} = ${hclLiteral(value)}`)
    .join("\n")}\n}\n`;

/**
 * Writes each case's test file into `tests` (`dir` itself or a folder of it) and runs `terraform test`
 * on `dir` once: each case is a file of its own, so an error in one skips no other. Returns the
 * messages of each case's file, by case name, and the run.
 */
async function testEachCase(dir: string, tests: string, files: Readonly<Record<string, string>>): Promise<{ byCase: Record<string, TestMessage[]>; run: Awaited<ReturnType<typeof terraform>> }> {
  const names = Object.keys(files);
  names.forEach((name, i) => writeFileSync(join(tests, `case-${i}.tftest.hcl`), files[name]));
  const run = await terraform(dir, ["test", "-json", "-no-color", ...(tests === dir ? [] : [`-test-directory=${basename(tests)}`])]);
  const byFile = new Map<string, TestMessage[]>(names.map((_, i) => [`case-${i}.tftest.hcl`, []]));
  for (const line of run.stdout.split("\n").filter((l) => l.startsWith("{"))) {
    const m = JSON.parse(line) as TestMessage;
    if (m["@testfile"]) byFile.get(basename(m["@testfile"]))?.push(m);
  }
  return { byCase: Object.fromEntries(names.map((name, i) => [name, byFile.get(`case-${i}.tftest.hcl`)!])), run };
}
