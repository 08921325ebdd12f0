// Rules of lambda/rerun/task-state.ts pinned with literal values (issue 23): the request rebuilt from a
// task record (the subnet read only from an ENI's subnetId), the stopped-task checks, and ownership tags.
import {
  eniSubnet,
  failingContainers,
  ownerFromTags,
  parseFailureEvent,
  parseTaskStateChangeEvent,
  reconstructRequest,
  stopCodeOfOldEvent,
  tagsOfTask,
  withLogLinks,
} from "../../lambda/rerun/task-state";
import { STOPPED_TASK_ARN, stoppedTaskEvent, taskEvent } from "./helpers";


describe("the subnet of a task", () => {
  it("is the subnetId of an ENI attachment only", () => {
    expect(eniSubnet([{ type: "eni", details: [{ name: "macAddress", value: "0e:aa" }, { name: "subnetId", value: "subnet-1" }] }])).toBe("subnet-1");
    expect(eniSubnet([{ type: "ElasticNetworkInterface", details: [{ name: "subnetId", value: "subnet-2" }] }])).toBe("subnet-2");
    expect(eniSubnet([{ type: "eni", details: [{ name: "privateIPv4Address", value: "10.0.0.1" }] }])).toBeUndefined();
    expect(eniSubnet([{ type: "Service Connect", details: [{ name: "subnetId", value: "subnet-3" }] }])).toBeUndefined();
    expect(eniSubnet([{ type: "eni", details: [{ name: "subnetId", value: "" }] }, { type: "eni", details: [{ name: "subnetId", value: "subnet-4" }] }])).toBe("subnet-4");
    expect(eniSubnet([null, { type: "eni" }, { type: "eni", details: [null, { name: "subnetId", value: "subnet-5" }] }])).toBe("subnet-5");
    expect(eniSubnet("eni")).toBeUndefined();
  });
});

describe("the request rebuilt from a task record", () => {
  it("carries what the record holds and names the rest", () => {
    expect(
      reconstructRequest({
        clusterArn: "c",
        taskDefinitionArn: "td:1",
        overrides: { containerOverrides: [{ name: "app" }] },
        group: "family:report",
        startedBy: "events-rule/nightly",
        launchType: "FARGATE",
        platformVersion: "1.4.0",
        attachments: [{ type: "eni", details: [{ name: "subnetId", value: "subnet-1" }] }],
        enableExecuteCommand: true,
      }),
    ).toEqual({
      request: {
        cluster: "c",
        taskDefinition: "td:1",
        count: 1,
        overrides: { containerOverrides: [{ name: "app" }] },
        group: "family:report",
        startedBy: "events-rule/nightly",
        launchType: "FARGATE",
        platformVersion: "1.4.0",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } },
        enableExecuteCommand: true,
      },
      notCarriedOver: [
        "tags",
        "propagateTags",
        "placementConstraints",
        "placementStrategy",
        "enableECSManagedTags",
        "referenceId",
        "volumeConfigurations",
        "networkConfiguration.securityGroups",
        "networkConfiguration.assignPublicIp",
      ],
    });
  });

  it("takes the capacity provider over the launch type, and nothing of empty fields", () => {
    expect(reconstructRequest({ clusterArn: "c", taskDefinitionArn: "td:1", capacityProviderName: "spot", launchType: "FARGATE", group: "", startedBy: "", platformVersion: "", overrides: "x" })).toEqual({
      request: { cluster: "c", taskDefinition: "td:1", count: 1, capacityProviderStrategy: [{ capacityProvider: "spot" }] },
      notCarriedOver: [
        "tags",
        "propagateTags",
        "placementConstraints",
        "placementStrategy",
        "enableExecuteCommand",
        "enableECSManagedTags",
        "referenceId",
        "volumeConfigurations",
        "capacityProviderStrategy (only the provider the task was placed with; other providers, base and weight)",
      ],
    });
    expect(reconstructRequest({ clusterArn: "c", taskDefinitionArn: "td:1", launchType: "" }).request).toEqual({ cluster: "c", taskDefinition: "td:1", count: 1 });
  });

  it("copies the overrides rather than sharing them with the event", () => {
    const overrides = { containerOverrides: [{ name: "app" }] };
    const { request } = reconstructRequest({ clusterArn: "c", taskDefinitionArn: "td", overrides });
    overrides.containerOverrides[0].name = "changed";
    expect(request.overrides).toEqual({ containerOverrides: [{ name: "app" }] });
  });
});

