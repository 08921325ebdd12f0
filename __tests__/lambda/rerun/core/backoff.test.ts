// Tests of lambda/rerun/core/relaunch/backoff.ts: rerun backoff and throttle retry delays.
import type { BackoffPolicy } from "../../../../lambda/rerun/config";
import { backoffCapSeconds, backoffSeconds, throttleDelayMs } from "../../../../lambda/rerun/core/relaunch/backoff";
import { seededRandom } from "../../helpers";

describe("backoff", () => {
  const none: BackoffPolicy = { firstDelaySeconds: 30, backoffRate: 2, maxDelaySeconds: 300, jitter: "NONE" };
  const full: BackoffPolicy = { ...none, jitter: "FULL" };

  it("grows the cap by the rate per rerun and stops at the maximum delay", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, none))).toEqual([30, 60, 120, 240, 300, 300]);
  });

  it("keeps the cap finite for absurd attempt numbers", () => {
    expect(backoffCapSeconds(10_000, { ...none, backoffRate: 10 })).toBe(300);
  });

  it("rounds a fractional cap down to whole seconds", () => {
    expect(backoffSeconds(3, { ...none, backoffRate: 1.5 })).toBe(67); // 30 * 1.5^2 = 67.5
  });

  it("waits nothing when the first delay is 0", () => {
    expect(backoffSeconds(3, { ...none, firstDelaySeconds: 0 })).toBe(0);
    expect(backoffSeconds(3, { ...full, firstDelaySeconds: 0 }, () => 0.99)).toBe(0);
  });

  it("draws FULL jitter as integers within [0, cap] and reaches both ends", () => {
    const random = seededRandom(42);
    for (const n of [1, 2, 3, 4, 5]) {
      const cap = backoffCapSeconds(n, full);
      const draws = Array.from({ length: 500 }, () => backoffSeconds(n, full, random));
      expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= cap)).toBe(true);
      expect(new Set(draws).size).toBeGreaterThan(Math.min(cap, 20));
    }
    expect(backoffSeconds(2, full, () => 0)).toBe(0);
    expect(backoffSeconds(2, full, () => 0.999999)).toBe(60);
  });

  it("sleeps before in-handler throttle retries with full jitter from 1 s doubling to a 16 s cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => throttleDelayMs(n, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 16000, 16000]);
    expect(throttleDelayMs(3, () => 0)).toBe(0);
    const random = seededRandom(3);
    const draws = Array.from({ length: 200 }, () => throttleDelayMs(2, random));
    expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= 2000)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it("draws FULL jitter as floor(r * (cap + 1)) of the random value it is given", () => {
    // caps 30, 60, 120: floor(0.5 * 31) = 15, floor(0.25 * 61) = 15, floor(0.9 * 121) = 108.
    const values = [0.5, 0.25, 0.9];
    const random = (): number => values.shift() as number;
    expect([1, 2, 3].map((n) => backoffSeconds(n, full, random))).toEqual([15, 15, 108]);
    // Out-of-range draws are clamped to [0, cap]: a random source is not trusted to stay in [0, 1).
    expect(backoffSeconds(2, full, () => -3)).toBe(0);
    expect(backoffSeconds(2, full, () => 7)).toBe(60);
    expect(throttleDelayMs(2, () => 0.5)).toBe(1000); // floor(0.5 * 2001)
    expect(throttleDelayMs(1, () => -1)).toBe(0);
    expect(throttleDelayMs(1, () => 2)).toBe(1000);
  });

  it("treats a rerun number below 1 as the first, and a negative first delay as no wait", () => {
    expect(backoffCapSeconds(0, none)).toBe(30);
    expect(backoffCapSeconds(-5, none)).toBe(30);
    expect(backoffCapSeconds(1, { ...none, firstDelaySeconds: -10 })).toBe(0);
    expect(throttleDelayMs(0, () => 0.999999)).toBe(1000);
    expect(throttleDelayMs(-2, () => 0.999999)).toBe(1000);
  });
});
