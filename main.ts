// The app: deploys JOBS (jobs.ts) with the settings of the environment and cdktf context, writes
// every stack to cdktf.out and lists what it wrote. The only file with side effects: importing any
// module synthesizes nothing.
import { App } from "cdktf";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { JOBS } from "./jobs";
import { buildApp } from "./modules/app";
import { appContext } from "./modules/settings/cdktf-context";
import { ConfigError } from "./modules/config";
import { synthReport, type SynthManifest } from "./modules/synth-report";

function main(): number {
  try {
    const cdktfJson = join(__dirname, "cdktf.json");
    const context = appContext(process.env, existsSync(cdktfJson) ? readFileSync(cdktfJson, "utf8") : undefined);
    const app = new App({ context });
    buildApp(app, process.env, { jobs: JOBS, jobsLabel: "JOBS (jobs.ts)" });
    app.synth();
    const manifest = JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")) as SynthManifest;
    console.log(synthReport(manifest, app.outdir, process.cwd()));
    return 0;
  } catch (err) {
    // A mistake in what the user set: one message naming it, no stack trace. Anything else is a
    // bug, and its stack trace is what a report of it needs.
    if (!(err instanceof ConfigError)) throw err;
    console.error(`ecs-rerun: ${err.message}\n(settings: README.md, "Configuration without editing code"; jobs: jobs.ts)`);
    return 2;
  }
}

process.exitCode = main();
