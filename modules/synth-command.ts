// What `npm run synth` does (main.ts), as a function of what it reads: the environment and the
// project's files. main.ts runs it with the process's own; the README's synth examples run it in
// process with theirs (__tests__/readme-commands.test.ts), the plain `npm run synth` as a process.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { buildApp, type AppInputs } from "./app";
import { ConfigError } from "./config";
import { appContext } from "./settings/cdktf-context";
import { legacyStateProblems } from "./state-file";
import { synthReport, type SynthManifest } from "./synth-report";

/** What one `npm run synth` reads and where it writes. */
export interface SynthCommandInputs {
  /** The environment: settings (ECS_RERUN_*), cdktf's context and CDKTF_OUTDIR. */
  readonly env: NodeJS.ProcessEnv;
  /** The project's directory, where cdktf.json is. */
  readonly projectDir: string;
  /** The working directory: state files are looked for there and the report's paths are relative to it. */
  readonly cwd: string;
  /** The jobs to deploy: jobs.ts's JOBS, unchecked (buildApp checks them and names what is wrong). */
  readonly jobs: AppInputs["jobs"];
  /** The demo job (jobs.ts's DEMO_JOB). */
  readonly demoJob: AppInputs["demoJob"];
  /** The settings file (settings.ts's SETTINGS). */
  readonly settingsFile: AppInputs["settingsFile"];
  /** Where the report goes (stdout) and a mistake's one message (stderr). */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * Synthesizes every stack into the out directory and reports what it wrote and where it deploys: exit
 * code 0. A mistake in what the user set is one message naming it, no stack trace: exit code 2.
 * Anything else is a bug, thrown with its stack trace, which is what a report of it needs.
 */
export function synthCommand(inputs: SynthCommandInputs): number {
  const { env, projectDir, cwd } = inputs;
  try {
    const cdktfJson = join(projectDir, "cdktf.json");
    const context = appContext(env, existsSync(cdktfJson) ? readFileSync(cdktfJson, "utf8") : undefined);
    // cdktf reads CDKTF_OUTDIR from the process itself; from `env` here, so a caller's environment decides.
    const app = new App({ context, ...(env.CDKTF_OUTDIR ? { outdir: env.CDKTF_OUTDIR } : {}) });
    const built = buildApp(app, env, { jobs: inputs.jobs, jobsLabel: "JOBS (jobs.ts)", demoJob: inputs.demoJob, settingsFile: inputs.settingsFile });
    const stacks = [built.cluster, built.rerun, built.spoke].filter((s) => s !== undefined).map((s) => ({ id: s.node.id, region: built.region, account: built.settings.accountId }));
    // A state file of an earlier naming beside none of the new one: a deploy would start afresh.
    const earlier = legacyStateProblems(stacks, (name) => existsSync(join(cwd, name)));
    if (earlier.length > 0) throw new ConfigError(earlier.join("\n"));
    app.synth();
    const manifest = JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")) as SynthManifest;
    inputs.out(synthReport(manifest, app.outdir, cwd, { region: built.region, regionSetBy: built.regionSetBy, account: built.settings.accountId }));
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    inputs.err(`ecs-rerun: ${err.message}\n(settings: README.md, "Configuration without editing code"; jobs: jobs.ts; settings file: settings.ts)`);
    return 2;
  }
}
