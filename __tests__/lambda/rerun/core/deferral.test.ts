// Tests of lambda/rerun/core/relaunch/deferral.ts: "later" rounds and their bound.
import { deferDecision, deferDelaySeconds, MAX_DEFERRALS } from "../../../../lambda/rerun/core/relaunch/deferral";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

describe("deferral", () => {
  it("draws delays with full jitter under a cap that doubles from 5 s to 120 s, never 0", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => deferDelaySeconds(n, () => 0.999999))).toEqual([5, 10, 20, 40, 80, 120, 120]);
    expect(deferDelaySeconds(3, () => 0)).toBe(1);
    expect(deferDelaySeconds(3, () => 0.5)).toBe(10);
  });

  it("tries the same attempt again without using it up, counting the round", () => {
    const failure = { ...parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)), attemptsLaunched: 1 };
    const { failure: next, decision } = deferDecision(failure, 2, 3, "RunTask: ServerException", () => 0.5);
    expect(decision).toEqual({ next: "later", attempt: 1, nextAttempt: 2, maxAttempts: 3, retryable: true, delaySeconds: 3, message: "RunTask: ServerException" });
    expect(next.deferrals).toBe(1);
    expect(next.attemptsLaunched).toBe(1);
  });

  it("gives up after MAX_DEFERRALS rounds in a row, saying why", () => {
    const failure = { ...parseLaunchEvent(loadFixture(RUNTASK_PARTIAL)), deferrals: MAX_DEFERRALS - 1 };
    expect(deferDecision(failure, 1, 3, "x").decision.next).toBe("later");
    const over = deferDecision({ ...failure, deferrals: MAX_DEFERRALS }, 1, 3, "DescribeTasks: throttled");
    expect(over.decision).toMatchObject({ next: "gave_up", message: `no usable answer from ECS after ${MAX_DEFERRALS} tries: DescribeTasks: throttled` });
  });
});
