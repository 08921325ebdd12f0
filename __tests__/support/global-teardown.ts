import { rmSync } from "node:fs";

export default function globalTeardown(): void {
  const dir = process.env.JEST_ECS_RERUN_RUN_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
