// The app: deploys JOBS (jobs.ts) with the settings of the environment, settings.ts and cdktf
// context, writes every stack to cdktf.out and lists what it wrote, and where it deploys. The only
// file with side effects: importing any module synthesizes nothing (modules/synth-command.ts).
import { DEMO_JOB, JOBS } from "./jobs";
import { SETTINGS } from "./settings";
import { synthCommand } from "./modules/synth-command";

process.exitCode = synthCommand({
  env: process.env,
  projectDir: __dirname,
  cwd: process.cwd(),
  jobs: JOBS,
  demoJob: DEMO_JOB,
  settingsFile: SETTINGS,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
