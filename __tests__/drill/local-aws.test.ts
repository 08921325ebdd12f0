import {
  AccessDeniedException,
  ClientException,
  ConflictException,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTagsForResourceCommand,
  RunTaskCommand,
  RunTaskCommandInput,
  ServerException,
  StartTaskCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import FakeTimers from "@sinonjs/fake-timers";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { matchesEventPattern } from "../../drill/event-pattern-matcher";
import { CloudTrailApiCallEvent, EcsTaskStateChangeEvent, LocalAws, LocalAwsOptions, parseEcsScript } from "../../drill/local-aws";

const REGION = "ap-northeast-1";
const ACCOUNT = "123456789012";
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/batch-ec2`;
const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/nightly-report:12`;
const EVENTS_KEY = "ASIAEXAMPLEEVENTS001";
const LAMBDA_KEY = "ASIAEXAMPLELAMBDA001";
const TASK_ARN = /^arn:aws:ecs:ap-northeast-1:123456789012:task\/batch-ec2\/[0-9a-f]{32}$/;
const INSTANCE_ARN = /^arn:aws:ecs:ap-northeast-1:123456789012:container-instance\/batch-ec2\/[0-9a-f]{32}$/;

const nightly: RunTaskCommandInput = {
  cluster: CLUSTER_ARN,
  taskDefinition: TASK_DEF,
  count: 1,
  launchType: "EC2",
  startedBy: "events-rule/nightly-report-batch",
  overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"] }] },
};

const running: Array<{ aws: LocalAws; clients: Array<{ destroy(): void }> }> = [];

async function startAws(options: LocalAwsOptions = {}) {
  const aws = new LocalAws({
    identities: {
      [EVENTS_KEY]: { roleName: "ecsEventsRole", invokedBy: "events.amazonaws.com" },
      [LAMBDA_KEY]: { roleName: "ecs-rerun-lambda-role", sessionName: "ecs-rerun-handler" },
    },
    ...options,
  });
  const { endpoint } = await aws.start();
  const entry = { aws, clients: [] as Array<{ destroy(): void }> };
  running.push(entry);
  const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "drill-secret" });
  const ecs = (accessKeyId = LAMBDA_KEY) => {
    const c = new ECSClient({ endpoint, region: REGION, credentials: credentials(accessKeyId), maxAttempts: 1 });
    entry.clients.push(c);
    return c;
  };
  const ssm = (accessKeyId = LAMBDA_KEY) => {
    const c = new SSMClient({ endpoint, region: REGION, credentials: credentials(accessKeyId), maxAttempts: 1 });
    entry.clients.push(c);
    return c;
  };
  return { aws, endpoint, ecs, ssm };
}

afterEach(async () => {
  for (const { aws, clients } of running.splice(0)) {
    for (const c of clients) c.destroy();
    await aws.stop();
  }
});

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

describe("parseEcsScript", () => {
  it("parses ok, failure reasons, partial:N, throttle and error:NAME in order", () => {
    expect(parseEcsScript("AGENT, RESOURCE:MEMORY,partial:2,throttle,error:ServerException,ok")).toEqual([
      { kind: "fail", reason: "AGENT" },
      { kind: "fail", reason: "RESOURCE:MEMORY" },
      { kind: "partial", placed: 2 },
      { kind: "throttle" },
      { kind: "error", name: "ServerException" },
      { kind: "ok" },
    ]);
  });

  it.each(["okk", "AGENT,,ok", "partial:x", "partial:", "error:", "error:not-a-name", "agent"])("rejects the malformed script %j naming the bad entry", (script) => {
    expect(() => parseEcsScript(script)).toThrow(/entry \d+: Invalid ECS script entry/);
  });

  it("refuses a malformed entry given to the constructor", () => {
    expect(() => new LocalAws({ ecsScript: ["ok", "Ok"] })).toThrow(/Invalid ECS script entry "Ok"/);
    expect(() => new LocalAws({ ecsScript: [] })).toThrow(/at least one entry/);
    expect(() => new LocalAws({ ecsScript: [{ kind: "ok", startSeconds: -1 }] })).toThrow(/startSeconds must be a finite number >= 0/);
    expect(() => new LocalAws({ runSeconds: Number.NaN })).toThrow(/runSeconds/);
  });

  it("parses exit:N and nostart:REASON, keeping colons in the reason", () => {
    expect(parseEcsScript("exit:3, exit:0,nostart:TaskFailedToStart: RESOURCE:MEMORY,ok")).toEqual([
      { kind: "exit", exitCode: 3 },
      { kind: "exit", exitCode: 0 },
      { kind: "nostart", reason: "TaskFailedToStart: RESOURCE:MEMORY" },
      { kind: "ok" },
    ]);
  });

  it("keeps a comma in a nostart reason unless what follows it is an entry of its own", () => {
    const pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nightly:12, not found";

    expect(parseEcsScript(`AGENT,nostart:${pull},ok`)).toEqual([{ kind: "fail", reason: "AGENT" }, { kind: "nostart", reason: pull }, { kind: "ok" }]);
    expect(parseEcsScript(`nostart:${pull}`)).toEqual([{ kind: "nostart", reason: pull }]);
    expect(parseEcsScript("nostart:a, b, c,nostart:d,exit:1")).toEqual([
      { kind: "nostart", reason: "a, b, c" },
      { kind: "nostart", reason: "d" },
      { kind: "exit", exitCode: 1 },
    ]);
    // The documented limit: ", AGENT" reads as the next entry.
    expect(parseEcsScript("nostart:x, AGENT")).toEqual([{ kind: "nostart", reason: "x" }, { kind: "fail", reason: "AGENT" }]);
  });

  it.each(["nostart:", "nostart:  ,ok", "nostart:x,,ok", "exit:", "exit:256", "exit:-1", "exit:1.5", "Nostart:x"])("rejects %j naming the bad entry", (script) => {
    expect(() => parseEcsScript(script)).toThrow(/entry \d+: Invalid ECS script entry/);
  });
});

