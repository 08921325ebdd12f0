// Times `npm run synth` (every stack, a fresh process each run, as a user runs it) against the bare
// cost of loading @cdktf/provider-aws from its root, which is what a root import would add to synth.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function timeOnce(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const outdir = mkdtempSync(join(tmpdir(), "ecs-rerun-bench-"));
try {
  const env = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  timeOnce(["--import", "tsx", "main.ts"], env); // warm the OS file cache and any build cache
  const synth = Array.from({ length: RUNS }, () => timeOnce(["--import", "tsx", "main.ts"], env));
  const rootImport = Array.from({ length: RUNS }, () => timeOnce(["-e", 'require("@cdktf/provider-aws")']));
  const ratio = median(synth) / median(rootImport);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
  console.log(`synth of all stacks (node --import tsx main.ts): median ${median(synth).toFixed(0)} ms over ${RUNS} runs [${fmt(synth)}]`);
  console.log(`require("@cdktf/provider-aws") from its root:    median ${median(rootImport).toFixed(0)} ms over ${RUNS} runs [${fmt(rootImport)}]`);
  console.log(`ratio synth / root import: ${ratio.toFixed(2)} (goal < 0.50)`);
  if (ratio >= 0.5) process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
