import { DEFAULT_RERUN_CONFIG, DEFAULT_RETRYABLE_REASONS, type BackoffPolicy } from "../../lambda/rerun/config";
import {
  applyAnswer,
  backoffCapSeconds,
  backoffSeconds,
  buildNotice,
  buildRerunRequest,
  classifyEcsError,
  clientToken,
  clusterShortName,
  decide,
  isRetryable,
  isRetryableReason,
  noticeKindAfterClassify,
  noticeKindAfterRerun,
  parseInvocation,
  parseLaunchEvent,
  reasonMatches,
  shortfall,
  throttleDelayMs,
} from "../../lambda/rerun/core";
import type { Decision, LaunchFailure } from "../../lambda/shared/contract";
import { InvalidEventError } from "../../lambda/shared/errors";
import { agentEvent, loadFixture, RUNTASK_PARTIAL, seededRandom, STARTTASK_PARTIAL } from "./helpers";

const NOW = Date.parse("2025-03-04T03:05:00Z");

const FARGATE_CAPACITY =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

describe("reason classification", () => {
  it.each(["AGENT", "RESOURCE:MEMORY", "RESOURCE:CPU", "RESOURCE:PORTS", "RESOURCE:ENI", FARGATE_CAPACITY])(
    "treats %j as retryable with the default patterns",
    (reason) => {
      expect(isRetryableReason(reason, DEFAULT_RETRYABLE_REASONS)).toBe(true);
    },
  );

  it.each(["ATTRIBUTE", "LOCATION", "MISSING", "INACTIVE", "AGENTS", "RESOURCE", "agent", "Capacity"])(
    "treats %j as not retryable with the default patterns",
    (reason) => {
      expect(isRetryableReason(reason, DEFAULT_RETRYABLE_REASONS)).toBe(false);
    },
  );

  it("matches a pattern without * exactly and a pattern ending in * as a prefix", () => {
    expect(reasonMatches("MISSING", "MISSING")).toBe(true);
    expect(reasonMatches("MISSING-X", "MISSING")).toBe(false);
    expect(reasonMatches("RESOURCE:GPU", "RESOURCE:*")).toBe(true);
    expect(reasonMatches("anything", "*")).toBe(true);
  });

  it("uses custom patterns instead of the defaults", () => {
    const patterns = ["ATTRIBUTE", "RESOURCE:MEMORY"];
    expect(isRetryableReason("ATTRIBUTE", patterns)).toBe(true);
    expect(isRetryableReason("RESOURCE:MEMORY", patterns)).toBe(true);
    expect(isRetryableReason("RESOURCE:CPU", patterns)).toBe(false);
    expect(isRetryableReason("AGENT", patterns)).toBe(false);
  });

  it("calls an answer retryable when at least one reason is retryable", () => {
    expect(isRetryable(["ATTRIBUTE", "AGENT"], DEFAULT_RETRYABLE_REASONS)).toBe(true);
    expect(isRetryable(["ATTRIBUTE", "MISSING"], DEFAULT_RETRYABLE_REASONS)).toBe(false);
  });

  it("calls an answer without reasons not retryable", () => {
    expect(isRetryable([], DEFAULT_RETRYABLE_REASONS)).toBe(false);
  });
});

