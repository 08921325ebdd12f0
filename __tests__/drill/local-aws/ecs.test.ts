// The local ECS endpoint: launches from the script, clientToken idempotency, the rate limit, and
// DescribeTasks tags, TagResource and ListTagsForResource.
import {
  ConflictException,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  RunTaskCommand,
  StartTaskCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import { ACCOUNT, CLUSTER_ARN, INSTANCE_ARN, LAMBDA_KEY, REGION, TASK_ARN, TASK_DEF, nightly, rejection, startAws, startTasks } from "./harness";

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
