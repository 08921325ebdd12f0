// The app: deploys JOBS (jobs.ts) with the settings of the environment, settings.ts and cdktf
// context, writes every stack to cdktf.out and lists what it wrote, and where it deploys. The only
// file with side effects: importing any module synthesizes nothing.
import { App } from "cdktf";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_JOB, JOBS } from "./jobs";
import { SETTINGS } from "./settings";
import { buildApp } from "./modules/app";
import { appContext } from "./modules/settings/cdktf-context";
import { ConfigError } from "./modules/config";
import { legacyStateProblems } from "./modules/state-file";
import { synthReport, type SynthManifest } from "./modules/synth-report";

function main(): number {
  try {
    const cdktfJson = join(__dirname, "cdktf.json");
    const context = appContext(process.env, existsSync(cdktfJson) ? readFileSync(cdktfJson, "utf8") : undefined);
    const app = new App({ context });
    const built = buildApp(app, process.env, { jobs: JOBS, jobsLabel: "JOBS (jobs.ts)", demoJob: DEMO_JOB, settingsFile: SETTINGS });
    const stacks = [built.cluster, built.rerun, built.spoke].filter((s) => s !== undefined).map((s) => ({ id: s.node.id, region: built.region, account: built.settings.accountId }));
    // A state file of an earlier naming beside none of the new one: a deploy would start afresh.
    const earlier = legacyStateProblems(stacks, (name) => existsSync(name));
    if (earlier.length > 0) throw new ConfigError(earlier.join("\n"));
    app.synth();
    const manifest = JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")) as SynthManifest;
    console.log(synthReport(manifest, app.outdir, process.cwd(), { region: built.region, regionSetBy: built.regionSetBy, account: built.settings.accountId }));
    return 0;
  } catch (err) {
    // A mistake in what the user set: one message naming it, no stack trace. Anything else is a
    // bug, and its stack trace is what a report of it needs.
    if (!(err instanceof ConfigError)) throw err;
    console.error(`ecs-rerun: ${err.message}\n(settings: README.md, "Configuration without editing code"; jobs: jobs.ts; settings file: settings.ts)`);
    return 2;
  }
}

process.exitCode = main();