describe("backoff", () => {
  const none: BackoffPolicy = { firstDelaySeconds: 30, backoffRate: 2, maxDelaySeconds: 300, jitter: "NONE" };
  const full: BackoffPolicy = { ...none, jitter: "FULL" };

  it("grows the cap by the rate per rerun and stops at the maximum delay", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, none))).toEqual([30, 60, 120, 240, 300, 300]);
  });

  it("keeps the cap finite for absurd attempt numbers", () => {
    expect(backoffCapSeconds(10_000, { ...none, backoffRate: 10 })).toBe(300);
  });

  it("rounds a fractional cap down to whole seconds", () => {
    expect(backoffSeconds(3, { ...none, backoffRate: 1.5 })).toBe(67); // 30 * 1.5^2 = 67.5
  });

  it("waits nothing when the first delay is 0", () => {
    expect(backoffSeconds(3, { ...none, firstDelaySeconds: 0 })).toBe(0);
    expect(backoffSeconds(3, { ...full, firstDelaySeconds: 0 }, () => 0.99)).toBe(0);
  });

  it("draws FULL jitter as integers within [0, cap] and reaches both ends", () => {
    const random = seededRandom(42);
    for (const n of [1, 2, 3, 4, 5]) {
      const cap = backoffCapSeconds(n, full);
      const draws = Array.from({ length: 500 }, () => backoffSeconds(n, full, random));
      expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= cap)).toBe(true);
      expect(new Set(draws).size).toBeGreaterThan(Math.min(cap, 20));
    }
    expect(backoffSeconds(2, full, () => 0)).toBe(0);
    expect(backoffSeconds(2, full, () => 0.999999)).toBe(60);
  });

  it("sleeps before in-handler throttle retries with full jitter from 1 s doubling to a 16 s cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => throttleDelayMs(n, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 16000, 16000]);
    expect(throttleDelayMs(3, () => 0)).toBe(0);
    const random = seededRandom(3);
    const draws = Array.from({ length: 200 }, () => throttleDelayMs(2, random));
    expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d <= 2000)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it("is reproducible with the same seed", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([1, 2, 3].map((n) => backoffSeconds(n, full, a))).toEqual([1, 2, 3].map((n) => backoffSeconds(n, full, b)));
  });
});

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

describe("clientToken", () => {
  const eventId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

  it("is deterministic for one event and attempt", () => {
    expect(clientToken(eventId, 1)).toBe(clientToken(eventId, 1));
  });

  it("starts with ecs-rerun- and fits the 64-character limit", () => {
    const token = clientToken(eventId, 10);
    expect(token.startsWith("ecs-rerun-")).toBe(true);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[a-z0-9-]+$/);
  });

  it("differs per attempt and per event", () => {
    const tokens = new Set([clientToken(eventId, 1), clientToken(eventId, 2), clientToken("other-event", 1)]);
    expect(tokens.size).toBe(3);
  });

  it("never equals the caller's clientToken", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const callerToken = failure.request.clientToken;
    expect(callerToken).toEqual(expect.any(String));
    for (const attempt of [1, 2, 3]) expect(clientToken(failure.eventId, attempt)).not.toBe(callerToken);
  });
});

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

describe("parseInvocation", () => {
  it.each<[string, unknown, RegExp]>([
    ["an unknown action", { action: "explode", executionArn: "arn:x" }, /action/],
    ["no executionArn", { action: "classify", event: {} }, /executionArn/],
    ["attempt 0", { action: "rerun", attempt: 0, executionArn: "arn:x", failure: {} }, /attempt/],
    ["a failure without request", { action: "rerun", attempt: 1, executionArn: "arn:x", failure: { action: "RunTask" } }, /failure\./],
  ])("rejects a payload with %s", (_label, payload, field) => {
    expect(() => parseInvocation(payload)).toThrow(InvalidEventError);
    expect(() => parseInvocation(payload)).toThrow(field);
  });
});

