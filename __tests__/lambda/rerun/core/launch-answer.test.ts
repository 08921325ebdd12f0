// Tests of lambda/rerun/core/relaunch/launch-answer.ts: the shortfall kept while answers are folded into a failure.
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { applyAnswer } from "../../../../lambda/rerun/core/relaunch/launch-answer";
import { shortfall } from "../../../../lambda/rerun/util";
import { agentEvent, loadFixture, RUNTASK_PARTIAL, STARTTASK_PARTIAL } from "../../helpers";

describe("shortfall", () => {
  it("is count minus tasks placed, not the number of failures", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    expect(failure).toMatchObject({ requested: 3, placed: 2, remaining: 1, reasons: ["AGENT"] });
    expect(failure.taskArns).toHaveLength(2);
  });

  it("is never negative", () => {
    expect(shortfall(3, 2)).toBe(1);
    expect(shortfall(1, 2)).toBe(0);
  });

  it("defaults count to 1 when the request has none", () => {
    const event = agentEvent();
    delete event.detail.requestParameters.count;
    expect(parseLaunchEvent(event)).toMatchObject({ requested: 1, remaining: 1 });
  });

  it("tracks StartTask instances still without a task, matching IDs against ARNs", () => {
    const failure = parseLaunchEvent(loadFixture(STARTTASK_PARTIAL));
    expect(failure).toMatchObject({
      action: "StartTask",
      requested: 2,
      placed: 1,
      remaining: 1,
      pendingContainerInstances: [
        "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/batch-ec2/4e5f6a7b8c9d40e1f2a3b4c5d6e7f8a9",
      ],
    });
  });

  it("folds a later answer into the running totals", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const after = applyAnswer(failure, {
      tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/new" }],
      failures: [],
    });
    expect(after).toMatchObject({ placed: 3, remaining: 0, reasons: [], failures: [] });
    expect(after.taskArns).toHaveLength(3);
    expect(after.taskArns[2]).toMatch(/task\/batch-ec2\/new$/);
  });
});
