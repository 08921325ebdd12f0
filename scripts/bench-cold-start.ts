// What a cold start pays to load each Lambda bundle, and how big each package is.
//
// Every bundle is built as synth builds it (modules/pipeline/functions/lambda-package.ts: the same esbuild
// options, the same cached zip) and unpacked as Lambda unpacks it into /var/task. Each measurement is
// a fresh Node process that requires one thing and reports the CPU (user + system, process.cpuUsage)
// of that require alone: the bundle's init (its module scope: config read, clients built), or the
// baseline, `require("@aws-sdk/client-ecs")` from node_modules, which any function calling ECS pays
// whatever the bundling. Processes alternate (baseline, bundle, baseline, ...) so that a machine
// busy with other work slows both alike, and each side is summarized by its median.
//
// Node runs as Lambda's nodejs22.x runs the bundle: with --enable-source-maps, which the pipeline's
// functions set in NODE_OPTIONS (pipeline-function.ts), so the source map's load is counted.
// Run it on Node 22, the runtime's major: `npm run bench:cold-start` does so through npx.
//
//   npm run bench:cold-start [-- --runs N] [--all] [--json] [--no-source-maps]
//
// --all also times the other bundles against their own main client; --no-source-maps loads them
// without --enable-source-maps (what the map costs). Exits 1 when the rerun bundle loads at more
// than MAX_RATIO times the baseline in any profile.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildLambdaPackage, LAMBDA_ENTRIES, unzip, type LambdaName } from "../modules/pipeline/functions/lambda-package";

/** The rerun bundle may cost at most this much more CPU to load than the ECS client alone. */
export const MAX_RATIO = 1.2;

const ROOT = resolve(__dirname, "..");
const REGION = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1" };
const STATE_MACHINE = "arn:aws:states:eu-west-1:111111111111:stateMachine:ecs-rerun";

/** One way a function is deployed: the environment its init reads. */
interface Profile {
  readonly label: string;
  readonly fn: LambdaName;
  readonly env: Record<string, string>;
  /** The client the function cannot do without, loaded alone from node_modules. */
  readonly baseline: string;
  /** Whether MAX_RATIO applies. */
  readonly gated: boolean;
}

