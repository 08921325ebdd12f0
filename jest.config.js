// The tests run the Lambdas' code in this machine's Node; under Node < 22 the AWS SDK warns in every
// worker that its 2027 releases will need Node 22 (NodeVersionSupportWarning), which says nothing
// about the code under test (the Lambdas run on nodejs22.x). Workers and the processes tests spawn
// inherit this; a value set by the user wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking happens once in `tsc --noEmit`; swc only strips types, which is 5-10x faster than ts-jest.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup-cdktf.ts"],
  // A directory per run for what suites share (__tests__/support/shared-module.ts).
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  testTimeout: 30000,
  // Every core: jest's default leaves one for itself (one worker on a 2-core machine), but its own
  // process only schedules; the suites are CPU-bound, and the slowest ones are started first.
  maxWorkers: "100%",
};