describe("LocalAws ECS launches", () => {
  it("answers successive launches from the script in order and repeats the last entry forever", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT", "RESOURCE:MEMORY", "ok"] });
    const client = ecs();
    const outs = [];
    for (let i = 0; i < 4; i++) outs.push(await client.send(new RunTaskCommand(nightly)));

    expect(outs.map((o) => o.failures?.map((f) => f.reason))).toEqual([["AGENT"], ["RESOURCE:MEMORY"], [], []]);
    expect(outs.map((o) => o.tasks?.length)).toEqual([0, 0, 1, 1]);
    expect(outs[0].failures?.[0].arn).toMatch(INSTANCE_ARN);
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["failed", "failed", "ok", "ok"]);
    expect(aws.launchedTasks()).toHaveLength(2);
  });

  it("returns placed tasks shaped like ECS's: ARNs, PENDING/RUNNING, startedBy, group and launch type", async () => {
    const { ecs } = await startAws();
    const out = await ecs().send(new RunTaskCommand(nightly));
    const task = out.tasks![0];

    expect(task.taskArn).toMatch(TASK_ARN);
    expect(task).toMatchObject({
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: TASK_DEF,
      lastStatus: "PENDING",
      desiredStatus: "RUNNING",
      startedBy: "events-rule/nightly-report-batch",
      group: "family:nightly-report",
      launchType: "EC2",
    });
    expect(task.containerInstanceArn).toMatch(INSTANCE_ARN);
    expect(task.createdAt).toBeInstanceOf(Date);
  });

  it("reports the capacity provider instead of a launch type when a strategy is given", async () => {
    const { ecs } = await startAws();
    const { launchType: _ignored, ...rest } = nightly;
    const out = await ecs().send(new RunTaskCommand({ ...rest, capacityProviderStrategy: [{ capacityProvider: "batch-asg", weight: 1 }] }));

    expect(out.tasks![0].capacityProviderName).toBe("batch-asg");
    expect(out.tasks![0].launchType).toBeUndefined();
  });

  it("places N of the requested tasks on partial:N and rejects the rest with AGENT, one failure each", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["partial:1"] });
    const out = await ecs().send(new RunTaskCommand({ ...nightly, count: 3 }));

    expect(out.tasks).toHaveLength(1);
    expect(out.failures?.map((f) => f.reason)).toEqual(["AGENT", "AGENT"]);
    expect(aws.launchRequests()[0].answer).toBe("failed");
  });

  it("runs one StartTask task per container instance and names the rejected instances in failures", async () => {
    const { ecs } = await startAws({ ecsScript: ["ok", "ATTRIBUTE"] });
    const instances = ["0123456789abcdef0123456789abcdef", `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/batch-ec2/fedcba9876543210fedcba9876543210`];
    const client = ecs();
    const placed = await client.send(new StartTaskCommand({ cluster: "batch-ec2", taskDefinition: "nightly-report:12", containerInstances: instances }));
    const rejected = await client.send(new StartTaskCommand({ cluster: "batch-ec2", taskDefinition: "nightly-report:12", containerInstances: instances }));

    expect(placed.tasks?.map((t) => t.containerInstanceArn)).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/batch-ec2/${instances[0]}`, instances[1]]);
    expect(placed.tasks?.[0].taskDefinitionArn).toBe(TASK_DEF);
    expect(rejected.tasks).toEqual([]);
    expect(rejected.failures).toEqual([
      { arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/batch-ec2/${instances[0]}`, reason: "ATTRIBUTE" },
      { arn: instances[1], reason: "ATTRIBUTE" },
    ]);
  });

  it("describes launched tasks by ARN or ID and reports unknown ones as MISSING", async () => {
    const { ecs } = await startAws();
    const client = ecs();
    const { tasks } = await client.send(new RunTaskCommand({ ...nightly, count: 2 }));
    const [a, b] = tasks!.map((t) => t.taskArn!);
    const unknown = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/batch-ec2/ffffffffffffffffffffffffffffffff`;

    const out = await client.send(new DescribeTasksCommand({ cluster: CLUSTER_ARN, tasks: [a, b.split("/").pop()!, unknown] }));

    expect(out.tasks?.map((t) => t.taskArn)).toEqual([a, b]);
    expect(out.failures).toEqual([{ arn: unknown, reason: "MISSING" }]);
  });

  it("rejects a RunTask without a task definition or with count over 10 as InvalidParameterException", async () => {
    const { ecs } = await startAws();
    const client = ecs();
    const noTaskDef = await rejection(client.send(new RunTaskCommand({ ...nightly, taskDefinition: undefined as unknown as string })));
    const tooMany = await rejection(client.send(new RunTaskCommand({ ...nightly, count: 11 })));

    expect(noTaskDef).toBeInstanceOf(InvalidParameterException);
    expect(tooMany.name).toBe("InvalidParameterException");
  });
});

describe("LocalAws clientToken idempotency", () => {
  it("replays the first answer for the same token and parameters without launching or consuming the script", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT", "ok"] });
    const client = ecs();
    const first = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-1" }));
    const replay = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-1" }));
    const fresh = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-2" }));

    expect(replay.failures).toEqual(first.failures);
    expect(replay.tasks).toEqual([]);
    expect(fresh.tasks).toHaveLength(1); // "ok" was still next in the script
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["failed", "replayed", "ok"]);
  });

  it("replays a successful launch with the same task ARN and no second task", async () => {
    const { aws, ecs } = await startAws();
    const client = ecs();
    const first = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-1" }));
    const replay = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-1" }));

    expect(replay.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(aws.launchedTasks()).toHaveLength(1);
  });

  it("answers ConflictException naming the existing tasks when a token is reused with other parameters", async () => {
    const { aws, ecs } = await startAws();
    const client = ecs();
    const first = await client.send(new RunTaskCommand({ ...nightly, clientToken: "rerun-1" }));
    const err = await rejection(client.send(new RunTaskCommand({ ...nightly, count: 2, clientToken: "rerun-1" })));

    expect(err.name).toBe("ConflictException");
    expect(err).toBeInstanceOf(ConflictException);
    expect(err.resourceIds).toEqual([first.tasks![0].taskArn]);
    expect(aws.launchedTasks()).toHaveLength(1);
  });

  it("receives the clientToken the SDK generates when the caller gives none, so SDK retries are idempotent", async () => {
    const { aws, ecs } = await startAws();
    await ecs().send(new RunTaskCommand(nightly));

    expect(aws.launchRequests()[0].request.clientToken).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("LocalAws throttling", () => {
  it("throttles launches once the token bucket is empty and lets them through as the injected clock refills it", async () => {
    let now = Date.parse("2025-03-04T03:00:00Z");
    const { aws, ecs } = await startAws({ throttle: { burst: 2, refillPerSecond: 1 }, now: () => now });
    const client = ecs();
    await client.send(new RunTaskCommand(nightly));
    await client.send(new RunTaskCommand(nightly));
    const throttled = await rejection(client.send(new RunTaskCommand(nightly)));
    now += 999;
    const stillThrottled = await rejection(client.send(new RunTaskCommand(nightly)));
    now += 1;
    const refilled = await client.send(new RunTaskCommand(nightly));

    expect(throttled.name).toBe("ThrottlingException");
    expect(throttled.message).toBe("Rate exceeded");
    expect(stillThrottled.name).toBe("ThrottlingException");
    expect(refilled.tasks).toHaveLength(1);
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["ok", "ok", "throttled", "throttled", "ok"]);
  });

  it("does not consume a script entry or store the clientToken of a call the bucket throttled", async () => {
    let now = 0;
    const { aws, ecs } = await startAws({ ecsScript: ["AGENT", "ok"], throttle: { burst: 1, refillPerSecond: 1 }, now: () => now });
    const client = ecs();
    await client.send(new RunTaskCommand({ ...nightly, clientToken: "a" }));
    await rejection(client.send(new RunTaskCommand({ ...nightly, clientToken: "b" })));
    now += 1000;
    // Different parameters under token "b": no conflict, because the throttled call never stored it.
    const out = await client.send(new RunTaskCommand({ ...nightly, count: 2, clientToken: "b" }));

    expect(out.tasks).toHaveLength(2);
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["failed", "throttled", "ok"]);
  });

  it("caps the refill at the burst size", async () => {
    let now = 0;
    const { ecs } = await startAws({ throttle: { burst: 2, refillPerSecond: 10 }, now: () => now });
    const client = ecs();
    await client.send(new RunTaskCommand(nightly));
    now += 60_000;
    await client.send(new RunTaskCommand(nightly));
    await client.send(new RunTaskCommand(nightly));

    expect((await rejection(client.send(new RunTaskCommand(nightly)))).name).toBe("ThrottlingException");
  });
});

describe("LocalAws scripted errors", () => {
  it("maps the throttle entry to ThrottlingException and consumes it", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["throttle", "ok"] });
    const client = ecs();
    const err = await rejection(client.send(new RunTaskCommand(nightly)));
    const out = await client.send(new RunTaskCommand(nightly));

    expect(err.name).toBe("ThrottlingException");
    expect(out.tasks).toHaveLength(1);
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["throttled", "ok"]);
  });

  it.each([
    ["ClientException", ClientException, 400, "client"],
    ["InvalidParameterException", InvalidParameterException, 400, "client"],
    ["AccessDeniedException", AccessDeniedException, 400, "client"],
    ["ServerException", ServerException, 500, "server"],
  ] as const)("maps error:%s to the SDK's exception of that name", async (name, ctor, status, fault) => {
    const { aws, ecs } = await startAws({ ecsScript: [`error:${name}`] });
    const err = await rejection(ecs().send(new RunTaskCommand(nightly)));

    expect(err.name).toBe(name);
    expect(err).toBeInstanceOf(ctor);
    expect(err.$fault).toBe(fault);
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(status);
    expect(aws.launchRequests()[0]).toMatchObject({ answer: "error", errorCode: name });
  });

  it("does not store the clientToken of a call that ended in an error, so a retry with it launches", async () => {
    const { ecs } = await startAws({ ecsScript: ["error:ServerException", "ok"] });
    const client = ecs();
    await rejection(client.send(new RunTaskCommand({ ...nightly, clientToken: "retry-me" })));
    const out = await client.send(new RunTaskCommand({ ...nightly, clientToken: "retry-me" }));

    expect(out.tasks).toHaveLength(1);
  });

  it("answers SerializationException to a malformed body and UnknownOperationException to an unknown target", async () => {
    const { aws, endpoint } = await startAws();
    const headers = {
      "Content-Type": "application/x-amz-json-1.1",
      Authorization: `AWS4-HMAC-SHA256 Credential=${LAMBDA_KEY}/20250304/${REGION}/ecs/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const malformed = await fetch(endpoint, { method: "POST", headers: { ...headers, "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RunTask" }, body: "{not json" });
    const unknown = await fetch(endpoint, { method: "POST", headers: { ...headers, "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListTasks" }, body: "{}" });

    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: "SerializationException" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
    expect(aws.events).toHaveLength(0);
  });

  it("refuses an unsigned request with MissingAuthenticationTokenException", async () => {
    const { endpoint } = await startAws();
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RunTask" },
      body: JSON.stringify({ taskDefinition: "x" }),
    });

    expect(await res.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });
  });
});

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

