import { DEFAULT_RERUN_CONFIG, DEFAULT_RETRYABLE_STOPPED_REASONS } from "../../lambda/rerun/config";
import { decide } from "../../lambda/rerun/core/relaunch/decision";
import { noticeKindAfterClassify } from "../../lambda/rerun/core/notices/notice";
import { globMatches, isFailureRetryable, isRetryableStoppedReason } from "../../lambda/rerun/core/relaunch/reason-classification";
import {
  ALWAYS_NOT_CARRIED_OVER,
  AWSVPC_NOT_CARRIED_OVER,
  CAPACITY_PROVIDER_NOT_CARRIED_OVER,
  ownerFromTags,
  parseFailureEvent,
  parseTaskStateChangeEvent,
  reconstructRequest,
  tagsOfTask,
  withLogLinks,
} from "../../lambda/rerun/task-state";
import { InvalidEventError } from "../../lambda/shared/errors";
import { agentEvent, taskEvent } from "./helpers";

const NOW = Date.parse("2025-03-04T03:31:00Z");
const POLICY = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" as const };
const TASK_ARN = "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5";

describe("normalising a task that failed to start", () => {
  it("fills the shared launch-failure record from the envelope and the task record", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    expect(failure).toMatchObject({
      source: "task-state-change",
      failureType: "failed_to_start",
      eventId: "4d8f0a2e-6b1c-4e3d-9f5a-7c2b8e1d0a41",
      action: "RunTask",
      region: "ap-northeast-1",
      account: "123456789012",
      cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
      clusterName: "batch-ec2",
      taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
      startedBy: "events-rule/nightly-report-batch",
      group: "family:nightly-report",
      eventTime: "2025-03-04T03:30:02Z",
      requested: 1,
      placed: 0,
      remaining: 1,
      reasons: ["TaskFailedToStart: RESOURCE:MEMORY"],
      reasonKind: "stopped",
      failures: [{ arn: TASK_ARN, reason: "TaskFailedToStart: RESOURCE:MEMORY" }],
      taskArns: [],
      attemptsLaunched: 0,
      unconfirmedTaskArns: [],
      stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY",
      taskArn: TASK_ARN,
    });
    expect(failure.verifyDeadline).toBeUndefined();
    expect(failure.containers).toBeUndefined();
  });

  it("rebuilds the RunTask request field by field from what the task record carries", () => {
    const { request } = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    expect(request).toEqual({
      cluster: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2",
      taskDefinition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12",
      count: 1,
      overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"] }] },
      group: "family:nightly-report",
      startedBy: "events-rule/nightly-report-batch",
      // The provider the task was placed with, and NOT its launch type: RunTask refuses both at once.
      capacityProviderStrategy: [{ capacityProvider: "batch-ec2-ec2" }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0a1b2c3d4e5f60718"] } },
    });
  });

  it("names everything the rebuilt request lacks, including the awsvpc security groups and public IP", () => {
    const { notCarriedOver } = parseTaskStateChangeEvent(taskEvent("resourceMemory"));
    expect(notCarriedOver).toEqual(
      expect.arrayContaining([
        "tags",
        "propagateTags",
        "placementConstraints",
        "placementStrategy",
        "enableExecuteCommand",
        "enableECSManagedTags",
        "referenceId",
        "volumeConfigurations",
        "networkConfiguration.securityGroups",
        "networkConfiguration.assignPublicIp",
        CAPACITY_PROVIDER_NOT_CARRIED_OVER,
      ]),
    );
  });

  it("uses the launch type when there is no capacity provider, and no network configuration without an ENI", () => {
    const detail = taskEvent("resourceMemory").detail;
    delete detail.capacityProviderName;
    delete detail.attachments;
    detail.platformVersion = "1.4.0";
    const { request, notCarriedOver } = reconstructRequest(detail);
    expect(request).toMatchObject({ launchType: "EC2", platformVersion: "1.4.0" });
    expect(request).not.toHaveProperty("capacityProviderStrategy");
    expect(request).not.toHaveProperty("networkConfiguration");
    expect(notCarriedOver).toEqual([...ALWAYS_NOT_CARRIED_OVER]);
    expect(notCarriedOver).not.toEqual(expect.arrayContaining([...AWSVPC_NOT_CARRIED_OVER]));
  });

  it("keeps enableExecuteCommand when the task record says it, and stops listing it", () => {
    const detail = taskEvent("resourceMemory").detail;
    detail.enableExecuteCommand = true;
    const { request, notCarriedOver } = reconstructRequest(detail);
    expect(request.enableExecuteCommand).toBe(true);
    expect(notCarriedOver).not.toContain("enableExecuteCommand");
  });

  it("reads the subnet of a DescribeTasks-style ElasticNetworkInterface attachment too", () => {
    const detail = taskEvent("pullTimeout").detail;
    detail.attachments[0].type = "ElasticNetworkInterface";
    expect(reconstructRequest(detail).request.networkConfiguration).toEqual({ awsvpcConfiguration: { subnets: ["subnet-0a1b2c3d4e5f60718"] } });
  });

  it("does not alias the event's overrides (the request travels on in the state)", () => {
    const event = taskEvent("resourceMemory");
    const { request } = parseTaskStateChangeEvent(event);
    event.detail.overrides.containerOverrides[0].command.push("--mutated");
    expect((request.overrides as { containerOverrides: Array<{ command: string[] }> }).containerOverrides[0].command).toEqual(["bin/rails", "report:nightly"]);
  });

  it("trims the stopped reason and caps it at 255 characters", () => {
    const event = taskEvent("pullNotFound");
    event.detail.stoppedReason = `  CannotPullContainerError: ${"x".repeat(400)}  `;
    const failure = parseTaskStateChangeEvent(event);
    expect(failure.stoppedReason).toHaveLength(255);
    expect(failure.stoppedReason?.startsWith("CannotPullContainerError: x")).toBe(true);
    expect(failure.reasons).toEqual([failure.stoppedReason]);
  });

  it("falls back to the stop code when the record has no stopped reason", () => {
    const event = taskEvent("resourceMemory");
    delete event.detail.stoppedReason;
    expect(parseTaskStateChangeEvent(event)).toMatchObject({ reasons: ["TaskFailedToStart"] });
  });
});

