// The jest configuration Stryker runs (stryker.config.mjs), not `npm test`'s.
//
// Two differences from jest.config.js:
// - `roots` holds the source folders as well as __tests__. Stryker's jest runner selects the tests of a
//   mutated file with jest's `--findRelatedTests`, which follows imports only through files in `roots`;
//   with __tests__ alone it finds no test for a handler's core and every mutant there "survives".
//   `testMatch` still admits only __tests__/**/*.test.ts, so no source file is taken for a test.
// - Only the unit tests run: the drill, the sweep, the module and README suites and the suites that
//   synthesize whole stacks take minutes and would run once per mutant they cover. The pure cores
//   Stryker mutates (stryker.config.mjs) are pinned by the unit tests alone, which is the point.
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // No cdktf matchers in these suites: loading cdktf in every test file would cost each mutant run.
  setupFilesAfterEnv: [],
  roots: ["<rootDir>/__tests__", "<rootDir>/lambda", "<rootDir>/modules", "<rootDir>/drill"],
  testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/__tests__/drill/",
    "<rootDir>/__tests__/terraform-module/",
    "<rootDir>/__tests__/scripts/",
    "<rootDir>/__tests__/readme",
    // Whole stacks synthesized (seconds each, and they cover every construct file); the pipeline's
    // pure-function suites stay.
    "<rootDir>/__tests__/pipeline/(?!(spoke-rule-patterns|rerun-state-machine-definition|patterns-pinned)\\.test)",
    "<rootDir>/__tests__/cluster/",
    "<rootDir>/__tests__/spoke/",
    "<rootDir>/__tests__/app\\.test",
    "<rootDir>/__tests__/user-errors\\.test",
    "<rootDir>/__tests__/release\\.test",
    "<rootDir>/__tests__/main-support\\.test",
    "<rootDir>/__tests__/jobs-check\\.test",
    "<rootDir>/__tests__/regions\\.test",
    "<rootDir>/__tests__/hcl/",
    "<rootDir>/__tests__/settings/(schema-coverage|cdktn-context)\\.test",
    "<rootDir>/__tests__/lambda/reconciler/rejected-launch\\.test",
  ],
};
