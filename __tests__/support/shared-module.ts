// The module stack synthesized once per jest run and shared by the suites that read it (eleven did it
// each on their own, ~1.2 s of CPU apiece). The first suite to ask synthesizes it and writes it to the
// run's directory (global-setup.ts); the others read that copy. Two suites starting together may both
// synthesize: the same input gives the same output, and the file is replaced whole (rename), never read
// half-written. Outside a jest run with that directory (a suite run by other means), it synthesizes.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { synthesizeModule, type SynthesizedModule } from "../../modules/terraform-module/module-files";

/** The module stack's configuration, its spoke's and its Lambda packages, as {@link synthesizeModule} gives them. */
export function sharedModule(): SynthesizedModule {
  const dir = process.env.JEST_ECS_RERUN_RUN_DIR;
  const file = dir && join(dir, "module.json");
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as SynthesizedModule;
  const synthesized = synthesizeModule();
  if (file) {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(synthesized));
    renameSync(partial, file);
  }
  return synthesized;
}
