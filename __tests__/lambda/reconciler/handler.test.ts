// Issue 18, the reconciler's handler against the local endpoints, with the real SDK clients it is
// deployed with (CloudTrail, ECS, Step Functions, and DynamoDB behind its cursor store), on a clock
// the test moves: what it starts is read back from the local Step Functions (the names it started),
// never from its own summary alone.
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LocalAws } from "../../../drill/local-aws/local-aws";
import { readConfig } from "../../../lambda/reconciler/config";
import { CURSOR_KEY_ATTRIBUTE, FOUND_BY_RECONCILER, cursorKey } from "../../../lambda/reconciler/core/names";
import { cloudTrailEnvelope, FOUND_BY_KEY, foundByReconciler, taskEnvelope } from "../../../lambda/reconciler/core/found-event";
import { dynamoCursors, makeHandler, TIME_MARGIN_MS, type ReconcilerDeps } from "../../../lambda/reconciler/handler";
import { SpokeAccessError } from "../../../lambda/rerun/role-credentials";
import { OWNER_TAG_EVENT_ID } from "../../../lambda/shared/contract";
import { executionNameFor } from "../../../lambda/starter/execution-name";
import { agentEvent, captureLogs, loadFixture } from "../helpers";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const KEY = "ASIATESTRECONCILER01";
const TABLE = "ecs-rerun-reconciler";
const STATE_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ecs-rerun`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ecs-rerun-reconciler`;
const MIN = 60_000;
const CONFIG = readConfig({ STATE_MACHINE_ARN: STATE_MACHINE, CLUSTERS: '["batch-ec2"]', CURSOR_TABLE: TABLE, AWS_REGION: REGION });
/** The bridge-mode task that failed to start (its event carries what a rerun needs). */
const TASK_EVENT = "../../drill/events/constructed__task-stopped-TaskFailedToStart-RESOURCE-MEMORY-bridge.json";

/** A record like the AGENT failure's, at `atMs`, with its own eventID, changed by `change`. */
function record(atMs: number, id: string, change: (d: Record<string, any>) => void = () => {}): Record<string, any> {
  const detail = agentEvent().detail as Record<string, any>;
  detail.eventTime = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  detail.eventID = id;
  change(detail);
  return detail;
}

const running: { aws: LocalAws; clients: { destroy(): void }[] }[] = [];
// The handler's structured log lines, kept off the test's output and read where they matter.
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(async () => {
  logs.restore();
  for (const { aws, clients } of running.splice(0)) {
    clients.forEach((c) => c.destroy());
    await aws.stop();
  }
});

