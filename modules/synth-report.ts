/**
 * What `npm run synth` says when it is done: each stack it wrote and where, read from the manifest
 * cdktf writes next to them (so the list is what is on disk, not what we meant to write).
 */
import { isAbsolute, join, relative } from "node:path";

/** The spoke stack's and the pipeline stack's IDs (modules/app.ts). */
const SPOKE_STACK = "ecs-rerun-spoke";
const PIPELINE_STACK = "ecs-rerun";

/** The part of cdktf's `manifest.json` this reads. */
export interface SynthManifest {
  readonly stacks: Readonly<Record<string, { readonly name: string; readonly synthesizedStackPath: string }>>;
}

/** `path` relative to `cwd` when it lies under it, else absolute. */
function shown(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r.startsWith("..") || isAbsolute(r) ? path : r;
}

/** The lines to print after a synth into `outdir` (absolute, or relative to `cwd`). */
export function synthReport(manifest: SynthManifest, outdir: string, cwd: string): string {
  const stacks = Object.values(manifest.stacks);
  const dir = isAbsolute(outdir) ? outdir : join(cwd, outdir);
  const width = Math.max(0, ...stacks.map((s) => s.name.length));
  const lines = stacks.map((s) => `  ${s.name.padEnd(width)}  ${shown(join(dir, s.synthesizedStackPath), cwd)}`);
  // Where a spoke is deployed, the failures of its clusters go to the hub, which reruns them: the
  // `ecs-rerun` stack here too would rerun every failure a second time, so the hint leaves it out.
  const spoke = stacks.some((s) => s.name === SPOKE_STACK);
  const names = stacks.map((s) => s.name).filter((n) => !spoke || n !== PIPELINE_STACK).join(" ");
  return [
    `Wrote ${stacks.length} stack${stacks.length === 1 ? "" : "s"} (Terraform JSON):`,
    ...lines,
    `Deploy with: npm run cdktf -- deploy ${names}`,
    ...(spoke ? [`(not ${PIPELINE_STACK} here: the hub reruns this spoke's failures, and a pipeline here would rerun them again)`] : []),
  ].join("\n");
}