describe("LocalAws SSM GetParameter", () => {
  const parameters = { "/ecs-rerun/slack-webhook-url": "https://hooks.slack.com/services/T0/B0/secret" };

  it("returns the plaintext of a SecureString only WithDecryption", async () => {
    const { ssm } = await startAws({ parameters });
    const client = ssm();
    const decrypted = await client.send(new GetParameterCommand({ Name: "/ecs-rerun/slack-webhook-url", WithDecryption: true }));
    const encrypted = await client.send(new GetParameterCommand({ Name: "/ecs-rerun/slack-webhook-url" }));

    expect(decrypted.Parameter).toMatchObject({
      Name: "/ecs-rerun/slack-webhook-url",
      Type: "SecureString",
      Value: parameters["/ecs-rerun/slack-webhook-url"],
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/ecs-rerun/slack-webhook-url`,
    });
    expect(encrypted.Parameter?.Type).toBe("SecureString");
    expect(encrypted.Parameter?.Value).toMatch(/^AQICAH/);
    expect(encrypted.Parameter?.Value).not.toContain("secret");
  });

  it("finds a parameter by its ARN", async () => {
    const { ssm } = await startAws({ parameters });
    const out = await ssm().send(new GetParameterCommand({ Name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/ecs-rerun/slack-webhook-url`, WithDecryption: true }));

    expect(out.Parameter?.Value).toBe(parameters["/ecs-rerun/slack-webhook-url"]);
  });

  it("answers ParameterNotFound for an unknown name and records the call", async () => {
    const { aws, ssm } = await startAws({ parameters });
    const err = await rejection(ssm().send(new GetParameterCommand({ Name: "/nope", WithDecryption: true })));

    expect(err.name).toBe("ParameterNotFound");
    expect(err).toBeInstanceOf(ParameterNotFound);
    expect(aws.requestsFor("GetParameter")).toMatchObject([{ request: { Name: "/nope", WithDecryption: true }, answer: "error", errorCode: "ParameterNotFound" }]);
    expect(aws.events).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Task life
// ---------------------------------------------------------------------------------------------

/** A scheduler the test drains by hand: nothing moves until it says so. */
function manualScheduler() {
  const queue: Array<{ ms: number; fn: () => void }> = [];
  return {
    schedule: (ms: number, fn: () => void) => void queue.push({ ms, fn }),
    /** Delays of the timers waiting, in the order they were set. */
    pending: () => queue.map((q) => q.ms),
    /** Fires the oldest timer. */
    fire: () => {
      const next = queue.shift();
      if (!next) throw new Error("no timer pending");
      next.fn();
    },
    fireAll: () => {
      while (queue.length > 0) queue.shift()!.fn();
    },
  };
}

const T0 = Date.parse("2025-03-04T03:00:00Z");

async function startTasks(options: LocalAwsOptions = {}) {
  const timers = manualScheduler();
  let now = T0;
  const changes: EcsTaskStateChangeEvent[] = [];
  const env = await startAws({ schedule: timers.schedule, now: () => now, onTaskStateChange: (e) => changes.push(e), ...options });
  const client = env.ecs();
  const describe = async (taskArn: string, include?: "TAGS"[]) => {
    const out = await client.send(new DescribeTasksCommand({ cluster: CLUSTER_ARN, tasks: [taskArn], ...(include ? { include } : {}) }));
    return out.tasks![0];
  };
  const runOne = async (input: RunTaskCommandInput = nightly) => (await client.send(new RunTaskCommand(input))).tasks![0];
  return { ...env, timers, client, changes, describe, runOne, advance: (ms: number) => (now += ms), now: () => now };
}

const statuses = (events: EcsTaskStateChangeEvent[]) => events.map((e) => e.detail.lastStatus);

describe("LocalAws task life", () => {
  it("runs an ok task PENDING -> RUNNING after startSeconds -> STOPPED exit 0 after runSeconds, reporting each step in order", async () => {
    const { aws, timers, changes, describe, runOne } = await startTasks();
    const task = await runOne();
    const arn = task.taskArn!;

    expect(task.lastStatus).toBe("PENDING");
    expect(statuses(changes)).toEqual(["PENDING"]);
    expect(timers.pending()).toEqual([5000]);
    expect(await describe(arn)).toMatchObject({ lastStatus: "PENDING", desiredStatus: "RUNNING", containers: [{ name: "app", lastStatus: "PENDING" }] });

    timers.fire();
    const running = await describe(arn);
    expect(running).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", containers: [{ name: "app", lastStatus: "RUNNING" }] });
    expect(running.startedAt).toEqual(new Date(T0 + 5000));
    expect(timers.pending()).toEqual([60_000]);

    timers.fire();
    const stopped = await describe(arn);
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [{ name: "app", lastStatus: "STOPPED", exitCode: 0, taskArn: arn }],
    });
    expect(stopped.createdAt).toEqual(new Date(T0));
    expect(stopped.stoppedAt).toEqual(new Date(T0 + 65_000));
    expect(timers.pending()).toEqual([]);

    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
    expect(changes).toEqual(aws.taskStateChanges);
    expect(changes.map((e) => e.detail.version)).toEqual([1, 2, 3]);
    expect(changes.map((e) => e.time)).toEqual(["2025-03-04T03:00:00Z", "2025-03-04T03:00:05Z", "2025-03-04T03:01:05Z"]);
  });

  it("sends the EventBridge envelope ECS sends: task fields, ISO timestamps, updatedAt, the task as the resource, no tags", async () => {
    const { changes, timers, runOne } = await startTasks();
    const task = await runOne({ ...nightly, tags: [{ key: "team", value: "reports" }] });
    timers.fireAll();
    const stopped = changes[2];

    expect(Object.keys(stopped).sort()).toEqual(["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"]);
    expect(stopped).toMatchObject({ version: "0", "detail-type": "ECS Task State Change", source: "aws.ecs", account: ACCOUNT, region: REGION, resources: [task.taskArn] });
    expect(stopped.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(changes.map((e) => e.id)).size).toBe(3);
    expect(Object.keys(stopped.detail).sort()).toEqual([
      "clusterArn", "containerInstanceArn", "containers", "createdAt", "desiredStatus", "enableExecuteCommand", "executionStoppedAt", "group",
      "lastStatus", "launchType", "overrides", "startedAt", "startedBy", "stopCode", "stoppedAt", "stoppedReason", "stoppingAt", "taskArn",
      "taskDefinitionArn", "updatedAt", "version",
    ]);
    expect(stopped.detail).toMatchObject({
      clusterArn: CLUSTER_ARN,
      taskArn: task.taskArn,
      taskDefinitionArn: TASK_DEF,
      startedBy: "events-rule/nightly-report-batch",
      group: "family:nightly-report",
      createdAt: "2025-03-04T03:00:00.000Z",
      startedAt: "2025-03-04T03:00:05.000Z",
      stoppedAt: "2025-03-04T03:01:05.000Z",
      updatedAt: "2025-03-04T03:01:05.000Z",
      overrides: nightly.overrides,
    });
    expect(changes[0].detail).not.toHaveProperty("startedAt");
    expect(changes[0].detail.updatedAt).toBe("2025-03-04T03:00:00.000Z");
  });

  it("stops a nostart task with TaskFailedToStart and the scripted reason, without it ever running", async () => {
    const { changes, timers, describe, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY"] });
    const task = await runOne();
    timers.fire();
    const stopped = await describe(task.taskArn!);

    expect(stopped).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" });
    expect(stopped.startedAt).toBeUndefined();
    expect(stopped.stoppedAt).toEqual(new Date(T0 + 5000));
    expect(stopped.containers).toEqual([expect.objectContaining({ lastStatus: "STOPPED" })]);
    expect(stopped.containers![0].exitCode).toBeUndefined();
    expect(timers.pending()).toEqual([]);
    expect(statuses(changes)).toEqual(["PENDING", "STOPPED"]);
  });

  it("puts a container error such as CannotPullContainerError on the container too", async () => {
    const reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nightly:12, not found";
    const { timers, describe, runOne } = await startTasks({ ecsScript: parseEcsScript(`nostart:${reason}`) });
    const task = await runOne();
    timers.fire();

    expect(await describe(task.taskArn!)).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: reason, containers: [{ lastStatus: "STOPPED", reason }] });
  });

  it("runs an exit:3 task and stops it with EssentialContainerExited and exit code 3", async () => {
    const { changes, timers, describe, runOne } = await startTasks({ ecsScript: ["exit:3"] });
    const task = await runOne();
    timers.fireAll();

    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [{ name: "app", exitCode: 3 }] });
    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
  });

  it("names containers after the overrides; the first carries the exit code", async () => {
    const { timers, describe, runOne } = await startTasks({ ecsScript: ["exit:2"] });
    const task = await runOne({ ...nightly, overrides: { containerOverrides: [{ name: "report" }, { name: "log-router" }] } });
    timers.fireAll();

    expect((await describe(task.taskArn!)).containers?.map((c) => [c.name, c.exitCode])).toEqual([
      ["report", 2],
      ["log-router", 0],
    ]);
  });

  it("starts a capacity provider launch in PROVISIONING and passes through PENDING to RUNNING", async () => {
    const { changes, timers, describe, runOne } = await startTasks();
    const { launchType: _ignored, ...rest } = nightly;
    const task = await runOne({ ...rest, capacityProviderStrategy: [{ capacityProvider: "batch-asg", weight: 1 }] });

    expect(task).toMatchObject({ lastStatus: "PROVISIONING", capacityProviderName: "batch-asg" });
    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "PROVISIONING" });
    timers.fire();
    expect(await describe(task.taskArn!)).toMatchObject({ lastStatus: "RUNNING" });
    timers.fireAll();
    expect(statuses(changes)).toEqual(["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]);
    expect(changes.every((e) => e.detail.capacityProviderName === "batch-asg" && e.detail.launchType === undefined)).toBe(true);
  });

  it("stops a capacity provider task that never starts straight from PROVISIONING", async () => {
    const { changes, timers, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY"] });
    const { launchType: _ignored, ...rest } = nightly;
    await runOne({ ...rest, capacityProviderStrategy: [{ capacityProvider: "batch-asg", weight: 1 }] });
    timers.fireAll();

    expect(statuses(changes)).toEqual(["PROVISIONING", "STOPPED"]);
    expect(changes[1].detail).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY" });
  });

  it("answers DescribeTasks as of now(), reporting the steps no timer has applied yet, once", async () => {
    const { changes, timers, describe, runOne, advance } = await startTasks();
    const task = await runOne();

    advance(4999);
    expect((await describe(task.taskArn!)).lastStatus).toBe("PENDING");
    advance(61_000);
    expect((await describe(task.taskArn!)).lastStatus).toBe("STOPPED");
    expect(statuses(changes)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
    // Each catch-up event shows the task as it was at its step.
    expect(changes[1].detail).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", version: 2 });
    expect(changes[1].detail).not.toHaveProperty("stopCode");

    timers.fireAll();
    expect(changes).toHaveLength(3);
  });

  it("honours startSeconds and runSeconds, from the options and from an answer object", async () => {
    const { timers, runOne, aws } = await startTasks({ startSeconds: 30, runSeconds: 600, ecsScript: ["ok", { kind: "exit", exitCode: 1, startSeconds: 1, runSeconds: 2 }] });
    await runOne();
    expect(timers.pending()).toEqual([30_000]);
    timers.fire();
    expect(timers.pending()).toEqual([600_000]);
    timers.fire();

    await runOne();
    timers.fire();
    expect(timers.pending()).toEqual([2000]);
    timers.fire();
    expect(aws.tasks()[1]).toMatchObject({ stopCode: "EssentialContainerExited", startedAt: T0 / 1000 + 1, stoppedAt: T0 / 1000 + 3 });
  });

  it("keeps launchedTasks() as placed while tasks() shows the current state", async () => {
    const { aws, timers, runOne } = await startTasks({ ecsScript: ["partial:1"] });
    await runOne({ ...nightly, count: 2 });
    timers.fireAll();

    expect(aws.launchedTasks().map((t) => t.lastStatus)).toEqual(["PENDING"]);
    expect(aws.tasks().map((t) => t.lastStatus)).toEqual(["STOPPED"]);
  });

  it("places no task and reports no state change for a clientToken replay", async () => {
    const { aws, changes, client } = await startTasks();
    const first = await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));
    const replay = await client.send(new RunTaskCommand({ ...nightly, clientToken: "t" }));

    expect(replay.tasks).toEqual(first.tasks);
    expect(aws.tasks()).toHaveLength(1);
    expect(changes).toHaveLength(1);
  });

  it("forgets tasks on reset: their pending transitions do nothing", async () => {
    const { aws, changes, timers, runOne } = await startTasks();
    await runOne();
    aws.reset();
    timers.fireAll();

    expect(changes).toHaveLength(1);
    expect(aws.taskStateChanges).toEqual([]);
    expect(aws.tasks()).toEqual([]);
  });

  it("replaces the task state change listener and keeps a throwing listener's error", async () => {
    const { aws, timers, changes, runOne } = await startTasks();
    const other: string[] = [];
    const previous = aws.setTaskStateChangeListener((e) => {
      other.push(e.detail.lastStatus);
      throw new Error("listener broke");
    });
    await runOne();
    timers.fire();

    expect(previous).toBeDefined();
    expect(changes).toEqual([]);
    expect(other).toEqual(["PENDING", "RUNNING"]);
    expect(aws.callbackErrors).toHaveLength(2);
    expect(aws.taskStateChanges).toHaveLength(2);
  });

  it("moves tasks on the global setTimeout as it is when called, so a faked clock drives them", async () => {
    const { aws, ecs } = await startAws({ startSeconds: 5, runSeconds: 60 });
    const clock = FakeTimers.install({ now: T0, toFake: ["Date", "setTimeout", "clearTimeout"], shouldClearNativeTimers: true });
    try {
      const client = ecs();
      await client.send(new RunTaskCommand(nightly));
      clock.tick(5000);
      expect(aws.tasks()[0]).toMatchObject({ lastStatus: "RUNNING", startedAt: (T0 + 5000) / 1000 });
      clock.tick(60_000);
      expect(statuses(aws.taskStateChanges)).toEqual(["PENDING", "RUNNING", "STOPPED"]);
      expect(aws.taskStateChanges[2].time).toBe("2025-03-04T03:01:05Z");

      await client.send(new RunTaskCommand(nightly));
      aws.reset();
      expect(clock.countTimers()).toBe(0);
    } finally {
      clock.uninstall();
    }
  });

  it("moves tasks on real timers by default", async () => {
    const stopped = new Promise<EcsTaskStateChangeEvent>((resolve) => {
      void startAws({ startSeconds: 0.005, runSeconds: 0.01, ecsScript: ["exit:7"], onTaskStateChange: (e) => e.detail.lastStatus === "STOPPED" && resolve(e) }).then(({ ecs }) =>
        ecs().send(new RunTaskCommand(nightly)),
      );
    });

    expect((await stopped).detail).toMatchObject({ stopCode: "EssentialContainerExited", containers: [{ exitCode: 7 }] });
  });

  // The shapes of the pipeline's rules (modules/pipeline/task-state-pattern.ts, modules/pipeline/missed-run.ts), written
  // out here so this test pins the events' fields, not those modules' signatures.
  const TASK_STOPPED = { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"] };
  const CLUSTER = { clusterArn: [{ suffix: ":cluster/batch-ec2" }], lastStatus: ["STOPPED"] };
  const failures = {
    ...TASK_STOPPED,
    detail: { ...CLUSTER, $or: [{ stopCode: ["TaskFailedToStart"] }, { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } }] },
  };
  const success = { ...TASK_STOPPED, detail: { ...CLUSTER, stopCode: ["EssentialContainerExited"], containers: { exitCode: [0] } } };

  it("sends events the pipeline's task state patterns tell apart: failed to start, program failure, success", async () => {
    const { changes, timers, runOne } = await startTasks({ ecsScript: ["nostart:TaskFailedToStart: RESOURCE:MEMORY", "exit:3", "ok"] });
    await runOne();
    await runOne();
    await runOne();
    timers.fireAll();
    const [noStart, failed, succeeded] = changes.filter((e) => e.detail.lastStatus === "STOPPED");

    expect([noStart, failed, succeeded].map((e) => matchesEventPattern(failures, e))).toEqual([true, true, false]);
    expect([noStart, failed, succeeded].map((e) => matchesEventPattern(success, e))).toEqual([false, false, true]);
    expect(changes.filter((e) => e.detail.lastStatus !== "STOPPED").some((e) => matchesEventPattern(failures, e) || matchesEventPattern(success, e))).toBe(false);
  });
});