/** Local endpoints on a clock the test moves, the handler's real clients on them, and its deps. */
async function setUp(startMs: number) {
  const clock = { now: startMs };
  const aws = new LocalAws({ region: REGION, account: ACCOUNT, now: () => clock.now, tables: { [TABLE]: { hashKey: CURSOR_KEY_ATTRIBUTE } }, identities: { [KEY]: { roleName: "ecs-rerun-reconciler-ap-northeast-1" } } });
  const { endpoint } = await aws.start();
  const config = { endpoint, region: REGION, credentials: { accessKeyId: KEY, secretAccessKey: "s" }, maxAttempts: 1 };
  const clients = { cloudTrail: new CloudTrailClient(config), ecs: new ECSClient(config), sfn: new SFNClient(config), dynamodb: new DynamoDBClient(config) };
  running.push({ aws, clients: Object.values(clients) });
  const sleeps: number[] = [];
  const deps: ReconcilerDeps = {
    sfn: clients.sfn,
    cursors: dynamoCursors(TABLE, clients.dynamodb),
    readersFor: async () => ({ cloudTrail: clients.cloudTrail, ecs: clients.ecs }),
    now: () => clock.now,
    // Waiting moves the clock: the pacing and the backoff are the handler's own.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  };
  const handler = (d: ReconcilerDeps = deps, budgetMs = 200_000) => {
    const deadline = clock.now + budgetMs + TIME_MARGIN_MS;
    return makeHandler(CONFIG, d)({}, { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => deadline - clock.now });
  };
  return { aws, clock, clients, deps, handler, sleeps, cursor: () => aws.dynamodb.item(TABLE, cursorKey({ account: ACCOUNT, region: REGION }))?.coveredUntil?.N };
}

const T = Date.parse("2026-03-04T03:00:07Z");

describe("the reconciler's handler against the local endpoints", () => {
  test("finds a rejected launch whose event never arrived and starts it under the name the event path would give it", async () => {
    const { aws, handler, cursor } = await setUp(T + 16 * MIN);
    const lost = record(T, "11111111-1111-4111-8111-111111111111");
    aws.addToEventHistory(lost);
    const summary = await handler();
    expect(summary).toMatchObject({ started: 1, alreadyHandled: 0, faults: [], caughtUp: { [`${ACCOUNT}/${REGION}`]: true } });
    // Ground truth: the execution Step Functions started, named as the starter names the event.
    const event = { ...agentEvent(), detail: lost };
    expect(aws.sfn.startedNames()).toEqual([executionNameFor(event)]);
    expect(aws.sfn.startedNames()).toEqual(["ct-11111111-1111-4111-8111-111111111111"]);
    // What the FoundByReconciler metric filter counts.
    expect(logs.records().filter((r) => r.msg === FOUND_BY_RECONCILER)).toEqual([expect.objectContaining({ eventId: lost.eventID, executionName: "ct-11111111-1111-4111-8111-111111111111" })]);
    // The cursor is where the settled history ends (15 minutes ago).
    expect(Number(cursor())).toBe(T + MIN);
  });

  test("leaves alone one the event path already started (ExecutionAlreadyExists), and does not count it as found", async () => {
    const { aws, clients, handler } = await setUp(T + 16 * MIN);
    const handled = record(T, "22222222-2222-4222-8222-222222222222");
    aws.addToEventHistory(handled);
    const event = { ...agentEvent(), detail: handled };
    await clients.sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: executionNameFor(event), input: JSON.stringify(event) }));
    expect(await handler()).toMatchObject({ started: 0, alreadyHandled: 1, faults: [] });
    expect(aws.sfn.startedNames()).toEqual(["ct-22222222-2222-4222-8222-222222222222"]);
    expect(logs.lines.filter((l) => l.includes(FOUND_BY_RECONCILER))).toEqual([]);
  });

  test("paces LookupEvents to two a second (never throttled by AWS's limit), and retries a throttled one with backoff", async () => {
    const { aws, handler, sleeps } = await setUp(T + 16 * MIN);
    aws.setEventHistory({ lookupsPerSecond: 2 });
    aws.addToEventHistory(record(T, "33333333-3333-4333-8333-333333333333"));
    aws.setFaults({ LookupEvents: ["ok", "throttle", "throttle"] });
    const summary = await handler();
    expect(summary).toMatchObject({ started: 1, throttled: 2, faults: [] });
    const lookups = aws.requestsFor("LookupEvents");
    // Only the two scripted throttles: the handler's own pace stayed under the endpoint's 2 a second.
    expect(lookups.map((l) => l.answer).filter((a) => a !== "ok")).toEqual(["throttled", "throttled"]);
    const gaps = lookups.slice(1).map((l, i) => l.at - lookups[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    // Backing off after each throttle: 1 s, then 2 s.
    expect(sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000]);
  });

  test("catches up after an outage longer than a window, from its cursor, across runs short of time", async () => {
    const { aws, clients, handler, clock, cursor } = await setUp(T + 20 * MIN);
    // The last run before the outage covered history up to an hour before T.
    const key = cursorKey({ account: ACCOUNT, region: REGION });
    await dynamoCursors(TABLE, clients.dynamodb).put(key, T - 60 * MIN);
    const early = record(T - 50 * MIN, "44444444-4444-4444-8444-444444444444");
    const late = record(T - MIN, "55555555-5555-4555-8555-555555555555");
    aws.addToEventHistory(early);
    aws.addToEventHistory(late);
    // A run with time for about five lookups reads the oldest chunks first and keeps what it read.
    const first = await handler(undefined, 2_500);
    expect(first.caughtUp[`${ACCOUNT}/${REGION}`]).toBe(false);
    expect(aws.sfn.startedNames()).toEqual(["ct-44444444-4444-4444-8444-444444444444"]);
    const partway = Number(cursor());
    expect(partway).toBeGreaterThan(T - 60 * MIN);
    expect(partway).toBeLessThan(T + 5 * MIN);
    // The next run goes on from there, and nothing in between is skipped.
    clock.now += 5 * MIN;
    const secondAt = clock.now;
    const second = await handler();
    expect(second.caughtUp[`${ACCOUNT}/${REGION}`]).toBe(true);
    expect(aws.sfn.startedNames()).toEqual(["ct-44444444-4444-4444-8444-444444444444", "ct-55555555-5555-4555-8555-555555555555"]);
    expect(Number(cursor())).toBe(secondAt - 15 * MIN);
  });

  test("ignores the pipeline's own reruns and calls whose startedBy it leaves alone, in event history", async () => {
    const { aws, handler } = await setUp(T + 16 * MIN);
    aws.addToEventHistory(
      record(T, "66666666-6666-4666-8666-666666666666", (d) => {
        d.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/ecs-rerun/other-pipeline-rerun-ap-northeast-1`;
      }),
    );
    aws.addToEventHistory(record(T, "77777777-7777-4777-8777-777777777777", (d) => (d.requestParameters.startedBy = "AWS Step Functions")));
    aws.addToEventHistory(record(T, "88888888-8888-4888-8888-888888888888", (d) => (d.responseElements.failures = [])));
    expect(await handler()).toMatchObject({ started: 0, alreadyHandled: 0, faults: [] });
    expect(aws.sfn.startedNames()).toEqual([]);
  });

  test("finds a task that failed to start among the stopped tasks, once its own event had its chance, but no service's task and no rerun of its own", async () => {
    const failed = loadFixture(TASK_EVENT);
    const stoppedAt = Date.parse(failed.detail.stoppedAt);
    const { aws, handler, clock } = await setUp(stoppedAt + 2 * MIN);
    const service = structuredClone(failed.detail);
    service.taskArn = service.taskArn.replace(/[0-9a-f]{4}$/, "aaaa");
    service.group = "service:web";
    service.startedBy = "ecs-svc/9223370305235423542";
    const ownRerun = structuredClone(failed.detail);
    ownRerun.taskArn = ownRerun.taskArn.replace(/[0-9a-f]{4}$/, "bbbb");
    ownRerun.tags = [{ key: OWNER_TAG_EVENT_ID, value: "some-failure" }];
    for (const d of [failed.detail, service, ownRerun]) aws.addRecordedTask(d);
    // Stopped two minutes ago: left to its own event (TASK_SETTLE_SECONDS, 5 minutes).
    expect(await handler()).toMatchObject({ started: 0 });
    clock.now = stoppedAt + 5 * MIN;
    expect(await handler()).toMatchObject({ started: 1, faults: [], tasksSwept: { [`${ACCOUNT}/${REGION}`]: true } });
    const taskId = String(failed.detail.taskArn).split("/").pop();
    expect(aws.sfn.startedNames()).toEqual([`task-${taskId}`]);
    expect(aws.sfn.startedNames()).toEqual([executionNameFor(failed)]);
  });

  test("a place it cannot reach is a fault thrown after every other place was swept", async () => {
    const { aws, deps } = await setUp(T + 16 * MIN);
    aws.addToEventHistory(record(T, "99999999-9999-4999-8999-999999999999"));
    const config = readConfig({ STATE_MACHINE_ARN: STATE_MACHINE, CLUSTERS: '["batch-ec2"]', CURSOR_TABLE: TABLE, AWS_REGION: REGION, SPOKE_CLUSTERS: '["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"]', SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-sweep-{region}" });
    const refused: ReconcilerDeps = {
      ...deps,
      readersFor: async (place, home) => {
        if (home) return deps.readersFor(place, home);
        throw new SpokeAccessError("arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-sweep-eu-west-1", place, false, "AccessDenied: not trusted");
      },
    };
    await expect(makeHandler(config, refused)({}, { invokedFunctionArn: FUNCTION_ARN })).rejects.toThrow(/222233334444\/eu-west-1 access: SpokeAccessError/);
    expect(aws.sfn.startedNames()).toEqual(["ct-99999999-9999-4999-8999-999999999999"]);
  });
});

describe("what a found failure is handed over as (core/found-event.ts)", () => {
  test("a CloudTrail record: the event the rule would have delivered, named alike, marked as found", () => {
    const event = agentEvent();
    const found = cloudTrailEnvelope(event.detail, "2026-03-04T03:20:00.000Z");
    expect(executionNameFor(found)).toBe(executionNameFor(event));
    expect(found).toMatchObject({ "detail-type": event["detail-type"], source: "aws.ecs", account: event.account, region: event.region, time: event.detail.eventTime, detail: event.detail });
    expect(found[FOUND_BY_KEY]).toBe("reconciler");
    expect(foundByReconciler(found)).toBe(true);
    expect(foundByReconciler(event)).toBe(false);
  });

  test("a stopped task as DescribeTasks gives it (Dates): the task state change's detail, times as ISO strings, named after the task", () => {
    const event = loadFixture(TASK_EVENT);
    const described: Record<string, unknown> = { ...event.detail };
    for (const k of ["createdAt", "stoppedAt", "stoppingAt", "executionStoppedAt", "pullStartedAt", "pullStoppedAt"]) if (typeof described[k] === "string") described[k] = new Date(described[k] as string);
    const found = taskEnvelope(described, { account: event.account, region: event.region }, "2026-03-04T03:40:00.000Z");
    expect(executionNameFor(found)).toBe(executionNameFor(event));
    expect(found).toMatchObject({ "detail-type": "ECS Task State Change", account: event.account, region: event.region, time: new Date(event.detail.stoppedAt).toISOString(), resources: [event.detail.taskArn] });
    expect((found.detail as Record<string, unknown>).stoppedAt).toBe(new Date(event.detail.stoppedAt).toISOString());
    expect(foundByReconciler(found)).toBe(true);
  });
});
