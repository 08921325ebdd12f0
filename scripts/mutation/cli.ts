// `npm run test:mutation [-- <stryker options>]`: Stryker on the pure cores (stryker.config.mjs), then
// the per-group gate (gate.ts). Extra options go to `stryker run`, e.g. `-- --mutate 'lambda/starter/**/*.ts'`
// while working on one group (the gate then judges only the groups the report holds).
// `--gate-only` skips Stryker and judges the last report.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { failingGroups, formatScores, scoreGroups, type MutationReport } from "./gate";

const ROOT = resolve(__dirname, "../..");

async function main(argv: readonly string[]): Promise<number> {
  const gateOnly = argv.includes("--gate-only");
  const strykerArgs = argv.filter((a) => a !== "--gate-only");
  const config = (await import(pathToFileURL(join(ROOT, "stryker.config.mjs")).href)) as {
    groups: Record<string, string[]>;
    gateScore: number;
    default: { jsonReporter: { fileName: string } };
  };
  const reportPath = join(ROOT, config.default.jsonReporter.fileName);
  let strykerStatus = 0;
  if (!gateOnly) {
    // A run that fails before reporting (a test failing without any mutant) must not be judged on the last report.
    rmSync(reportPath, { force: true });
    const bin = join(dirname(require.resolve("@stryker-mutator/core/package.json")), "bin/stryker.js");
    // process.execPath: the Node this runs on (22 through `npx -p node@22`), for Stryker and its jest workers.
    const run = spawnSync(process.execPath, [bin, "run", ...strykerArgs], { cwd: ROOT, stdio: "inherit" });
    strykerStatus = run.status ?? 1;
  }
  let report: MutationReport;
  try {
    report = JSON.parse(readFileSync(reportPath, "utf8")) as MutationReport;
  } catch (err) {
    console.error(`mutation gate: no report at ${reportPath} (${(err as Error).message}); Stryker exited ${strykerStatus}`);
    return 1;
  }
  const partial = strykerArgs.includes("--mutate") || strykerArgs.includes("-m");
  const scores = scoreGroups(report, config.groups);
  const failing = failingGroups(scores, config.gateScore, !partial && !gateOnly);
  console.log(`\nMutation score per group (gate: ${config.gateScore} % of all valid mutants in each group)\n`);
  console.log(formatScores(scores));
  if (failing.length > 0) {
    console.error(`\nmutation gate FAILED: ${failing.map((s) => `${s.group} (${s.total === undefined ? "no mutants" : `${s.total.toFixed(1)} %`})`).join(", ")}`);
    return 1;
  }
  console.log(`\nmutation gate passed: every group measured is at ${config.gateScore} % or more`);
  // Stryker's own break threshold (the total) can fail only when a group does, but keep its word too.
  return strykerStatus;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