describe("stopped-reason classification", () => {
  const patterns = DEFAULT_RETRYABLE_STOPPED_REASONS;
  it.each<[string, boolean]>([
    ["TaskFailedToStart: RESOURCE:MEMORY", true],
    ["TaskFailedToStart: RESOURCE:CPU", true],
    ["RESOURCE:ENI", true],
    ["Task failed to start: AGENT", true],
    ["Capacity is unavailable at this time. Please try again later or in a different availability zone", true],
    ['CannotPullContainerError: Error response from daemon: Get "https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)', true],
    ["CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ...: dial tcp 10.0.3.17:443: i/o timeout", true],
    ["CannotPullContainerError: failed to copy: httpReadSeeker: failed open: context deadline exceeded", true],
    ["Timeout waiting for network interface provisioning to complete.", true],
    ["ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed caused by: Post \"https://secretsmanager.ap-northeast-1.amazonaws.com/\": dial tcp 10.0.1.9:443: i/o timeout", true],
    ["CannotPullContainerError: Error response from daemon: manifest for 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/nightly-report:2025.03.03 not found: manifest unknown: Requested image not found", false],
    ["CannotPullContainerError: pull access denied for nightly-report, repository does not exist or may require 'docker login'", false],
    ["ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: AccessDeniedException: not authorized", false],
    ["CannotStartContainerError: failed to create shim task: OCI runtime create failed", false],
    ["Essential container in task exited", false],
    ["MISSING", false],
  ])("%j is retryable: %s", (reason, retryable) => {
    expect(isRetryableStoppedReason(reason, patterns)).toBe(retryable);
  });

  it("matches globs over the whole text, case-insensitively, with * as any run (also none)", () => {
    expect(globMatches("CannotPullContainerError: i/o TIMEOUT", "CannotPullContainerError:*timeout*")).toBe(true);
    expect(globMatches("xCannotPullContainerError: timeout", "CannotPullContainerError:*timeout*")).toBe(false);
    expect(globMatches("RESOURCE:", "*RESOURCE:*")).toBe(true);
    expect(globMatches("a.b", "a?b")).toBe(false);
    expect(globMatches("a(b)c[d]", "a(b)c[d]")).toBe(true);
    expect(globMatches("anything at all", "*")).toBe(true);
  });

  it("classifies the constructed events: capacity and pull timeout retry, image not found asks a human", () => {
    const classify = (name: "resourceMemory" | "pullTimeout" | "pullNotFound") => {
      const decision = decide(parseTaskStateChangeEvent(taskEvent(name)), POLICY, NOW);
      return { next: decision.next, kind: noticeKindAfterClassify(decision) };
    };
    expect(classify("resourceMemory")).toEqual({ next: "retry", kind: "detected" });
    expect(classify("pullTimeout")).toEqual({ next: "retry", kind: "detected" });
    expect(classify("pullNotFound")).toEqual({ next: "not_retryable", kind: "not_retryable" });
  });

  it("judges stopped reasons by RETRYABLE_STOPPED_REASONS, not by the launch patterns", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("pullNotFound"));
    expect(isFailureRetryable(failure, { ...POLICY, retryableReasons: ["*"], retryableStoppedReasons: [] })).toBe(false);
    expect(isFailureRetryable(failure, { ...POLICY, retryableReasons: [], retryableStoppedReasons: ["CannotPullContainerError:*"] })).toBe(true);
  });
});

