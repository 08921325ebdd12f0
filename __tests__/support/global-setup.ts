// Once per `jest` run, before any worker starts: a directory for what the run's processes share (the
// module stack, __tests__/support/shared-module.ts; the drill's synthesized pipelines and validated
// state machines, drill/synthesized/run-share.ts), named to the workers and the processes they start
// through the environment they inherit. Removed by global-teardown.ts; a run never reads another's.
// Not an ECS_RERUN_ name: the app reads every such variable as a setting.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function globalSetup(): void {
  process.env.JEST_ECS_RERUN_RUN_DIR = mkdtempSync(join(tmpdir(), "ecs-rerun-jest-run-"));
}
