// Tests of lambda/rerun/core/rerun-request.ts: the ECS request of a rerun.
import { clientToken } from "../../../../lambda/rerun/core/client-token";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/cloudtrail-event";
import { buildRerunRequest } from "../../../../lambda/rerun/core/rerun-request";
import { loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL } from "../../helpers";

describe("rerun request", () => {
  it("replays a RunTask with count = shortfall and a fresh clientToken, nothing else changed", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const request = buildRerunRequest(failure, 2);
    const { count, clientToken: token, ...rest } = request;
    const { count: _c, clientToken: _t, ...original } = failure.request;
    expect(rest).toEqual(original);
    expect(count).toBe(1);
    expect(token).toBe(clientToken(failure.eventId, 2));
    expect(failure.request).toEqual(loadFixture(RUNTASK_PARTIAL).detail.requestParameters); // not mutated
  });

  it("replays a StartTask on the pending instances only and without a clientToken", () => {
    const failure = parseLaunchEvent(loadFixture(STARTTASK_PARTIAL));
    const request = buildRerunRequest(failure, 1);
    expect(request.containerInstances).toEqual(failure.pendingContainerInstances);
    expect(request).not.toHaveProperty("clientToken");
    expect(request).not.toHaveProperty("count");
  });
});