describe("failing containers and old events", () => {
  it("are the named containers with a non-zero exit code, reasons trimmed", () => {
    expect(
      failingContainers([
        { name: "app", exitCode: 1, reason: "  OutOfMemoryError  " },
        { name: "side", exitCode: 0 },
        { name: "init", exitCode: 137 },
        { name: "", exitCode: 2 },
        { name: "x", exitCode: "3" },
        null,
      ]),
    ).toEqual([
      { name: "app", exitCode: 1, reason: "OutOfMemoryError" },
      { name: "init", exitCode: 137 },
    ]);
    expect(failingContainers({ name: "app", exitCode: 1 })).toEqual([]);
  });

  it("an old event without stopCode is a program failure when a container ran, else a failure to start", () => {
    expect(stopCodeOfOldEvent({ containers: [{ name: "app", exitCode: 255 }] })).toBe("EssentialContainerExited");
    expect(stopCodeOfOldEvent({ containers: [{ name: "app", exitCode: 0 }] })).toBe("EssentialContainerExited");
    expect(stopCodeOfOldEvent({ startedAt: "2018-01-01T00:00:00Z", containers: [{ name: "app" }] })).toBe("EssentialContainerExited");
    expect(stopCodeOfOldEvent({ containers: [{ name: "app" }] })).toBe("TaskFailedToStart");
    expect(stopCodeOfOldEvent({ containers: "app" })).toBe("TaskFailedToStart");
  });
});

describe("a stopped task's event", () => {
  const refused = (e: unknown, message: string): void => expect(() => parseTaskStateChangeEvent(e)).toThrow(message);

  it("refuses each bad field by name", () => {
    refused(null, "event: expected an EventBridge envelope object");
    refused(stoppedTaskEvent({}, { "detail-type": "AWS API Call via CloudTrail" }), 'detail-type: expected "ECS Task State Change", got "AWS API Call via CloudTrail"');
    refused(stoppedTaskEvent({}, { source: "aws.ec2" }), 'source: expected "aws.ecs", got "aws.ec2"');
    refused(stoppedTaskEvent({}, { id: "" }), "id: missing or empty");
    refused(stoppedTaskEvent({}, { region: "" }), "region: missing or empty");
    refused(stoppedTaskEvent({}, { account: "" }), "account: missing or empty");
    refused({ ...stoppedTaskEvent({}), detail: [] }, "detail: missing or not an object");
    for (const key of ["clusterArn", "taskArn", "taskDefinitionArn"]) refused(stoppedTaskEvent({ [key]: "" }), `detail.${key}: missing or empty`);
    refused(stoppedTaskEvent({ lastStatus: "RUNNING" }), 'detail.lastStatus: expected "STOPPED", got "RUNNING"');
    refused(stoppedTaskEvent({ stopCode: "UserInitiated" }), 'detail.stopCode: expected "TaskFailedToStart" or "EssentialContainerExited" (or none, in an event from before ECS recorded one), got "UserInitiated"');
    refused(stoppedTaskEvent({ stopCode: "EssentialContainerExited", containers: [{ name: "app", exitCode: 0 }] }), "not a failure: no container of 0123456789abcdef0123456789abcdef exited with a non-zero code (stopCode EssentialContainerExited)");
  });

  it("a failure to start with a generic reason is told and judged by its containers' reasons", () => {
    const failure = parseTaskStateChangeEvent(
      stoppedTaskEvent({
        stopCode: "TaskFailedToStart",
        stoppedReason: "Task failed to start",
        containers: [{ name: "app", reason: "CannotPullImageManifestError: not found" }, { name: "side", reason: "CannotPullImageManifestError: not found" }, { name: "x", reason: "" }],
      }),
    );
    expect(failure).toEqual(
      expect.objectContaining({
        source: "task-state-change",
        failureType: "failed_to_start",
        reasonKind: "stopped",
        stoppedReason: "Task failed to start: CannotPullImageManifestError: not found",
        reasons: ["CannotPullImageManifestError: not found"],
        failures: [{ arn: STOPPED_TASK_ARN, reason: "CannotPullImageManifestError: not found" }],
        stopCode: "TaskFailedToStart",
        requested: 1,
        remaining: 1,
        eventTime: "2026-03-01T00:00:00Z",
        clusterName: "batch",
      }),
    );
  });

  it("a failure to start without any reason is named by its stop code", () => {
    const failure = parseTaskStateChangeEvent(stoppedTaskEvent({ stopCode: "TaskFailedToStart" }, { time: "" }));
    expect([failure.reasons, failure.stoppedReason, failure.eventTime]).toEqual([["TaskFailedToStart"], undefined, ""]);
    const told = parseTaskStateChangeEvent(stoppedTaskEvent({ stopCode: "TaskFailedToStart", containers: [{ name: "app", reason: "ResourceInitializationError" }], stoppedAt: "2026-03-01T00:00:09Z" }, { time: undefined }));
    expect([told.reasons, told.stoppedReason, told.eventTime]).toEqual([["ResourceInitializationError"], "TaskFailedToStart: ResourceInitializationError", "2026-03-01T00:00:09Z"]);
  });

  it("a program failure lists each failing container", () => {
    const failure = parseTaskStateChangeEvent(stoppedTaskEvent({ stopCode: "EssentialContainerExited", group: "family:report", startedBy: "events-rule/n", containers: [{ name: "app", exitCode: 3 }] }));
    expect(failure).toEqual(
      expect.objectContaining({
        failureType: "program_failed",
        reasonKind: "program",
        reasons: ["EssentialContainerExited: app exited 3"],
        containers: [{ name: "app", exitCode: 3 }],
        group: "family:report",
        startedBy: "events-rule/n",
      }),
    );
  });

  it("parseFailureEvent sends each detail-type to its parser and refuses any other", () => {
    expect(parseFailureEvent(taskEvent("resourceMemory")).source).toBe("task-state-change");
    expect(() => parseFailureEvent({ "detail-type": "Scheduled Event" })).toThrow('detail-type: expected "AWS API Call via CloudTrail" or "ECS Task State Change", got "Scheduled Event"');
    expect(() => parseFailureEvent(3)).toThrow("event: expected an EventBridge envelope object");
  });
});

