// Tests of lambda/rerun/core/failure/rerun-request.ts: the ECS request of a rerun.
import { clientToken } from "../../../../lambda/rerun/core/failure/client-token";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { buildRerunRequest } from "../../../../lambda/rerun/core/failure/rerun-request";
import { loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL } from "../../helpers";

describe("rerun request", () => {
  it("replays a RunTask with count = shortfall, a fresh clientToken and the owner tags after the caller's, nothing else changed", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const request = buildRerunRequest(failure, 2);
    const { count, clientToken: token, tags, ...rest } = request;
    const { count: _c, clientToken: _t, tags: callerTags, ...original } = failure.request;
    expect(rest).toEqual(original);
    expect(tags).toEqual([...(callerTags as unknown[]), { key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "2" }]);
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
    expect(request.tags).toEqual([...(failure.request.tags as unknown[]), { key: "ecs-rerun:event-id", value: failure.eventId }, { key: "ecs-rerun:attempt", value: "1" }]);
  });

  it("replaces owner tags the original carried (a task another pipeline launched) instead of doubling them", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    failure.request = { ...failure.request, tags: [{ key: "ecs-rerun:event-id", value: "older" }, { key: "team", value: "x" }, { key: "ecs-rerun:attempt", value: "9" }] };
    expect(buildRerunRequest(failure, 1).tags).toEqual([
      { key: "team", value: "x" },
      { key: "ecs-rerun:event-id", value: failure.eventId },
      { key: "ecs-rerun:attempt", value: "1" },
    ]);
  });
});
