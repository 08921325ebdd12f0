/**
 * What `npm run synth` says when it is done: where it deploys (the region, and the account when it is
 * pinned), each stack it wrote and where, read from the manifest cdktf writes next to them (so the
 * list is what is on disk, not what we meant to write), and the command that deploys them.
 */
import { isAbsolute, join, relative } from "node:path";
import { describeRegion } from "./regions";

/** The spoke stack's and the pipeline stack's IDs (modules/app.ts). */
const SPOKE_STACK = "ecs-rerun-spoke";
const PIPELINE_STACK = "ecs-rerun";

/** The part of cdktf's `manifest.json` this reads. */
export interface SynthManifest {
  readonly stacks: Readonly<Record<string, { readonly name: string; readonly synthesizedStackPath: string }>>;
}

/** Where the stacks deploy, for the report's first line. */
export interface SynthPlace {
  readonly region: string;
  /** Where the region was set; undefined: the default. */
  readonly regionSetBy?: string;
  /** The account, when ECS_RERUN_ACCOUNT_ID pins it. */
  readonly account?: string;
}

/** `path` relative to `cwd` when it lies under it, else absolute. */
function shown(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return r.startsWith("..") || isAbsolute(r) ? path : r;
}

/** The stacks to deploy, in the order to deploy them: a spoke's place leaves the pipeline out. */
export function deployOrder(stacks: readonly string[]): string[] {
  // Where a spoke is deployed, the failures of its clusters go to the hub, which reruns them: the
  // `ecs-rerun` stack here too would rerun every failure a second time, so the hint leaves it out.
  const spoke = stacks.includes(SPOKE_STACK);
  return stacks.filter((n) => !spoke || n !== PIPELINE_STACK);
}

/** The lines to print after a synth into `outdir` (absolute, or relative to `cwd`). */
export function synthReport(manifest: SynthManifest, outdir: string, cwd: string, place?: SynthPlace): string {
  const stacks = Object.values(manifest.stacks);
  const dir = isAbsolute(outdir) ? outdir : join(cwd, outdir);
  const width = Math.max(0, ...stacks.map((s) => s.name.length));
  const lines = stacks.map((s) => `  ${s.name.padEnd(width)}  ${shown(join(dir, s.synthesizedStackPath), cwd)}`);
  const spoke = stacks.some((s) => s.name === SPOKE_STACK);
  const where = place
    ? [
        `Region: ${describeRegion(place.region)}, ${place.regionSetBy ? `from ${place.regionSetBy}` : "the default (set ECS_RERUN_REGION for another)"}; account: ${place.account ?? "the credentials' (ECS_RERUN_ACCOUNT_ID pins one)"}`,
      ]
    : [];
  return [
    ...where,
    `Wrote ${stacks.length} stack${stacks.length === 1 ? "" : "s"} (Terraform JSON):`,
    ...lines,
    `Deploy with: npm run cdktf -- deploy ${deployOrder(stacks.map((s) => s.name)).join(" ")}`,
    ...(spoke ? [`(not ${PIPELINE_STACK} here: the hub reruns this spoke's failures, and a pipeline here would rerun them again)`] : []),
  ].join("\n");
}
