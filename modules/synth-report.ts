/**
 * What `npm run synth` says when it is done: each stack it wrote and where, read from the manifest
 * cdktf writes next to them (so the list is what is on disk, not what we meant to write).
 */
import { isAbsolute, join, relative } from "node:path";

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
  const names = stacks.map((s) => s.name).join(" ");
  return [
    `Wrote ${stacks.length} stack${stacks.length === 1 ? "" : "s"} (Terraform JSON):`,
    ...lines,
    `Deploy with: npm run cdktf -- deploy ${names}`,
  ].join("\n");
}
