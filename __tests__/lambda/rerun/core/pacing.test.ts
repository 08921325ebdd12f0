// Tests of lambda/rerun/core/relaunch/pacing.ts: the GCRA clock, what a launch does with its slot, and the
// "later" that waits for it. Every expected value is worked out by hand in the comment beside it.
import { MAX_WAIT_IN_INVOCATION_MS, heldSlotMs, pacedLater, planSlot, reserveSlot, slotIntervalMs } from "../../../../lambda/rerun/core/relaunch/pacing";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

const T0 = Date.parse("2026-01-01T03:00:00Z"); // 1767236400000

describe("slotIntervalMs", () => {
  it("is the time one launch occupies: cost tasks / rate", () => {
    expect(slotIntervalMs(1, 10)).toBe(100); // 1 task at 10/s: 1000 / 10
    expect(slotIntervalMs(3, 10)).toBe(300); // a RunTask of count 3 takes three tasks' time
    expect(slotIntervalMs(1, 16)).toBe(62.5); // 1000 / 16, kept exact: rounding would drift 0.5 ms a launch
    expect(slotIntervalMs(1, 0.5)).toBe(2000); // one launch every two seconds
    expect(slotIntervalMs(0, 10)).toBe(100); // a launch is never free
  });
});

describe("reserveSlot (GCRA: slot = max(tat, now), tat' = slot + cost / rate)", () => {
  it("gives a lone launch the present moment: no delay without a storm", () => {
    expect(reserveSlot(undefined, T0, 1, 10)).toEqual({ slotMs: T0, tatMs: T0 + 100 }); // never used
    expect(reserveSlot(T0 - 60_000, T0, 1, 10)).toEqual({ slotMs: T0, tatMs: T0 + 100 }); // last used a minute ago
    expect(reserveSlot(T0, T0, 1, 10)).toEqual({ slotMs: T0, tatMs: T0 + 100 }); // tat == now: its turn exactly
  });

  it("lines a storm up one interval apart", () => {
    // Five launches reserved at the same instant at 10/s: slots at +0, +100, +200, +300, +400 ms.
    let tat: number | undefined;
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = reserveSlot(tat, T0, 1, 10);
      slots.push(r.slotMs - T0);
      tat = r.tatMs;
    }
    expect(slots).toEqual([0, 100, 200, 300, 400]);
    expect(tat).toBe(T0 + 500);
  });

  it("charges a multi-task launch its tasks, and lets the clock fall back to now after a lull", () => {
    // 2 tasks at 4/s from T0: slot T0, tat T0 + 500; 1 task 100 ms later: slot T0 + 500, tat T0 + 750.
    const a = reserveSlot(undefined, T0, 2, 4);
    const b = reserveSlot(a.tatMs, T0 + 100, 1, 4);
    expect([a.slotMs - T0, a.tatMs - T0, b.slotMs - T0, b.tatMs - T0]).toEqual([0, 500, 500, 750]);
    // 10 s later the clock is long past: the next launch goes at once again.
    expect(reserveSlot(b.tatMs, T0 + 10_000, 1, 4).slotMs).toBe(T0 + 10_000);
  });

  it("paces 10,000 launches to N / rate: the last slot of a storm at 16/s is 9,999 x 62.5 ms = 624.9375 s in", () => {
    let tat: number | undefined;
    let last = 0;
    for (let i = 0; i < 10_000; i++) ({ slotMs: last, tatMs: tat } = reserveSlot(tat, T0, 1, 16));
    expect(last - T0).toBe(624_937.5);
  });
});

describe("planSlot", () => {
  it("goes when the slot has come", () => {
    expect(planSlot(T0, T0)).toEqual({ kind: "go" });
    expect(planSlot(T0 - 5, T0)).toEqual({ kind: "go" });
  });

  it("waits inside the invocation for a slot at most five seconds away, rounding up to the millisecond", () => {
    expect(planSlot(T0 + 62.5, T0)).toEqual({ kind: "wait", ms: 63 });
    expect(planSlot(T0 + MAX_WAIT_IN_INVOCATION_MS, T0)).toEqual({ kind: "wait", ms: 5000 });
  });

  it("hands a farther slot to a Step Functions Wait of its whole seconds, so the next round waits under a second", () => {
    expect(planSlot(T0 + 5_001, T0)).toEqual({ kind: "later", delaySeconds: 5 }); // then 1 ms in the invocation
    expect(planSlot(T0 + 624_937.5, T0)).toEqual({ kind: "later", delaySeconds: 624 }); // then 938 ms
  });

  it("hands back a near slot too when the invocation could not afford to wait and still launch", () => {
    // 2 s away with 31 s left: 2 s + 30 s kept for the launch do not fit.
    expect(planSlot(T0 + 2_000, T0, 31_000)).toEqual({ kind: "later", delaySeconds: 2 });
    expect(planSlot(T0 + 400, T0, 10_000)).toEqual({ kind: "later", delaySeconds: 1 }); // never a 0 s Wait
    expect(planSlot(T0 + 2_000, T0, 32_000)).toEqual({ kind: "wait", ms: 2000 });
  });
});

describe("the held slot and the paced hand-back", () => {
  const failure = { ...parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)), attemptsLaunched: 1, deferrals: 2 };

  it("is the same attempt after a Wait, its slot remembered, no attempt used and no deferral counted", () => {
    const { failure: next, decision } = pacedLater(failure, 2, 3, T0 + 7_500, 7);
    expect(decision).toEqual({
      next: "later",
      attempt: 1,
      nextAttempt: 2,
      maxAttempts: 3,
      delaySeconds: 7,
      retryable: true,
      message: "paced: launch slot at 2026-01-01T03:00:07.500Z, the account's reruns go at a shared rate",
    });
    expect(next.launchSlot).toEqual({ attempt: 2, atMs: T0 + 7_500 });
    expect(next.deferrals).toBe(2);
    expect(next.attemptsLaunched).toBe(1);
    expect(heldSlotMs(next, 2)).toBe(T0 + 7_500);
  });

  it("is held only by the attempt that reserved it, and only when well formed", () => {
    expect(heldSlotMs(failure, 2)).toBeUndefined();
    expect(heldSlotMs({ ...failure, launchSlot: { attempt: 1, atMs: T0 } }, 2)).toBeUndefined();
    expect(heldSlotMs({ ...failure, launchSlot: { attempt: 2, atMs: "soon" as unknown as number } }, 2)).toBeUndefined();
  });
});