describe("program failures", () => {
  it("turns a non-zero exit into program_failed with the failing containers, decided as report", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("exit1"));
    expect(failure).toMatchObject({
      source: "task-state-change",
      failureType: "program_failed",
      reasonKind: "program",
      reasons: ["EssentialContainerExited: app exited 1"],
      containers: [{ name: "app", exitCode: 1 }],
      stoppedReason: "Essential container in task exited",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8",
    });
    const decision = decide(failure, POLICY, NOW);
    expect(decision).toMatchObject({ next: "report", retryable: false, delaySeconds: 0 });
    expect(noticeKindAfterClassify(decision)).toBe("program_failed");
  });

  it("lists only the containers that exited non-zero, with their reasons", () => {
    const event = taskEvent("exit1");
    event.detail.containers.push(
      { name: "log-router", exitCode: 0, lastStatus: "STOPPED" },
      { name: "worker", exitCode: 137, lastStatus: "STOPPED", reason: "OutOfMemoryError: Container killed due to memory usage" },
      { name: "sidecar", lastStatus: "STOPPED" },
    );
    expect(parseTaskStateChangeEvent(event).containers).toEqual([
      { name: "app", exitCode: 1 },
      { name: "worker", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
    ]);
  });

  it("reruns a program failure only for a family in RERUN_PROGRAM_FAILURE_FAMILIES, and never a failed rerun", () => {
    const failure = parseTaskStateChangeEvent(taskEvent("exit1"));
    const optedIn = { ...POLICY, rerunProgramFailureFamilies: ["nightly-report"] };
    expect(decide(failure, optedIn, NOW)).toMatchObject({ next: "retry", retryable: true, nextAttempt: 1, delaySeconds: 30 });
    expect(decide(failure, { ...POLICY, rerunProgramFailureFamilies: ["nightly-report-v2"] }, NOW).next).toBe("report");
    const rerunItself = { ...failure, rerunOf: { eventId: "4d8f0a2e-6b1c-4e3d-9f5a-7c2b8e1d0a41", attempt: 1 } };
    expect(decide(rerunItself, optedIn, NOW)).toMatchObject({ next: "report", message: expect.stringContaining("not rerun again") });
  });

  it("judges an opted-in rerun's own rejection like any other (not_retryable, not report)", () => {
    const failure = { ...parseTaskStateChangeEvent(taskEvent("exit1")), attemptsLaunched: 1, reasons: ["ATTRIBUTE"], reasonKind: "launch" as const };
    expect(decide(failure, { ...POLICY, rerunProgramFailureFamilies: ["nightly-report"] }, NOW).next).toBe("not_retryable");
  });

  it("refuses an event whose containers all exited 0: not a failure", () => {
    expect(() => parseTaskStateChangeEvent(taskEvent("exit0"))).toThrow(InvalidEventError);
    expect(() => parseTaskStateChangeEvent(taskEvent("exit0"))).toThrow(/^not a failure: no container .* exited with a non-zero code/);
  });

  it("derives each failing container's awslogs stream from the task definition", () => {
    const containers = withLogLinks(
      [{ name: "app", exitCode: 1 }, { name: "worker", exitCode: 2 }, { name: "firelens", exitCode: 3 }],
      [
        { name: "app", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/nightly-report", "awslogs-stream-prefix": "batch", "awslogs-region": "ap-northeast-1" } } },
        // No prefix: the stream is named after the runtime container id, which nothing here carries.
        { name: "worker", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/nightly-report" } } },
        { name: "firelens", logConfiguration: { logDriver: "awsfirelens", options: {} } },
      ],
      "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8",
    );
    expect(containers).toEqual([
      { name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/3f4a5b6c7d8e49f0a1b2c3d4e5f6a7b8", logRegion: "ap-northeast-1" },
      { name: "worker", exitCode: 2 },
      { name: "firelens", exitCode: 3 },
    ]);
  });
});

describe("ownership by tags", () => {
  it("reads the owning event and attempt from the pipeline's tags", () => {
    expect(
      ownerFromTags([
        { key: "team", value: "reports" },
        { key: "ecs-rerun:event-id", value: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" },
        { key: "ecs-rerun:attempt", value: "2" },
      ]),
    ).toEqual({ eventId: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", attempt: 2 });
  });

  it.each<[string, unknown]>([
    ["no tags", undefined],
    ["other tags only", [{ key: "team", value: "reports" }]],
    ["an empty event id", [{ key: "ecs-rerun:event-id", value: "" }]],
  ])("calls a task with %s not owned", (_label, tags) => {
    expect(ownerFromTags(tags)).toBeUndefined();
  });

  it("finds the tags of the task in a DescribeTasks answer by ARN or ID", () => {
    const tags = [{ key: "ecs-rerun:event-id", value: "e" }];
    expect(tagsOfTask({ tasks: [{ taskArn: TASK_ARN, tags }] }, "0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5")).toBe(tags);
    expect(tagsOfTask({ tasks: [] }, TASK_ARN)).toBeUndefined();
  });
});

describe("validating task state change events", () => {
  it.each<[string, (e: Record<string, any>) => void, RegExp]>([
    ["no envelope id", (e) => delete e.id, /^id: missing/],
    ["another source", (e) => (e.source = "aws.ec2"), /^source: expected "aws.ecs"/],
    ["no clusterArn", (e) => delete e.detail.clusterArn, /detail\.clusterArn/],
    ["no taskArn", (e) => delete e.detail.taskArn, /detail\.taskArn/],
    ["no taskDefinitionArn", (e) => delete e.detail.taskDefinitionArn, /detail\.taskDefinitionArn/],
    ["a task still RUNNING", (e) => (e.detail.lastStatus = "RUNNING"), /detail\.lastStatus: expected "STOPPED"/],
    ["a task stopped by a user", (e) => (e.detail.stopCode = "UserInitiated"), /detail\.stopCode: expected "TaskFailedToStart" or "EssentialContainerExited" \(or none, in an event from before ECS recorded one\), got "UserInitiated"/],
    ["no region", (e) => delete e.region, /^region/],
  ])("rejects an event with %s, naming the field", (_label, mutate, message) => {
    const event = taskEvent("resourceMemory");
    mutate(event);
    expect(() => parseTaskStateChangeEvent(event)).toThrow(InvalidEventError);
    expect(() => parseTaskStateChangeEvent(event)).toThrow(message);
  });

  it("dispatches on detail-type and refuses any other", () => {
    expect(parseFailureEvent(agentEvent()).source).toBe("cloudtrail");
    expect(parseFailureEvent(taskEvent("pullTimeout")).source).toBe("task-state-change");
    const other = { ...taskEvent("pullTimeout"), "detail-type": "ECS Container Instance State Change" };
    expect(() => parseFailureEvent(other)).toThrow(/detail-type: expected "AWS API Call via CloudTrail" or "ECS Task State Change", got "ECS Container Instance State Change"/);
    expect(() => parseFailureEvent(null)).toThrow(InvalidEventError);
  });
});