describe("decision", () => {
  const policy = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" as const };
  const base = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
  const withState = (patch: Partial<LaunchFailure>): LaunchFailure => ({ ...base, ...patch });

  it.each<[string, Partial<LaunchFailure>, number, Partial<Decision>]>([
    ["classify, retryable shortfall", { reasons: ["AGENT"] }, 0, { next: "retry", delaySeconds: 30, nextAttempt: 1, retryable: true }],
    ["classify, nothing short", { remaining: 0, reasons: [] }, 0, { next: "recovered", message: "no shortfall" }],
    ["classify, configuration reason", { reasons: ["ATTRIBUTE"] }, 0, { next: "not_retryable", retryable: false }],
    ["classify, no reason at all", { reasons: [] }, 0, { next: "not_retryable", retryable: false }],
    ["rerun 1 still short", { reasons: ["RESOURCE:MEMORY"] }, 1, { next: "retry", delaySeconds: 60, nextAttempt: 2 }],
    ["rerun 2 still short", { reasons: ["AGENT"] }, 2, { next: "retry", delaySeconds: 120, nextAttempt: 3 }],
    ["last rerun still short", { reasons: ["AGENT"] }, 3, { next: "gave_up", delaySeconds: 0, retryable: true }],
    ["rerun placed everything", { remaining: 0, reasons: [] }, 2, { next: "recovered", delaySeconds: 0 }],
    ["rerun hit a configuration reason", { reasons: ["MISSING"] }, 1, { next: "not_retryable", delaySeconds: 0 }],
  ])("%s", (_label, state, attempt, expected) => {
    const decision = decide(withState({ ...state, attemptsLaunched: attempt }), policy, NOW);
    expect(decision).toMatchObject({ attempt, nextAttempt: attempt + 1, maxAttempts: 3, ...expected });
  });

  it("says why it did not retry", () => {
    expect(decide(withState({ reasons: ["ATTRIBUTE", "LOCATION"] }), policy, NOW).message).toMatch(/ATTRIBUTE, LOCATION/);
    expect(decide(withState({ reasons: ["AGENT"], attemptsLaunched: 3 }), policy, NOW).message).toMatch(/1 of 3 task\(s\) still not started after 3 rerun/);
  });

  it("draws the delay with jitter when FULL", () => {
    const decision = decide(withState({ reasons: ["AGENT"], attemptsLaunched: 1 }), { ...policy, jitter: "FULL" }, NOW, () => 0.5);
    expect(decision).toMatchObject({ next: "retry", delaySeconds: 30 }); // floor(0.5 * 61)
  });
});

describe("notice", () => {
  const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
  const executionArn = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:b7c8d9e0";

  it("carries the next delay when a retry follows", () => {
    const decision = decide(failure, { ...DEFAULT_RERUN_CONFIG, jitter: "NONE" }, NOW);
    const notice = buildNotice("detected", failure, decision, executionArn);
    expect(notice).toEqual({
      kind: "detected",
      source: "cloudtrail",
      failureType: "rejected",
      cluster: failure.cluster,
      clusterName: "batch-ec2",
      taskDefinition: failure.taskDefinition,
      action: "RunTask",
      reasons: ["AGENT"],
      attempt: 0,
      maxAttempts: 3,
      requested: 3,
      placed: 2,
      remaining: 1,
      nextDelaySeconds: 30,
      eventId: failure.eventId,
      executionArn,
      region: "ap-northeast-1",
      account: "123456789012",
      startedBy: "events-rule/nightly-report-batch",
      eventTime: failure.eventTime,
      taskArns: failure.taskArns,
    });
  });

  it("has no next delay and keeps the message when nothing follows", () => {
    const decision = decide({ ...failure, reasons: ["ATTRIBUTE"], attemptsLaunched: 1 }, DEFAULT_RERUN_CONFIG, NOW);
    const notice = buildNotice(noticeKindAfterRerun(decision), { ...failure, reasons: ["ATTRIBUTE"] }, decision, executionArn);
    expect(notice).toMatchObject({ kind: "not_retryable", attempt: 1, message: expect.stringContaining("ATTRIBUTE") });
    expect(notice).not.toHaveProperty("nextDelaySeconds");
  });

  it.each<[Decision["next"], string]>([
    ["retry", "retrying"],
    ["verify", "retrying"],
    ["recovered", "recovered"],
    ["gave_up", "gave_up"],
    ["not_retryable", "not_retryable"],
    ["report", "program_failed"],
  ])("after a rerun, decision %s becomes notice kind %s", (next, kind) => {
    const decision: Decision = { next, attempt: 1, nextAttempt: 2, maxAttempts: 3, delaySeconds: 0, retryable: true };
    expect(noticeKindAfterRerun(decision)).toBe(kind);
  });

  it.each<[Decision["next"], string]>([
    ["retry", "detected"],
    ["recovered", "detected"],
    ["not_retryable", "not_retryable"],
    ["report", "program_failed"],
  ])("after classify, decision %s becomes notice kind %s", (next, kind) => {
    const decision: Decision = { next, attempt: 0, nextAttempt: 1, maxAttempts: 3, delaySeconds: 0, retryable: true };
    expect(noticeKindAfterClassify(decision)).toBe(kind);
  });

  it("carries the task-state fields and the first failing container's log stream", () => {
    const programFailure: LaunchFailure = {
      ...failure,
      source: "task-state-change",
      failureType: "program_failed",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t1",
      stoppedReason: "Essential container in task exited",
      notCarriedOver: ["tags"],
      containers: [
        { name: "sidecar", exitCode: 2 },
        { name: "app", exitCode: 1, logGroup: "/ecs/nightly-report", logStream: "batch/app/t1", logRegion: "ap-northeast-1" },
      ],
    };
    const decision: Decision = { next: "report", attempt: 0, nextAttempt: 1, maxAttempts: 3, delaySeconds: 0, retryable: false };
    expect(buildNotice("program_failed", programFailure, decision, executionArn)).toMatchObject({
      kind: "program_failed",
      source: "task-state-change",
      failureType: "program_failed",
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/t1",
      stoppedReason: "Essential container in task exited",
      notCarriedOver: ["tags"],
      containers: programFailure.containers,
      logGroup: "/ecs/nightly-report",
      logStream: "batch/app/t1",
      logRegion: "ap-northeast-1",
    });
  });
});

