// Tests of lambda/rerun/core/failure/client-token.ts: the deterministic clientToken of a rerun.
import { clientToken } from "../../../../lambda/rerun/core/failure/client-token";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";

describe("clientToken", () => {
  const eventId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

  it("is the prefix and the first 40 hex characters of sha256(eventId:attempt), the same on every call", () => {
    // Oracle: `printf 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d:1' | sha256sum` (and :2), outside the code under test.
    expect(clientToken(eventId, 1)).toBe("ecs-rerun-1932ae9afa9a7f3176fdde3f01e0f0ddb58150dc");
    expect(clientToken(eventId, 2)).toBe("ecs-rerun-739ec66834baea37193ba43bea2cabeb58f17cc1");
    expect(clientToken(eventId, 1)).toHaveLength(50);
  });

  it("starts with ecs-rerun- and fits the 64-character limit", () => {
    const token = clientToken(eventId, 10);
    expect(token.startsWith("ecs-rerun-")).toBe(true);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[a-z0-9-]+$/);
  });

  it("differs per attempt and per event", () => {
    const tokens = new Set([clientToken(eventId, 1), clientToken(eventId, 2), clientToken("other-event", 1)]);
    expect(tokens.size).toBe(3);
  });

  it("never equals the caller's clientToken", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const callerToken = failure.request.clientToken;
    expect(callerToken).toEqual(expect.any(String));
    for (const attempt of [1, 2, 3]) expect(clientToken(failure.eventId, attempt)).not.toBe(callerToken);
  });
});
