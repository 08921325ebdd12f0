// Once per `jest` run, before any worker starts: a directory for what suites share within the run
// (shared-module.ts), named to the workers through the environment they inherit. Removed afterwards
// by global-teardown.ts; a new run never reads an earlier run's.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function globalSetup(): void {
  process.env.JEST_ECS_RERUN_RUN_DIR = mkdtempSync(join(tmpdir(), "ecs-rerun-jest-run-"));
}
