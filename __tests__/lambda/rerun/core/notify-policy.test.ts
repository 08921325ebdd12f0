// Tests of lambda/rerun/core/notices/notify-policy.ts: which steps of a failure reach the topic in each NOTIFY mode.
import fc from "fast-check";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { openSeconds, publication, type NotifyPolicy } from "../../../../lambda/rerun/core/notices/notify-policy";
import type { Decision, DecisionNext, LaunchFailure, NotifyMode } from "../../../../lambda/shared/contract";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const T0 = Date.parse("2026-01-01T03:00:00Z");
const failure: LaunchFailure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
const decision = (next: DecisionNext): Decision => ({ next, attempt: 1, nextAttempt: 2, maxAttempts: 3, delaySeconds: 10, retryable: true });
const policy = (notify: NotifyMode, stillTryingAfterSeconds = 600): NotifyPolicy => ({ notify, stillTryingAfterSeconds });
const detected = (at: number): LaunchFailure => ({ ...failure, detectedAt: new Date(at).toISOString() });

describe("publication", () => {
  it("every-step leaves the decision as it was (no publish field: the definition without the quiet route)", () => {
    for (const next of ["retry", "verify", "later", "recovered", "gave_up", "not_retryable", "report", "needs_human", "already_handled"] as const) {
      const out = publication(policy("every-step"), failure, decision(next), "detected", T0);
      expect(out.decision).toEqual(decision(next));
      expect(out.kind).toBe("detected");
    }
  });

  it("outcomes: a retry right after detection is quiet, and the recovery that follows is told", () => {
    const classify = publication(policy("outcomes"), failure, decision("retry"), "detected", T0);
    expect(classify.decision.publish).toBe(false);
    expect(classify.failure.detectedAt).toBe("2026-01-01T03:00:00.000Z");
    expect(classify.failure.firstReasons).toEqual(["AGENT"]);
    const healed = publication(policy("outcomes"), { ...classify.failure, reasons: [] }, decision("recovered"), "recovered", T0 + 42_000);
    expect(healed.decision.publish).toBe(true);
    expect(healed.kind).toBe("recovered");
    expect(openSeconds(healed.failure, T0 + 42_000)).toBe(42);
  });

  it.each(["outcomes", "problems"] as const)("%s: problems are told at once, whatever the time", (mode) => {
    for (const next of ["gave_up", "not_retryable", "report", "needs_human"] as const) {
      expect(publication(policy(mode), failure, decision(next), "needs_human", T0).decision.publish).toBe(true);
    }
  });

  it("problems: a recovery is quiet unless a still-trying notice went out", () => {
    expect(publication(policy("problems"), detected(T0), decision("recovered"), "recovered", T0 + 5_000).decision.publish).toBe(false);
    expect(publication(policy("problems"), { ...detected(T0), stillTryingSent: true }, decision("recovered"), "recovered", T0 + 900_000).decision.publish).toBe(true);
  });

  it.each(["retry", "verify", "later"] as const)("one still-trying notice on a %s step past the threshold, and only one", (next) => {
    const before = publication(policy("outcomes", 600), detected(T0), decision(next), "retrying", T0 + 599_000);
    expect(before.decision.publish).toBe(false);
    const past = publication(policy("outcomes", 600), detected(T0), decision(next), "retrying", T0 + 600_000);
    expect(past.decision.publish).toBe(true);
    expect(past.kind).toBe("still_trying");
    expect(past.failure.stillTryingSent).toBe(true);
    const again = publication(policy("outcomes", 600), past.failure, decision(next), "retrying", T0 + 1_200_000);
    expect(again.decision.publish).toBe(false);
  });

  it("property: per failure, at most one still-trying notice and exactly one told outcome (outcomes mode)", () => {
    const step = fc.record({ next: fc.constantFrom<DecisionNext>("retry", "verify", "later"), seconds: fc.integer({ min: 0, max: 400 }) });
    const end = fc.constantFrom<DecisionNext>("recovered", "gave_up", "not_retryable", "report", "needs_human");
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), end, fc.integer({ min: 60, max: 3600 }), (steps, last, threshold) => {
        let f: LaunchFailure = failure;
        let now = T0;
        const told: string[] = [];
        for (const s of [...steps.map((x) => ({ next: x.next, seconds: x.seconds })), { next: last, seconds: 1 }]) {
          const out = publication(policy("outcomes", threshold), f, decision(s.next), "retrying", now);
          if (out.decision.publish) told.push(out.kind === "still_trying" ? "still_trying" : s.next);
          f = out.failure;
          now += s.seconds * 1000;
        }
        const stillTrying = told.filter((k) => k === "still_trying").length;
        expect(stillTrying).toBeLessThanOrEqual(1);
        expect(told.filter((k) => k !== "still_trying")).toEqual([last]);
      }),
    );
  });
});