describe("ownership tags and log links", () => {
  it("reads the owning event and attempt, 0 when the attempt is unreadable", () => {
    const tags = (attempt?: string) => [{ key: "ecs-rerun:event-id", value: "e1" }, ...(attempt === undefined ? [] : [{ key: "ecs-rerun:attempt", value: attempt }])];
    expect(ownerFromTags(tags("2"))).toEqual({ eventId: "e1", attempt: 2 });
    expect(ownerFromTags(tags("-1"))).toEqual({ eventId: "e1", attempt: 0 });
    expect(ownerFromTags(tags("x"))).toEqual({ eventId: "e1", attempt: 0 });
    expect(ownerFromTags(tags())).toEqual({ eventId: "e1", attempt: 0 });
    expect(ownerFromTags([{ key: "ecs-rerun:event-id", value: "" }])).toBeUndefined();
    expect(ownerFromTags([{ key: "ecs-rerun:event-id", value: 5 }])).toBeUndefined();
    expect(ownerFromTags("tags")).toBeUndefined();
  });

  it("finds a task's tags by its ARN or ID", () => {
    const answer = { tasks: [{ taskArn: "arn:aws:ecs:eu-west-1:1:task/batch/aaa", tags: ["a"] }, { taskArn: "arn:aws:ecs:eu-west-1:1:task/batch/bbb", tags: ["b"] }] };
    expect(tagsOfTask(answer, "bbb")).toEqual(["b"]);
    expect(tagsOfTask(answer, "arn:aws:ecs:eu-west-1:1:task/aaa")).toEqual(["a"]);
    expect(tagsOfTask(answer, "ccc")).toBeUndefined();
    expect(tagsOfTask({ tasks: "x" }, "aaa")).toBeUndefined();
  });

  it("links a failing container's awslogs stream only when it has a group and a prefix", () => {
    const defs = [
      { name: "app", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/report", "awslogs-stream-prefix": "ecs", "awslogs-region": "eu-west-1" } } },
      { name: "noprefix", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/report" } } },
      { name: "splunk", logConfiguration: { logDriver: "splunk", options: { "awslogs-group": "g", "awslogs-stream-prefix": "p" } } },
      { name: "noregion", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g", "awslogs-stream-prefix": "p" } } },
    ];
    const containers = ["app", "noprefix", "splunk", "noregion", "unknown"].map((name) => ({ name, exitCode: 1 }));
    expect(withLogLinks(containers, defs, STOPPED_TASK_ARN)).toEqual([
      { name: "app", exitCode: 1, logGroup: "/ecs/report", logStream: "ecs/app/0123456789abcdef0123456789abcdef", logRegion: "eu-west-1" },
      { name: "noprefix", exitCode: 1 },
      { name: "splunk", exitCode: 1 },
      { name: "noregion", exitCode: 1, logGroup: "g", logStream: "p/noregion/0123456789abcdef0123456789abcdef" },
      { name: "unknown", exitCode: 1 },
    ]);
    expect(withLogLinks(containers.slice(0, 1), "defs", STOPPED_TASK_ARN)).toEqual([{ name: "app", exitCode: 1 }]);
  });
});
