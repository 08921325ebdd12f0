/**
 * Proves a refactor changed nothing a user deploys: compares the synthesized stacks
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`) and the built Terraform module (`dist/`) with a recorded
 * copy, byte for byte, masking only what a split of the Lambda sources must change (the packages'
 * content hashes and the asset paths that embed them) and where the checkout lies (cdktf writes the
 * local backend's state path as an absolute path under the directory synth ran in, so a worktree's
 * synth differs from the main checkout's there and nowhere else). Resource addresses are part of the
 * bytes, so a renamed construct ID fails here.
 *
 *   cp -r cdktf.out/stacks BASE/stacks && cp -r dist BASE/dist     # before the refactor
 *   npm run synth && npm run build:module                          # after it
 *   tsx scripts/compare-artifacts.ts BASE
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");

/** Replaces the parts of a file that follow the Lambda sources' hash with fixed placeholders. */
export function maskLambdaHashes(text: string): string {
  return text
    .replace(/(assets\/[^/"]+\/)[0-9A-F]{32}(\/[a-z-]+-)[0-9a-f]{16}(\.zip)/g, "$1<asset-hash>$2<bundle-hash>$3")
    .replace(/("source_code_hash": ")[A-Za-z0-9+/=]{44}(")/g, "$1<sha256>$2");
}

/** Replaces the absolute directory of the local backend's state file with a placeholder. */
export function maskCheckoutPaths(text: string): string {
  return text.replace(/("path": ")[^"]*\/(terraform\.[^"/]+\.tfstate")/g, "$1<checkout>/$2");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Lists every difference between `baseline` and `current` (two trees), ignoring Lambda zips and masked hashes. */
export function compareTrees(baseline: string, current: string): string[] {
  const problems: string[] = [];
  const wanted = (f: string) => !f.endsWith(".zip");
  const before = new Set(filesUnder(baseline).filter(wanted).map((f) => relative(baseline, f)));
  const after = new Set(filesUnder(current).filter(wanted).map((f) => relative(current, f)));
  for (const f of before) if (!after.has(f)) problems.push(`missing now: ${f}`);
  for (const f of after) if (!before.has(f)) problems.push(`new: ${f}`);
  for (const f of before) {
    if (!after.has(f)) continue;
    const a = maskCheckoutPaths(maskLambdaHashes(readFileSync(join(baseline, f), "utf8")));
    const b = maskCheckoutPaths(maskLambdaHashes(readFileSync(join(current, f), "utf8")));
    if (a !== b) {
      const la = a.split("\n");
      const lb = b.split("\n");
      const line = la.findIndex((l, i) => l !== lb[i]);
      problems.push(`differs: ${f} (first at line ${line + 1}: ${JSON.stringify(la[line])} vs ${JSON.stringify(lb[line])})`);
    }
  }
  return problems;
}

if (require.main === module) {
  const base = process.argv[2];
  if (!base) {
    console.error("usage: tsx scripts/compare-artifacts.ts BASELINE_DIR (holding stacks/ and dist/)");
    process.exit(2);
  }
  const problems = [
    ...compareTrees(join(base, "stacks"), join(ROOT, "cdktf.out", "stacks")).map((p) => `stacks: ${p}`),
    ...compareTrees(join(base, "dist"), join(ROOT, "dist")).map((p) => `dist: ${p}`),
  ];
  for (const p of problems) console.log(p);
  console.log(problems.length === 0 ? "identical (Lambda package hashes and the checkout's path masked)" : `${problems.length} difference(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
