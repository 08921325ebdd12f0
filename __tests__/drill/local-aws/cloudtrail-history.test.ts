// The local CloudTrail event history: LookupEvents through the real @aws-sdk/client-cloudtrail,
// answered from the launches the local ECS recorded, per account and region, with AWS's limits.
import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { ACCOUNT, CLUSTER_ARN, LAMBDA_KEY, nightly, rejection, REGION, startAws } from "./harness";

const T0 = Date.parse("2026-01-01T03:00:00Z");

const clients: CloudTrailClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

async function setUp() {
  let now = T0;
  const env = await startAws({ now: () => now, ecsScript: ["AGENT", "ok", "AGENT", "ok", "AGENT"] });
  const cloudTrail = (region = REGION) => {
    const c = new CloudTrailClient({ endpoint: env.endpoint, region, credentials: { accessKeyId: LAMBDA_KEY, secretAccessKey: "s" }, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  return { ...env, cloudTrail, at: (ms: number) => (now = ms) };
}

const runTasks: LookupEventsCommandInput = { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunTask" }] };

describe("LookupEvents", () => {
  test("returns the RunTask records the local ECS made, newest first, each record's JSON in CloudTrailEvent", async () => {
    const { ecs, cloudTrail, at, aws } = await setUp();
    for (let i = 0; i < 3; i++) {
      at(T0 + i * 60_000);
      await ecs().send(new RunTaskCommand(nightly));
    }
    at(T0 + 600_000);
    const out = await cloudTrail().send(new LookupEventsCommand(runTasks));
    expect(out.Events).toHaveLength(3);
    expect(out.Events!.map((e) => e.EventTime!.getTime())).toEqual([T0 + 120_000, T0 + 60_000, T0]);
    const records = out.Events!.map((e) => JSON.parse(e.CloudTrailEvent!));
    expect(records.map((r) => r.eventID)).toEqual([...aws.events].reverse().map((e) => e.detail.eventID));
    expect(records[2]).toMatchObject({ eventSource: "ecs.amazonaws.com", eventName: "RunTask", requestParameters: { cluster: CLUSTER_ARN }, responseElements: { failures: [{ reason: "AGENT" }] } });
    expect(out.Events![0]).toMatchObject({ EventName: "RunTask", EventSource: "ecs.amazonaws.com", ReadOnly: "false", EventId: records[0].eventID });
    expect(out.NextToken).toBeUndefined();
  });

  test("pages by MaxResults and NextToken (the SDK's paginator reads every page), inside StartTime..EndTime inclusive", async () => {
    const { ecs, cloudTrail, at } = await setUp();
    for (let i = 0; i < 5; i++) {
      at(T0 + i * 60_000);
      await ecs().send(new RunTaskCommand(nightly));
    }
    at(T0 + 3_600_000);
    const client = cloudTrail();
    const window = { ...runTasks, StartTime: new Date(T0 + 60_000), EndTime: new Date(T0 + 180_000) };
    const first = await client.send(new LookupEventsCommand({ ...window, MaxResults: 2 }));
    expect(first.Events!.map((e) => e.EventTime!.getTime())).toEqual([T0 + 180_000, T0 + 120_000]);
    const second = await client.send(new LookupEventsCommand({ ...window, MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Events!.map((e) => e.EventTime!.getTime())).toEqual([T0 + 60_000]);
    expect(second.NextToken).toBeUndefined();
    const all: number[] = [];
    for await (const page of paginateLookupEvents({ client, pageSize: 2 }, runTasks)) all.push(...page.Events!.map((e) => e.EventTime!.getTime()));
    expect(all).toHaveLength(5);
    // A token is bound to the parameters it came with.
    expect(await rejection(client.send(new LookupEventsCommand({ ...runTasks, MaxResults: 2, NextToken: first.NextToken })))).toMatchObject({ name: "InvalidNextTokenException" });
  });

  test("refuses what AWS refuses: two attributes, MaxResults over 50, a start after the end, an unknown key", async () => {
    const { cloudTrail } = await setUp();
    const c = cloudTrail();
    const two = { LookupAttributes: [runTasks.LookupAttributes![0], { AttributeKey: "EventSource" as const, AttributeValue: "ecs.amazonaws.com" }] };
    expect(await rejection(c.send(new LookupEventsCommand(two)))).toMatchObject({ name: "InvalidLookupAttributesException" });
    expect(await rejection(c.send(new LookupEventsCommand({ MaxResults: 51 })))).toMatchObject({ name: "InvalidMaxResultsException" });
    expect(await rejection(c.send(new LookupEventsCommand({ StartTime: new Date(T0), EndTime: new Date(T0 - 1000) })))).toMatchObject({ name: "InvalidTimeRangeException" });
    expect(await rejection(c.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "Bogus" as never, AttributeValue: "x" }] })))).toMatchObject({ name: "InvalidLookupAttributesException" });
  });

  test("answers per account and region: a record of another region is seen only there; nothing older than 90 days", async () => {
    const { aws, cloudTrail, at } = await setUp();
    const record = { eventVersion: "1.11", eventID: "e-eu", eventTime: "2026-01-01T03:00:00Z", eventSource: "ecs.amazonaws.com", eventName: "StartTask", awsRegion: "eu-west-1", recipientAccountId: ACCOUNT, readOnly: false };
    aws.addToEventHistory(record);
    aws.addToEventHistory({ ...record, eventID: "e-old", eventTime: "2025-09-01T00:00:00Z" });
    at(T0 + 60_000);
    expect((await cloudTrail().send(new LookupEventsCommand({}))).Events).toEqual([]);
    const eu = await cloudTrail("eu-west-1").send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "ecs.amazonaws.com" }] }));
    expect(eu.Events!.map((e) => e.EventId)).toEqual(["e-eu"]);
  });

  test("with AWS's rate set, a third lookup within a second is throttled (429), and a record shows only after the delivery delay", async () => {
    const { aws, cloudTrail, at } = await setUp();
    aws.setEventHistory({ lookupsPerSecond: 2, delaySeconds: 300 });
    aws.addToEventHistory({ eventID: "late", eventTime: "2026-01-01T03:00:00Z", eventSource: "ecs.amazonaws.com", eventName: "RunTask", awsRegion: REGION, recipientAccountId: ACCOUNT });
    const c = cloudTrail();
    at(T0 + 299_000);
    expect((await c.send(new LookupEventsCommand({}))).Events).toEqual([]);
    expect((await c.send(new LookupEventsCommand({}))).Events).toEqual([]);
    const throttled = await rejection(c.send(new LookupEventsCommand({})));
    expect(throttled).toMatchObject({ name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });
    at(T0 + 300_000);
    expect((await c.send(new LookupEventsCommand({}))).Events!.map((e) => e.EventId)).toEqual(["late"]);
  });
});
