// Tests of lambda/rerun/core/relaunch/decision.ts: what to do next with a failure.
import { DEFAULT_RERUN_CONFIG } from "../../../../lambda/rerun/config";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { decide } from "../../../../lambda/rerun/core/relaunch/decision";
import type { Decision, LaunchFailure } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const NOW = Date.parse("2025-03-04T03:05:00Z");

describe("decision", () => {
  const policy = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" as const };
  const base = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
  const withState = (patch: Partial<LaunchFailure>): LaunchFailure => ({ ...base, ...patch });

  it.each<[string, Partial<LaunchFailure>, number, Partial<Decision>]>([
    ["classify, retryable shortfall", { reasons: ["AGENT"] }, 0, { next: "retry", delaySeconds: 30, nextAttempt: 1, retryable: true }],
    ["classify, nothing short", { remaining: 0, reasons: [] }, 0, { next: "recovered", message: "no shortfall" }],
    ["classify, configuration reason", { reasons: ["ATTRIBUTE"] }, 0, { next: "not_retryable", retryable: false }],
    ["classify, no reason at all", { reasons: [] }, 0, { next: "not_retryable", retryable: false }],
    ["rerun 1 still short", { reasons: ["RESOURCE:MEMORY"] }, 1, { next: "retry", delaySeconds: 60, nextAttempt: 2 }],
    ["rerun 2 still short", { reasons: ["AGENT"] }, 2, { next: "retry", delaySeconds: 120, nextAttempt: 3 }],
    ["last rerun still short", { reasons: ["AGENT"] }, 3, { next: "gave_up", delaySeconds: 0, retryable: true }],
    ["rerun placed everything", { remaining: 0, reasons: [] }, 2, { next: "recovered", delaySeconds: 0 }],
    ["rerun hit a configuration reason", { reasons: ["MISSING"] }, 1, { next: "not_retryable", delaySeconds: 0 }],
  ])("%s", (_label, state, attempt, expected) => {
    const decision = decide(withState({ ...state, attemptsLaunched: attempt }), policy, NOW);
    expect(decision).toMatchObject({ attempt, nextAttempt: attempt + 1, maxAttempts: 3, ...expected });
  });

  it("says why it did not retry", () => {
    expect(decide(withState({ reasons: ["ATTRIBUTE", "LOCATION"] }), policy, NOW).message).toMatch(/ATTRIBUTE, LOCATION/);
    expect(decide(withState({ reasons: ["AGENT"], attemptsLaunched: 3 }), policy, NOW).message).toMatch(/1 of 3 task\(s\) still not started after 3 rerun/);
  });

  it("draws the delay with jitter when FULL", () => {
    const decision = decide(withState({ reasons: ["AGENT"], attemptsLaunched: 1 }), { ...policy, jitter: "FULL" }, NOW, () => 0.5);
    expect(decision).toMatchObject({ next: "retry", delaySeconds: 30 }); // floor(0.5 * 61)
  });
});
