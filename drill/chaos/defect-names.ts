// The names of the defects the fault sweep's test plants (drill/chaos/defects.ts plants them), apart
// from the code that plants them: `npm run chaos` checks --plant against them before it loads the drill.

export const RERUN_DEFECTS = ["no-start-lookup", "lose-launch-on-check-failure", "tag-after-launch", "no-time-budget", "throw-normal-outcomes", "relaunch-at-home"] as const;
/** The rerun Lambda's defects. */
export type RerunDefect = (typeof RERUN_DEFECTS)[number];
/** Every defect the sweep's test plants: the rerun Lambda's, the starter's, the state machine's and the reconciler's. */
export type ChaosDefect = RerunDefect | "no-execution-names" | "notice-stops-rerun" | "reconciler-skips-a-window";

/** Every defect `--plant` takes (a Record, so the compiler holds it to ChaosDefect). */
const CHAOS_DEFECT_SET: Readonly<Record<ChaosDefect, true>> = {
  "no-start-lookup": true,
  "lose-launch-on-check-failure": true,
  "tag-after-launch": true,
  "no-time-budget": true,
  "throw-normal-outcomes": true,
  "relaunch-at-home": true,
  "no-execution-names": true,
  "notice-stops-rerun": true,
  "reconciler-skips-a-window": true,
};
export const CHAOS_DEFECTS = Object.keys(CHAOS_DEFECT_SET) as readonly ChaosDefect[];
