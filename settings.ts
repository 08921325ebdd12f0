/**
 * Your settings, as a typed file beside jobs.ts: any setting of the README's table ("Configuration
 * without editing code"), by its key, each as its own type (a number as a number, a list as an
 * array, expected runs as objects). `npm run synth` checks every key and value, as it checks the
 * `ECS_RERUN_*` environment variables, which win over this file (and this file over cdktf.json's
 * "context"). An unknown key, or a value of the wrong type, stops synth with exit code 2 naming it.
 */
import type { SettingsFile } from "./modules/settings/settings";

/** The settings main.ts deploys with; empty: every default (the demo, README "What the default deploys"). */
export const SETTINGS: SettingsFile = {
  // region: "eu-west-1",
  // createTrail: true, // no trail logs this account's management events yet: without one, rejected launches are never seen
  // protectedClusters: ["prod-batch"], // your own clusters: then nothing of the demo is deployed
  // expectedRuns: [{ name: "nightly-report", family: "report", intervalSeconds: 86400 }],
};