describe("LocalAws DescribeTasks tags, TagResource and ListTagsForResource", () => {
  it("shows the tags given to RunTask only with include TAGS", async () => {
    const { describe, runOne } = await startTasks();
    const task = await runOne({ ...nightly, tags: [{ key: "team", value: "reports" }] });

    expect((await describe(task.taskArn!)).tags).toBeUndefined();
    expect((await describe(task.taskArn!, ["TAGS"])).tags).toEqual([{ key: "team", value: "reports" }]);
  });

  it("adds tags with TagResource, replacing a key's value, and lists them", async () => {
    const { client, describe, runOne } = await startTasks();
    const task = await runOne({ ...nightly, tags: [{ key: "team", value: "reports" }] });
    const resourceArn = task.taskArn!;
    await client.send(new TagResourceCommand({ resourceArn, tags: [{ key: "ecs-rerun:attempt", value: "1" }] }));
    await client.send(new TagResourceCommand({ resourceArn, tags: [{ key: "team", value: "finance" }] }));

    expect((await describe(resourceArn, ["TAGS"])).tags).toEqual([
      { key: "team", value: "finance" },
      { key: "ecs-rerun:attempt", value: "1" },
    ]);
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { key: "team", value: "finance" },
      { key: "ecs-rerun:attempt", value: "1" },
    ]);
  });

  it("tags a task without tags and keeps tags out of its state change events", async () => {
    const { aws, client, describe, runOne, timers } = await startTasks();
    const task = await runOne();
    await client.send(new TagResourceCommand({ resourceArn: task.taskArn!, tags: [{ key: "ecs-rerun:event", value: "abc" }] }));
    timers.fireAll();

    expect((await describe(task.taskArn!, ["TAGS"])).tags).toEqual([{ key: "ecs-rerun:event", value: "abc" }]);
    expect(aws.taskStateChanges.every((e) => !("tags" in e.detail))).toBe(true);
    expect(aws.requestsFor("TagResource")).toMatchObject([{ answer: "ok", request: { resourceArn: task.taskArn } }]);
  });

  it("answers InvalidParameterException to TagResource or ListTagsForResource on an unknown ARN or with malformed tags", async () => {
    const { client, runOne } = await startTasks();
    const task = await runOne();
    const unknown = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/batch-ec2/ffffffffffffffffffffffffffffffff`;

    const tagUnknown = await rejection(client.send(new TagResourceCommand({ resourceArn: unknown, tags: [{ key: "a", value: "b" }] })));
    const listUnknown = await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: unknown })));
    const noTags = await rejection(client.send(new TagResourceCommand({ resourceArn: task.taskArn!, tags: [] })));

    expect(tagUnknown).toBeInstanceOf(InvalidParameterException);
    expect(listUnknown).toBeInstanceOf(InvalidParameterException);
    expect(noTags).toBeInstanceOf(InvalidParameterException);
  });

  it("refuses an include other than TAGS", async () => {
    const { endpoint, runOne } = await startTasks();
    const task = await runOne();
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeTasks",
        Authorization: `AWS4-HMAC-SHA256 Credential=${LAMBDA_KEY}/20250304/${REGION}/ecs/aws4_request, SignedHeaders=host, Signature=00`,
      },
      body: JSON.stringify({ cluster: CLUSTER_ARN, tasks: [task.taskArn], include: ["TAGS", "NOPE"] }),
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: "InvalidParameterException" });
  });
});
