// The fault sweep on the real pipeline: a fixed seeded sweep finds nothing, and each defect the
// pipeline once had, planted back, is caught by the invariant it breaks (the instrument can fail).
import type { ChaosDefect } from "../../../drill/drill-types";
import type fc from "fast-check";
import { describeScenario, scenarioArb, type Scenario } from "../../../drill/chaos/scenario";
import type { Invariant } from "../../../drill/chaos/invariants";
import { firstViolation, startSweepDrill, sweep } from "../../../drill/chaos/sweep";
import type { Drill } from "../../../drill/runner";

jest.setTimeout(180_000);

describe("the fault sweep", () => {
  test("300 seeded scenarios (seed 1): every invariant holds on ground truth", async () => {
    const result = await sweep({ runs: 300, seed: 1 });
    expect(result.examples).toEqual([]);
    expect(result).toMatchObject({ runs: 300, violations: 0 });
  });
});

describe("the fault sweep catches each defect the pipeline once had, planted back", () => {
  // Each defect as it was reproduced, and the invariant its harm breaks.
  // A Lambda without a time budget outlives its 90 s timeout only when its calls are slow enough:
  // a StartTask (the most ECS calls a rerun makes) in a storm where 1 call in 7 passes, each call
  // spending all six in-handler retries. Such a scenario is about one in 22 of the sweep's, and in
  // about one of them in 100 the retries' jitter adds up past the timeout: the search looks there.
  const slowStartTasks: fc.Arbitrary<Scenario> = scenarioArb.filter((s) => s.source === "starttask-rejected" && s.storm.passEvery === 7);
  // Every row names its scenarios: a row one element short makes jest pass its `done` callback there.
  const planted: [string, ChaosDefect[], Invariant, fc.Arbitrary<Scenario>][] = [
    ["1. StartTask delivered twice launches twice (no execution names, no look-up before a StartTask)", ["no-execution-names", "no-start-lookup"], "I1", scenarioArb],
    ["2. StartTask re-sent after it succeeded, when the start check failed", ["lose-launch-on-check-failure", "no-start-lookup"], "I1", scenarioArb],
    ["3. a failed notice stops the rerun (no Catch on the notify states)", ["notice-stops-rerun"], "I2", scenarioArb],
    ["4. an untagged rerun is run twice (owner tags added after the launch)", ["tag-after-launch"], "I1", scenarioArb],
    ["5. the Lambda times out mid-launch (no time budget)", ["no-time-budget"], "I5", slowStartTasks],
    ["6. false alarms (normal outcomes thrown)", ["throw-normal-outcomes"], "I5", scenarioArb],
    // Never shipped: the hub's one way to get a spoke's rerun wrong, planted to show the sweep sees it.
    ["7. a spoke's failure relaunched in the hub's own account and region", ["relaunch-at-home"], "I3", scenarioArb],
    // Planted through the deps the drill builds the reconciler's handler with: its first cursor lands an
    // hour past what it read, so a failure whose event never arrived is never found.
    ["8. the reconciler skips a window", ["reconciler-skips-a-window"], "I2", scenarioArb],
  ];

  test.each(planted)("%s (planted %j): caught by %s", async (_name, plant, invariant, scenarios) => {
    let drill: Drill | undefined;
    try {
      drill = await startSweepDrill(plant);
      const found = await firstViolation(drill, invariant, 1, 600, scenarios);
      expect(found && { invariant: found.violation.invariant, scenario: describeScenario(found.scenario) }).toEqual({ invariant, scenario: expect.any(String) });
    } finally {
      await drill?.stop();
    }
  });
});
