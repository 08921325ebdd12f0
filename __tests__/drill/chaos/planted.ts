// The defects the pipeline once had, each planted back for the sweep's test (sweep.test.ts) and run
// by sweep-child.ts: what was planted, the invariant its harm breaks, the scenarios searched, and
// where the search starts.
import type fc from "fast-check";
import type { ChaosDefect } from "../../../drill/drill-types";
import type { Invariant } from "../../../drill/chaos/invariants";
import { scenarioArb, type Scenario } from "../../../drill/chaos/scenario";

export interface PlantedDefect {
  readonly name: string;
  readonly plant: readonly ChaosDefect[];
  /** The invariant the defect's harm breaks. */
  readonly invariant: Invariant;
  /** The scenarios the search draws from (by default every scenario the sweep draws). */
  readonly scenarios: fc.Arbitrary<Scenario>;
  /**
   * The first seed searched; the search runs up to 600 scenarios from there. Seed 1 unless the first
   * scenario that shows the defect comes late: then a few seeds before it (the seed named with the
   * row), so the test does not replay the ~90 harmless scenarios before it on every run. A change to
   * the scenario generator moves that seed; the search then still looks 600 scenarios further.
   */
  readonly fromSeed: number;
}

// A Lambda without a time budget outlives its 90 s timeout only when its calls are slow enough: a
// StartTask (the most ECS calls a rerun makes) in a storm where 1 call in 7 passes, each call spending
// all six in-handler retries. Such a scenario is about one in 22 of the sweep's, and in about one of
// them in 100 the retries' jitter adds up past the timeout: the search looks there.
const slowStartTasks: fc.Arbitrary<Scenario> = scenarioArb.filter((s) => s.source === "starttask-rejected" && s.storm.passEvery === 7);

export const PLANTED: readonly PlantedDefect[] = [
  { name: "1. StartTask delivered twice launches twice (no execution names, no look-up before a StartTask)", plant: ["no-execution-names", "no-start-lookup"], invariant: "I1", scenarios: scenarioArb, fromSeed: 1 },
  { name: "2. StartTask re-sent after it succeeded, when the start check failed", plant: ["lose-launch-on-check-failure", "no-start-lookup"], invariant: "I1", scenarios: scenarioArb, fromSeed: 1 },
  { name: "3. a failed notice stops the rerun (no Catch on the notify states)", plant: ["notice-stops-rerun"], invariant: "I2", scenarios: scenarioArb, fromSeed: 1 },
  { name: "4. an untagged rerun is run twice (owner tags added after the launch)", plant: ["tag-after-launch"], invariant: "I1", scenarios: scenarioArb, fromSeed: 1 },
  // First caught at seed 94 of slowStartTasks (2026-12-06).
  { name: "5. the Lambda times out mid-launch (no time budget)", plant: ["no-time-budget"], invariant: "I5", scenarios: slowStartTasks, fromSeed: 90 },
  // First caught at seed 85 (2026-12-06).
  { name: "6. false alarms (normal outcomes thrown)", plant: ["throw-normal-outcomes"], invariant: "I5", scenarios: scenarioArb, fromSeed: 80 },
  // Never shipped: the hub's one way to get a spoke's rerun wrong, planted to show the sweep sees it.
  { name: "7. a spoke's failure relaunched in the hub's own account and region", plant: ["relaunch-at-home"], invariant: "I3", scenarios: scenarioArb, fromSeed: 1 },
  // Planted through the deps the drill builds the reconciler's handler with: its first cursor lands an
  // hour past what it read, so a failure whose event never arrived is never found.
  { name: "8. the reconciler skips a window", plant: ["reconciler-skips-a-window"], invariant: "I2", scenarios: scenarioArb, fromSeed: 1 },
];
