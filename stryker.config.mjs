// Mutation testing of the pure cores (issue 23): `npm run test:mutation` (scripts/mutation.ts) runs
// Stryker with this file, then scripts/mutation-gate.ts checks every group below against `gateScore`.
// The README's "Mutation testing" section says what it costs and why CI does not run it.

/**
 * The groups the gate scores one by one, each a list of globs relative to the repository root. `**`
 * keeps a group whole when its files move into subfolders.
 */
export const groups = {
  "rerun core": ["lambda/rerun/core/**/*.ts"],
  "task state": ["lambda/rerun/**/task-state.ts"],
  // format.ts and the parts it was split into (issue 22): the Slack blocks, console links and message parsing.
  "notifier format": ["lambda/notifier/**/format*.ts", "lambda/notifier/**/slack-blocks.ts", "lambda/notifier/**/console-links.ts", "lambda/notifier/**/parse-message.ts"],
  starter: ["lambda/starter/**/*.ts"],
  "rerun state machine": ["modules/pipeline/**/rerun-state-machine.ts"],
  patterns: ["modules/pipeline/**/*pattern*.ts", "modules/pipeline/**/split-rules.ts", "modules/pipeline/**/pattern-bins.ts"],
  schedule: ["modules/**/schedule.ts"],
  settings: ["modules/settings/**/*.ts"],
};

/** The score (killed and timed out over all valid mutants, uncovered ones included) every group must reach. */
export const gateScore = 90;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: Object.values(groups).flat(),
  testRunner: "jest",
  jest: { configFile: "jest.stryker.config.js", enableFindRelatedTests: true },
  // Each mutant runs only the tests that reached it in the first (dry) run.
  coverageAnalysis: "perTest",
  // No TypeScript checker: it type-checks every mutant (minutes on two cores); swc strips types, so a
  // mutant that would not compile runs anyway and the unit tests kill it or it shows as a survivor.
  checkers: [],
  // Static mutants (module-scope constants: error-name lists, the cron field table, emoji tables) can
  // be attributed to no single test, so Stryker runs every related test for each one: in the first
  // measurement they were 15 % of the mutants and, by Stryker's own estimate, 63-71 % of the time
  // (the rerun core's 243 would each run all 551 of its unit tests). They are left out of the run
  // and the score; the unit tests pin those lists literally (every name written out) instead.
  ignoreStatic: true,
  // A second run reuses the results of every mutant whose file and covering tests did not change.
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["json", "clear-text", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  thresholds: { high: 95, low: gateScore, break: gateScore },
  // The machine is shared (two cores); one test runner keeps the rest of it usable.
  concurrency: 1,
  timeoutMS: 10000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
