// What the processes of one test run share: __tests__/support/global-setup.ts makes a directory per
// jest run and names it in JEST_ECS_RERUN_RUN_DIR, which every worker and the processes tests start
// inherit. A pipeline synthesized, or a state machine definition validated, by one of them is then
// not synthesized or validated again by the others (nine suites synthesized the default pipeline,
// ~1.1 s of CPU apiece under jest; each validation compiles asl-validator's schemas, ~0.5 s). Outside
// a test run the variable is unset and each process does its own work.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SHARED_DIR = process.env.JEST_ECS_RERUN_RUN_DIR;

/** The run's file for `kind` and `key` (any text; hashed), or undefined outside a test run. */
function fileFor(kind: string, key: string): string | undefined {
  return SHARED_DIR && join(SHARED_DIR, `${kind}-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`);
}

/** Writes `text` whole or not at all: a process that made the same thing at the same time writes the same text. */
function writeWhole(file: string, text: string): void {
  writeFileSync(`${file}.${process.pid}`, text);
  renameSync(`${file}.${process.pid}`, file);
}

/** The text `make` gives for `key`, made once per test run (and in every process outside one). */
export function sharedText(kind: string, key: string, make: () => string): string {
  const file = fileFor(kind, key);
  if (file && existsSync(file)) return readFileSync(file, "utf8");
  const text = make();
  if (file) writeWhole(file, text);
  return text;
}

/** Whether `key` passed a check earlier in this test run; `passed` records that it did. */
export function checkedBefore(kind: string, key: string): { readonly before: boolean; passed(): void } {
  const file = fileFor(kind, key);
  return { before: file !== undefined && existsSync(file), passed: () => file && writeWhole(file, "") };
}
