// The cdktn canary: does this project still build under CDK Terrain (cdktn), the continuation of the
// archived cdktf, with no change to its sources?
//
// It installs the versions pinned in package.json beside this file (cdktn, @cdktn/provider-aws and
// the constructs release cdktn accepts) into a directory of their own, never into the project's
// node_modules, and writes a tsconfig there whose `paths` send `cdktf`, `@cdktf/provider-aws/*` and
// `constructs` to them. tsx honours those paths for the project's own files (TSX_TSCONFIG_PATH), and
// so does tsc. Then, on the same Node:
//   1. the redirection holds (cdktf, a provider binding and constructs resolve into the canary);
//   2. the project type-checks against cdktn's and @cdktn/provider-aws's types;
//   3. `npm run synth` under cdktf and under cdktn: every stack the same JSON but for the provider
//      pin (required_providers.aws: its source and version) and cdktf's metadata version; the
//      manifest the same but for that version; the Lambda assets byte-identical;
//   4. `npm run build:module` under both: every file byte-identical;
//   5. the drill's scenarios pass under cdktn (its Testing.app() sets cdktn's feature flags).
//
//   npm run canary:cdktn [-- --dir DIR] [--outputFile FILE]
//
// --outputFile writes {numPassedTests, numFailedTests, numTotalTests} (jest's names: .ci/run sums
// it with the test runs). Exits 1 when a check fails.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";

const ROOT = resolve(__dirname, "..", "..");
const PINS = __dirname;

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
  readonly seconds: number;
}

/** Where two JSON values differ, as paths (at most `limit`). */
export function jsonDifferences(a: unknown, b: unknown, path = "$", limit = 20, out: string[] = []): string[] {
  if (out.length >= limit) return out;
  if (isDeepStrictEqual(a, b)) return out;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) {
    out.push(`${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`);
    return out;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) jsonDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, limit, out);
  return out;
}

/**
 * A synthesized stack less what may differ between cdktf and cdktn: the AWS provider pin (each
 * package pins the provider release its bindings were generated from: @cdktf/provider-aws 21.22.1
 * writes source "aws" version 6.25.0, @cdktn/provider-aws 25.7.0 source "hashicorp/aws" version
 * 6.66.0; `terraform providers` (1.11) reads both sources as registry.terraform.io/hashicorp/aws)
 * and the version cdktf's metadata records.
 */
export function withoutPinAndMetadata(stack: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(stack) as { "//"?: { metadata?: { version?: unknown } }; terraform?: { required_providers?: Record<string, { source?: unknown; version?: unknown }> } };
  delete copy["//"]?.metadata?.version;
  const aws = copy.terraform?.required_providers?.aws;
  if (aws !== undefined) {
    delete aws.source;
    delete aws.version;
  }
  return copy as Record<string, unknown>;
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)).map((f) => join(e, f)) : [e]));
}

/** Files of two trees that differ in bytes, or exist on one side only. */
function treeDifferences(a: string, b: string, skip: (file: string) => boolean = () => false): string[] {
  const all = [...new Set([...files(a), ...files(b)])].filter((f) => !skip(f)).sort();
  return all.filter((f) => !existsSync(join(a, f)) || !existsSync(join(b, f)) || !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env }, maxBuffer: 64 * 1024 * 1024 });
}

const tail = (r: SpawnSyncReturns<string>) => `exit ${r.status}: ${`${r.stderr}${r.stdout}`.trim().split("\n").slice(-6).join(" | ")}`;

/** Installs the pinned packages into `dir` (npm ci from the lock), unless that very lock is installed there already. */
function install(dir: string): Check {
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const lock = readFileSync(join(PINS, "package-lock.json"), "utf8");
  const installed = join(dir, "node_modules", ".installed-lock.json");
  if (existsSync(installed) && readFileSync(installed, "utf8") === lock) return { name: "install the pinned cdktn packages (already there)", ok: true, seconds: (Date.now() - started) / 1000 };
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(PINS, f), join(dir, f));
  const r = run("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {}, dir);
  if (r.status === 0) writeFileSync(installed, lock);
  return { name: "install the pinned cdktn packages", ok: r.status === 0, detail: r.status === 0 ? undefined : tail(r), seconds: (Date.now() - started) / 1000 };
}

/** The tsconfig that sends the project's cdktf imports to the canary's packages. */
function writeTsconfig(dir: string): string {
  const modules = join(dir, "node_modules");
  const path = join(dir, "tsconfig.json");
  const tsconfig = {
    extends: join(ROOT, "tsconfig.json"),
    compilerOptions: {
      baseUrl: ROOT,
      // Its own incremental state: the project's (node_modules/.cache/tsc) is of the cdktf build.
      tsBuildInfoFile: join(dir, "tsconfig.tsbuildinfo"),
      typeRoots: [join(ROOT, "node_modules", "@types")],
      paths: {
        cdktf: [join(modules, "cdktn")],
        "@cdktf/provider-aws/*": [join(modules, "@cdktn", "provider-aws", "*")],
        constructs: [join(modules, "constructs")],
      },
    },
    // The sources, not the tests: the tests are the project's own, run under cdktf.
    include: ["main.ts", "jobs.ts", "modules/**/*.ts", "lambda/**/*.ts", "drill/**/*.ts", "scripts/**/*.ts"].map((p) => join(ROOT, p)),
  };
  writeFileSync(path, `${JSON.stringify(tsconfig, null, 2)}\n`);
  return path;
}