describe("rerun request", () => {
  it("replays a RunTask with count = shortfall and a fresh clientToken, nothing else changed", () => {
    const failure = parseLaunchEvent(loadFixture(RUNTASK_PARTIAL));
    const request = buildRerunRequest(failure, 2);
    const { count, clientToken: token, ...rest } = request;
    const { count: _c, clientToken: _t, ...original } = failure.request;
    expect(rest).toEqual(original);
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
  });
});

describe("ECS error mapping", () => {
  const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each<[string, Error, "RunTask" | "StartTask" | "read", string]>([
    ["ThrottlingException", err("ThrottlingException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "throttled"],
    ["a $retryable.throttling error", err("Whatever", { $fault: "client", $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } }), "StartTask", "throttled"],
    ["HTTP 429", err("Unknown", { $fault: "client", $metadata: { httpStatusCode: 429 } }), "StartTask", "throttled"],
    ["ServerException on RunTask", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "RunTask", "server"],
    ["HTTP 503 on RunTask", err("ServiceUnavailable", { $fault: "client", $metadata: { httpStatusCode: 503 } }), "RunTask", "server"],
    ["a network error on RunTask", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "RunTask", "server"],
    ["ServerException on StartTask", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "StartTask", "gave_up"],
    ["a network error on StartTask", new Error("socket hang up"), "StartTask", "gave_up"],
    ["ServerException on a read (DescribeTasks)", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "read", "server"],
    ["AccessDeniedException on a read", err("AccessDeniedException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "read", "gave_up"],
    ["ClientException", err("ClientException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "gave_up"],
    ["ECS LimitExceededException (a quota)", err("LimitExceededException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "gave_up"],
  ])("maps %s", (_label, error, action, outcome) => {
    expect(classifyEcsError(error, action).outcome).toBe(outcome);
  });

  it("says on StartTask that the task may have started", () => {
    const mapped = classifyEcsError(err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "StartTask");
    expect(mapped.message).toMatch(/^ServerException: ServerException happened.*may have started/);
  });
});