const PROFILES: readonly Profile[] = [
  // The pipeline as deployed by default: launches paced (PACER_TABLE set), no spokes.
  { label: "rerun, paced", fn: "rerun", env: { ...REGION, PACER_TABLE: "ecs-rerun-pacer" }, baseline: "@aws-sdk/client-ecs", gated: true },
  // A hub: spokes' relaunch roles assumed through STS, besides pacing.
  {
    label: "rerun, hub, paced",
    fn: "rerun",
    env: { ...REGION, PACER_TABLE: "ecs-rerun-pacer", SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun-relaunch-{region}", SPOKE_ACCOUNTS: '["222222222222"]' },
    baseline: "@aws-sdk/client-ecs",
    gated: true,
  },
  { label: "starter", fn: "starter", env: { ...REGION, STATE_MACHINE_ARN: STATE_MACHINE }, baseline: "@aws-sdk/client-sfn", gated: false },
  {
    label: "notifier, storms folded",
    fn: "notifier",
    env: { ...REGION, SLACK_WEBHOOK_PARAMETER: "/ecs-rerun/slack-webhook", NOTICE_TABLE: "ecs-rerun-notices", DIGEST_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111111111111/ecs-rerun-digest" },
    baseline: "@aws-sdk/client-ssm",
    gated: false,
  },
  { label: "run-counter", fn: "run-counter", env: { ...REGION }, baseline: "@aws-sdk/client-ecs", gated: false },
  {
    label: "reconciler",
    fn: "reconciler",
    env: { ...REGION, STATE_MACHINE_ARN: STATE_MACHINE, CLUSTERS: '["batch"]', CURSOR_TABLE: "ecs-rerun-cursors" },
    baseline: "@aws-sdk/client-cloudtrail",
    gated: false,
  },
];

/** A child that times one require and prints its CPU in microseconds. */
const PROBE = "const t=process.cpuUsage();require(process.argv[1]);const d=process.cpuUsage(t);process.stdout.write(String(d.user+d.system))";

function loadCpuMs(target: string, env: Record<string, string>, sourceMaps: boolean): number {
  // Only what Lambda would set: no NODE_OPTIONS or AWS settings of this machine leak in.
  const childEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env };
  const r = spawnSync(process.execPath, [...(sourceMaps ? ["--enable-source-maps"] : []), "-e", PROBE, target], { env: childEnv, cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`loading ${target} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return Number(r.stdout) / 1000;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface PackageSize {
  readonly fn: LambdaName;
  /** Bytes of each file in the zip. */
  readonly files: Record<string, number>;
  readonly zipBytes: number;
}

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "11" }, all: { type: "boolean", default: false }, json: { type: "boolean", default: false }, "no-source-maps": { type: "boolean", default: false } },
  });
  const sourceMaps = !values["no-source-maps"];
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: expected a positive integer`);
  const nodeMajor = Number(process.versions.node.split(".")[0]);

  const dir = mkdtempSync(join(tmpdir(), "ecs-rerun-cold-start-"));
  try {
    const sizes: PackageSize[] = [];
    const entries: Partial<Record<LambdaName, string>> = {};
    for (const fn of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      const pkg = buildLambdaPackage(fn);
      const zipped = readFileSync(pkg.zipPath);
      const files = unzip(zipped);
      const fnDir = join(dir, fn);
      mkdirSync(fnDir, { recursive: true });
      for (const f of files) writeFileSync(join(fnDir, f.name), f.data);
      entries[fn] = join(fnDir, "index.js");
      sizes.push({ fn, files: Object.fromEntries(files.map((f) => [f.name, f.data.length])), zipBytes: zipped.length });
    }

    const profiles = PROFILES.filter((p) => values.all || p.gated);
    const results = profiles.map((p) => {
      const bundle: number[] = [];
      const baseline: number[] = [];
      const baselinePath = require.resolve(p.baseline, { paths: [ROOT] });
      // One warm-up pair: the first process reads the files from disk, the rest from the page cache.
      loadCpuMs(baselinePath, p.env, sourceMaps);
      loadCpuMs(entries[p.fn] as string, p.env, sourceMaps);
      for (let i = 0; i < runs; i++) {
        baseline.push(loadCpuMs(baselinePath, p.env, sourceMaps));
        bundle.push(loadCpuMs(entries[p.fn] as string, p.env, sourceMaps));
      }
      return { profile: p.label, baseline: p.baseline, gated: p.gated, bundleMs: median(bundle), baselineMs: median(baseline), ratio: median(bundle) / median(baseline), bundleRuns: bundle, baselineRuns: baseline };
    });

    const failed = results.filter((r) => r.gated && r.ratio > MAX_RATIO);
    if (values.json) {
      console.log(JSON.stringify({ node: process.versions.node, runs, sourceMaps, sizes, results }, null, 2));
    } else {
      console.log(`Node ${process.versions.node}, ${sourceMaps ? "--enable-source-maps" : "no source maps"}, ${runs} alternating runs each (median; CPU = user + system of the require)`);
      if (nodeMajor !== 22) console.log(`note: the Lambdas run on nodejs22.x; this is Node ${nodeMajor} (npm run bench:cold-start runs Node 22)`);
      console.log("\npackage       files in the zip (bytes)                           zip (bytes)");
      for (const s of sizes) {
        const files = Object.entries(s.files).map(([name, bytes]) => `${name} ${bytes.toLocaleString("en")}`).join(", ");
        console.log(`${s.fn.padEnd(13)} ${files.padEnd(50)} ${s.zipBytes.toLocaleString("en")}`);
      }
      console.log("\nload CPU                   bundle    baseline                          ratio");
      for (const r of results) {
        const gate = r.gated ? ` (at most ${MAX_RATIO})` : "";
        console.log(`${r.profile.padEnd(26)} ${r.bundleMs.toFixed(1).padStart(6)} ms ${r.baselineMs.toFixed(1).padStart(6)} ms ${r.baseline.padEnd(26)} ${r.ratio.toFixed(2)}x${gate}`);
      }
    }
    if (failed.length > 0) {
      console.error(`\nover ${MAX_RATIO}x: ${failed.map((r) => `${r.profile} ${r.ratio.toFixed(2)}x`).join(", ")}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
