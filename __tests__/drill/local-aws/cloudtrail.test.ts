// The "AWS API Call via CloudTrail" events LocalAws sends for RunTask/StartTask, and reset().
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import FakeTimers from "@sinonjs/fake-timers";
import { CloudTrailApiCallEvent } from "../../../drill/local-aws/local-aws";
import { ACCOUNT, CLUSTER_ARN, EVENTS_KEY, INSTANCE_ARN, LAMBDA_KEY, REGION, TASK_ARN, TASK_DEF, nightly, rejection, startAws } from "./harness";

describe("LocalAws CloudTrail events", () => {
  // Top-level and detail keys of /work/shared/events/constructed__runtask-failure-AGENT__eventbridge-rule.json.
  const ENVELOPE_KEYS = ["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"];
  const DETAIL_KEYS = [
    "awsRegion", "eventCategory", "eventID", "eventName", "eventSource", "eventTime", "eventType", "eventVersion", "managementEvent",
    "readOnly", "recipientAccountId", "requestID", "requestParameters", "responseElements", "sourceIPAddress", "userAgent", "userIdentity",
  ];
  const IDENTITY_KEYS = ["accessKeyId", "accountId", "arn", "invokedBy", "principalId", "sessionContext", "type"];

  it("emits, for a failed RunTask, the EventBridge envelope with the request as sent, the failures and the caller's role", async () => {
    const seen: CloudTrailApiCallEvent[] = [];
    const now = Date.parse("2025-03-04T03:00:07.250Z");
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT"], now: () => now, onCloudTrailEvent: (e) => seen.push(e) });
    await ecs(EVENTS_KEY).send(new RunTaskCommand({ ...nightly, clientToken: "tok-1" }));

    expect(seen).toHaveLength(1);
    const event = seen[0];
    expect(event).toEqual(aws.events[0]);
    expect(Object.keys(event).sort()).toEqual(ENVELOPE_KEYS);
    expect(Object.keys(event.detail).sort()).toEqual(DETAIL_KEYS);
    expect(Object.keys(event.detail.userIdentity).sort()).toEqual(IDENTITY_KEYS);
    expect(event).toMatchObject({
      version: "0",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ecs",
      account: ACCOUNT,
      region: REGION,
      time: "2025-03-04T03:00:07Z",
      detail: {
        eventSource: "ecs.amazonaws.com",
        eventName: "RunTask",
        eventTime: "2025-03-04T03:00:07Z",
        awsRegion: REGION,
        sourceIPAddress: "events.amazonaws.com",
        eventType: "AwsApiCall",
        recipientAccountId: ACCOUNT,
      },
    });
    expect(event.detail.requestParameters).toEqual({
      cluster: CLUSTER_ARN,
      taskDefinition: TASK_DEF,
      count: 1,
      launchType: "EC2",
      startedBy: "events-rule/nightly-report-batch",
      overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"] }] },
      clientToken: "tok-1",
    });
    expect(event.detail.responseElements?.tasks).toEqual([]);
    expect(event.detail.responseElements?.failures).toEqual([{ arn: expect.stringMatching(INSTANCE_ARN), reason: "AGENT" }]);
    expect(event.detail.userIdentity).toMatchObject({
      type: "AssumedRole",
      arn: expect.stringMatching(/^arn:aws:sts::123456789012:assumed-role\/ecsEventsRole\/[0-9a-f]{32}$/),
      accessKeyId: EVENTS_KEY,
      invokedBy: "events.amazonaws.com",
      sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCOUNT}:role/ecsEventsRole`, userName: "ecsEventsRole", accountId: ACCOUNT } },
    });
  });

  it("takes eventTime from the default clock while the drill fakes Date and setTimeout", async () => {
    const clock = FakeTimers.install({ now: Date.parse("2031-01-02T03:04:05Z"), toFake: ["Date", "setTimeout", "clearTimeout"], shouldClearNativeTimers: true });
    try {
      const { aws, ecs } = await startAws({ ecsScript: ["AGENT"] });
      await ecs().send(new RunTaskCommand(nightly));

      expect(aws.events[0].time).toBe("2031-01-02T03:04:05Z");
      expect(aws.requests[0].at).toBe(Date.parse("2031-01-02T03:04:05Z"));
    } finally {
      clock.uninstall();
    }
  });

  it("gives every event fresh ids and names the Lambda's role and session when the Lambda launches", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["ok"] });
    const client = ecs(LAMBDA_KEY);
    await client.send(new RunTaskCommand(nightly));
    await client.send(new RunTaskCommand(nightly));
    const [a, b] = aws.events;

    expect(a.id).not.toBe(b.id);
    expect(a.detail.eventID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.detail.eventID).not.toBe(b.detail.eventID);
    expect(a.detail.userIdentity).toMatchObject({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ecs-rerun-lambda-role/ecs-rerun-handler` });
    expect(a.detail.userIdentity).not.toHaveProperty("invokedBy");
    expect(a.detail.responseElements?.tasks[0]).toMatchObject({ lastStatus: "PENDING", taskArn: expect.stringMatching(TASK_ARN) });
    expect(a.detail.responseElements?.failures).toEqual([]);
  });

  it("identifies an access key missing from the identities map as an IAM user without a session context", async () => {
    const { aws, ecs } = await startAws();
    await ecs("AKIAUNKNOWNKEY000001").send(new RunTaskCommand(nightly));
    const identity = aws.events[0].detail.userIdentity;

    expect(identity).toMatchObject({ type: "IAMUser", accessKeyId: "AKIAUNKNOWNKEY000001", arn: `arn:aws:iam::${ACCOUNT}:user/AKIAUNKNOWNKEY000001` });
    expect(identity).not.toHaveProperty("sessionContext");
    expect(aws.requests[0].caller).toEqual(identity);
  });

  it("records a throttled launch with errorCode ThrottlingException and no responseElements, as CloudTrail does", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["throttle"] });
    await rejection(ecs().send(new RunTaskCommand(nightly)));

    expect(aws.events).toHaveLength(1);
    expect(aws.events[0].detail).toMatchObject({ errorCode: "ThrottlingException", errorMessage: "Rate exceeded", responseElements: null });
  });

  it("emits an event for a clientToken replay carrying the replayed answer", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT"] });
    const client = ecs();
    await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));
    await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));

    expect(aws.events.map((e) => e.detail.responseElements?.failures[0].reason)).toEqual(["AGENT", "AGENT"]);
  });

  it("clears records, events, tasks and tokens on reset and rewinds the script", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT", "ok"] });
    const client = ecs();
    await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));
    aws.reset();
    const again = await client.send(new RunTaskCommand({ ...nightly, count: 2, clientToken: "t" }));

    expect(again.failures?.map((f) => f.reason)).toEqual(["AGENT", "AGENT"]);
    expect(aws.requests).toHaveLength(1);
    expect(aws.events).toHaveLength(1);
  });
});
