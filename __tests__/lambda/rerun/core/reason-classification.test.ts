// Tests of lambda/rerun/core/relaunch/reason-classification.ts: which launch failure reasons are retryable.
import { DEFAULT_RETRYABLE_REASONS } from "../../../../lambda/rerun/config";
import { isRetryable, isRetryableReason, reasonMatches } from "../../../../lambda/rerun/core/relaunch/reason-classification";

const FARGATE_CAPACITY =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

describe("reason classification", () => {
  it.each(["AGENT", "RESOURCE:MEMORY", "RESOURCE:CPU", "RESOURCE:PORTS", "RESOURCE:ENI", FARGATE_CAPACITY])(
    "treats %j as retryable with the default patterns",
    (reason) => {
      expect(isRetryableReason(reason, DEFAULT_RETRYABLE_REASONS)).toBe(true);
    },
  );

  it.each(["ATTRIBUTE", "LOCATION", "MISSING", "INACTIVE", "AGENTS", "RESOURCE", "agent", "Capacity"])(
    "treats %j as not retryable with the default patterns",
    (reason) => {
      expect(isRetryableReason(reason, DEFAULT_RETRYABLE_REASONS)).toBe(false);
    },
  );

  it("matches a pattern without * exactly and a pattern ending in * as a prefix", () => {
    expect(reasonMatches("MISSING", "MISSING")).toBe(true);
    expect(reasonMatches("MISSING-X", "MISSING")).toBe(false);
    expect(reasonMatches("RESOURCE:GPU", "RESOURCE:*")).toBe(true);
    expect(reasonMatches("anything", "*")).toBe(true);
  });

  it("uses custom patterns instead of the defaults", () => {
    const patterns = ["ATTRIBUTE", "RESOURCE:MEMORY"];
    expect(isRetryableReason("ATTRIBUTE", patterns)).toBe(true);
    expect(isRetryableReason("RESOURCE:MEMORY", patterns)).toBe(true);
    expect(isRetryableReason("RESOURCE:CPU", patterns)).toBe(false);
    expect(isRetryableReason("AGENT", patterns)).toBe(false);
  });

  it("calls an answer retryable when at least one reason is retryable", () => {
    expect(isRetryable(["ATTRIBUTE", "AGENT"], DEFAULT_RETRYABLE_REASONS)).toBe(true);
    expect(isRetryable(["ATTRIBUTE", "MISSING"], DEFAULT_RETRYABLE_REASONS)).toBe(false);
  });

  it("calls an answer without reasons not retryable", () => {
    expect(isRetryable([], DEFAULT_RETRYABLE_REASONS)).toBe(false);
  });
});