function timed(name: string, body: () => string | undefined): Check {
  const started = Date.now();
  let detail: string | undefined;
  try {
    detail = body();
  } catch (err) {
    detail = err instanceof Error ? err.message : String(err);
  }
  return { name, ok: detail === undefined, detail, seconds: (Date.now() - started) / 1000 };
}

function synthAndBuild(outDir: string, env: NodeJS.ProcessEnv): string | undefined {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const synth = run(process.execPath, ["--import", "tsx", "main.ts"], { ...env, CDKTF_OUTDIR: join(outDir, "synth") });
  if (synth.status !== 0) return `synth ${tail(synth)}`;
  const build = run(process.execPath, ["--import", "tsx", "scripts/build-module.ts", join(outDir, "module")], env);
  if (build.status !== 0) return `build:module ${tail(build)}`;
  return undefined;
}

function compareSynth(a: string, b: string): string | undefined {
  const problems: string[] = [];
  const stacks = [...new Set([...readdirSync(join(a, "stacks")), ...readdirSync(join(b, "stacks"))])].sort();
  for (const stack of stacks) {
    const read = (dir: string) => JSON.parse(readFileSync(join(dir, "stacks", stack, "cdk.tf.json"), "utf8")) as Record<string, unknown>;
    if (!existsSync(join(a, "stacks", stack, "cdk.tf.json")) || !existsSync(join(b, "stacks", stack, "cdk.tf.json"))) {
      problems.push(`stack ${stack} synthesized by one only`);
      continue;
    }
    const diff = jsonDifferences(withoutPinAndMetadata(read(a)), withoutPinAndMetadata(read(b)));
    if (diff.length > 0) problems.push(`stack ${stack}: ${diff.join("; ")}`);
  }
  const manifest = (dir: string) => {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
    delete m.version;
    return m;
  };
  const manifestDiff = jsonDifferences(manifest(a), manifest(b));
  if (manifestDiff.length > 0) problems.push(`manifest.json: ${manifestDiff.join("; ")}`);
  // Everything else synth wrote (the Lambda packages as assets) byte for byte.
  const other = treeDifferences(a, b, (f) => f === "manifest.json" || f.endsWith("cdk.tf.json"));
  if (other.length > 0) problems.push(`files that differ: ${other.join(", ")}`);
  return problems.length > 0 ? problems.join("\n    ") : undefined;
}

function main(): void {
  const { values } = parseArgs({ options: { dir: { type: "string", default: join(ROOT, "build", "cdktn-canary") }, outputFile: { type: "string" }, json: { type: "boolean" } } });
  const dir = resolve(values.dir as string);
  const out = join(dir, "out");
  const checks: Check[] = [install(dir)];
  const tsconfig = writeTsconfig(dir);
  const cdktn = { TSX_TSCONFIG_PATH: tsconfig };
  if (checks[0].ok) {
    checks.push(
      timed("cdktf, @cdktf/provider-aws/* and constructs resolve into the canary's cdktn packages", () => {
        const probe = 'for (const m of ["cdktf", "@cdktf/provider-aws/lib/lambda-function", "constructs"]) console.log(require.resolve(m));';
        const r = run(process.execPath, ["--import", "tsx", "-e", probe], cdktn);
        const resolved = r.stdout.trim().split("\n");
        const outside = resolved.filter((p) => !p.startsWith(join(dir, "node_modules")));
        return r.status !== 0 ? tail(r) : outside.length > 0 || resolved.length !== 3 ? `resolved outside the canary: ${outside.join(", ")}` : undefined;
      }),
      timed("the project type-checks against cdktn and @cdktn/provider-aws", () => {
        const r = run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", tsconfig]);
        return r.status === 0 ? undefined : tail(r);
      }),
      timed("synth and build:module under cdktf", () => synthAndBuild(join(out, "cdktf"), {})),
      timed("synth and build:module under cdktn", () => synthAndBuild(join(out, "cdktn"), cdktn)),
    );
    const built = checks.slice(-2).every((c) => c.ok);
    checks.push(
      timed("the stacks match but for the provider pin and metadata", () => (built ? compareSynth(join(out, "cdktf", "synth"), join(out, "cdktn", "synth")) : "not built")),
      timed("the built module is byte-identical", () => {
        if (!built) return "not built";
        const diff = treeDifferences(join(out, "cdktf", "module"), join(out, "cdktn", "module"));
        return diff.length > 0 ? `files that differ: ${diff.join(", ")}` : undefined;
      }),
      timed("the drill's scenarios pass under cdktn", () => {
        const r = run(process.execPath, ["--import", "tsx", "drill/cli.ts"], cdktn);
        return r.status === 0 ? undefined : tail(r);
      }),
    );
  }
  for (const c of checks) console.log(`${c.ok ? "✔" : "✘"} ${c.name} (${c.seconds.toFixed(1)} s)${c.detail ? `\n    ${c.detail}` : ""}`);
  const failed = checks.filter((c) => !c.ok).length;
  // Not jest's closing line: CI's one closing line sums every run.
  console.log(`cdktn canary (cdktn ${pinned("cdktn")}, @cdktn/provider-aws ${pinned("@cdktn/provider-aws")}, constructs ${pinned("constructs")}, Node ${process.versions.node}): ${checks.length - failed} of ${checks.length} checks passed`);
  if (values.outputFile) writeFileSync(values.outputFile, JSON.stringify({ numPassedTests: checks.length - failed, numFailedTests: failed, numTotalTests: checks.length, checks }, null, 2));
  if (failed > 0) process.exitCode = 1;
}

function pinned(name: string): string {
  return (JSON.parse(readFileSync(join(PINS, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies[name];
}

if (require.main === module) main();
