// Tests of lambda/rerun/core/failure/cloudtrail-event.ts: parsing a CloudTrail RunTask/StartTask record.
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { clusterShortName } from "../../../../lambda/rerun/util";
import { InvalidEventError } from "../../../../lambda/shared/errors";
import { agentEvent, loadFixture, STARTTASK_PARTIAL } from "../../helpers";

describe("parseLaunchEvent", () => {
  it("turns the shared AGENT event into a launch failure that keeps the request unchanged", () => {
    const event = agentEvent();
    const failure = parseLaunchEvent(event);
    expect(failure).toMatchObject({
      source: "cloudtrail",
      eventId: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
      action: "RunTask",
      region: "ap-northeast-1",
      account: "123456789012",
      cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
      clusterName: "batch-ec2",
      taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
      startedBy: "events-rule/nightly-report-batch",
      eventTime: "2025-03-04T03:00:07Z",
      requested: 1,
      placed: 0,
      remaining: 1,
      reasons: ["AGENT"],
      taskArns: [],
    });
    expect(failure.request).toEqual(agentEvent().detail.requestParameters);
    expect(failure.pendingContainerInstances).toBeUndefined();
  });

  it("names the cluster default when the request has none", () => {
    const event = agentEvent();
    delete event.detail.requestParameters.cluster;
    expect(parseLaunchEvent(event)).toMatchObject({ cluster: "default", clusterName: "default" });
    expect(clusterShortName("batch")).toBe("batch");
  });

  it("accepts any minor version of eventVersion 1", () => {
    const event = agentEvent();
    event.detail.eventVersion = "1.11";
    expect(parseLaunchEvent(event).eventId).toBe("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
  });

  it("keeps distinct reasons only", () => {
    const event = agentEvent();
    event.detail.requestParameters.count = 3;
    event.detail.responseElements.failures = [{ reason: "AGENT" }, { reason: "AGENT" }, { reason: "ATTRIBUTE" }, {}];
    expect(parseLaunchEvent(event).reasons).toEqual(["AGENT", "ATTRIBUTE"]);
  });

  it.each<[string, (e: Record<string, any>) => void, RegExp]>([
    ["a different detail-type", (e) => (e["detail-type"] = "ECS Task State Change"), /detail-type/],
    ["another API call", (e) => (e.detail.eventName = "StopTask"), /detail\.eventName/],
    ["eventVersion 2", (e) => (e.detail.eventVersion = "2.0"), /detail\.eventVersion/],
    ["no taskDefinition", (e) => delete e.detail.requestParameters.taskDefinition, /requestParameters\.taskDefinition/],
    ["no requestParameters", (e) => (e.detail.requestParameters = null), /detail\.requestParameters/],
    ["no eventID", (e) => delete e.detail.eventID, /detail\.eventID/],
    ["another event source", (e) => (e.detail.eventSource = "ec2.amazonaws.com"), /detail\.eventSource/],
    ["a count of 0", (e) => (e.detail.requestParameters.count = 0), /requestParameters\.count/],
  ])("rejects an event with %s, naming the field", (_label, mutate, field) => {
    const event = agentEvent();
    mutate(event);
    expect(() => parseLaunchEvent(event)).toThrow(InvalidEventError);
    expect(() => parseLaunchEvent(event)).toThrow(field);
  });

  it("rejects a record without responseElements and says which errorCode the call failed with", () => {
    const event = agentEvent();
    delete event.detail.responseElements;
    event.detail.errorCode = "InvalidParameterException";
    expect(() => parseLaunchEvent(event)).toThrow(/detail\.responseElements.*InvalidParameterException/);
  });

  it("rejects a StartTask without containerInstances", () => {
    const event = loadFixture(STARTTASK_PARTIAL);
    delete event.detail.requestParameters.containerInstances;
    expect(() => parseLaunchEvent(event)).toThrow(/containerInstances/);
  });

  it("raises errors whose name is the class name (Step Functions matches on it)", () => {
    try {
      parseLaunchEvent({});
      throw new Error("expected a throw");
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as Error).name).toBe("InvalidEventError");
    }
  });
});
