// Rules of the rerun core that mutation testing showed no unit test pinned (issue 23): each assertion
// names an outcome with a literal value, never one computed by the function under test.
import { isServiceTask } from "../../../../lambda/rerun/core/relaunch/decision";
import { classifyEcsError, isThrottlingError } from "../../../../lambda/rerun/core/relaunch/ecs-errors";
import { parseInvocation, validateLaunchFailure } from "../../../../lambda/rerun/core/failure/invocation";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { accountOfFunctionArn, admit, placeLabel, placeOf, placeOfFunctionArn, samePlace } from "../../../../lambda/rerun/core/relaunch/place";
import { InvalidEventError } from "../../../../lambda/shared/errors";
import { agentEvent, loadFixture, STARTTASK_PARTIAL } from "../../helpers";

const HUB = { account: "111122223333", region: "eu-west-1" };

describe("place: another account is never home", () => {
  it("a spoke in another account but the hub's region is a spoke, or refused when not admitted", () => {
    expect(samePlace({ account: "444455556666", region: "eu-west-1" }, HUB)).toBe(false);
    expect(samePlace({ account: "111122223333", region: "us-east-1" }, HUB)).toBe(false);
    expect(samePlace({ account: "111122223333", region: "eu-west-1" }, HUB)).toBe(true);
    expect(admit({ account: "444455556666", region: "eu-west-1" }, HUB, { accounts: ["444455556666"] })).toEqual({ kind: "spoke" });
    expect(admit({ account: "444455556666", region: "eu-west-1" }, HUB, { accounts: [] })).toEqual({
      kind: "refused",
      why: "account 444455556666 is not admitted by this hub (its spoke accounts: none; no organization)",
    });
    expect(admit({ account: "444455556666", region: "eu-west-1" }, HUB, { accounts: ["777788889999", "222233334444"] })).toEqual({
      kind: "refused",
      why: "account 444455556666 is not admitted by this hub (its spoke accounts: 777788889999, 222233334444; no organization)",
    });
    expect(admit({ account: "444455556666", region: "eu-west-1" }, HUB, { accounts: [], organizationId: "o-abcdefghij" })).toEqual({ kind: "spoke" });
  });

  it("labels, reads and derives places literally", () => {
    expect(placeLabel({ account: "222233334444", region: "eu-west-1" })).toBe("222233334444/eu-west-1");
    expect(placeOf({ account: "222233334444", region: "us-east-2" })).toEqual({ account: "222233334444", region: "us-east-2" });
    expect(accountOfFunctionArn("arn:aws:lambda:eu-west-1:222233334444:function:rerun")).toBe("222233334444");
    expect(accountOfFunctionArn("arn:aws:lambda:eu-west-1:2222:function:rerun")).toBeUndefined();
    expect(accountOfFunctionArn("arn:aws:lambda")).toBeUndefined();
    expect(accountOfFunctionArn(undefined)).toBeUndefined();
    expect(placeOfFunctionArn("arn:aws:lambda:eu-west-1:222233334444:function:rerun:live")).toEqual({ account: "222233334444", region: "eu-west-1" });
    expect(placeOfFunctionArn("arn:aws:lambda:Europe:222233334444:function:rerun")).toBeUndefined();
    expect(placeOfFunctionArn(undefined)).toBeUndefined();
  });
});

describe("decision: a service's task is known by either sign alone", () => {
  it("group service: alone, startedBy ecs-svc/ alone, both, or neither", () => {
    expect(isServiceTask({ group: "service:web" })).toBe(true);
    expect(isServiceTask({ startedBy: "ecs-svc/1234567890123456789" })).toBe(true);
    expect(isServiceTask({ group: "service:web", startedBy: "ecs-svc/1" })).toBe(true);
    expect(isServiceTask({ group: "family:batch", startedBy: "events-rule/nightly" })).toBe(false);
    expect(isServiceTask({ group: "family:service:x", startedBy: "x-ecs-svc/1" })).toBe(false);
    expect(isServiceTask({})).toBe(false);
  });
});

describe("ECS errors: what is retried and what is final", () => {
  it.each([
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
  ])("%s alone (a 400 with no other sign) is throttling", (name) => {
    const err = Object.assign(new Error("slow down"), { name, $fault: "client", $metadata: { httpStatusCode: 400 } });
    expect(isThrottlingError(err)).toBe(true);
    expect(classifyEcsError(err)).toEqual({ outcome: "throttled", message: `${name}: slow down` });
  });

  it("throttling by the SDK's $retryable flag or by HTTP 429 alone; a quota is not throttling", () => {
    expect(isThrottlingError({ name: "X", $retryable: { throttling: true } })).toBe(true);
    expect(isThrottlingError({ name: "X", $retryable: { throttling: false } })).toBe(false);
    expect(isThrottlingError({ name: "X", $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottlingError({ name: "LimitExceededException", $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isThrottlingError(null)).toBe(false);
    expect(isThrottlingError("ThrottlingException")).toBe(false);
  });

  it("a server fault without a 5xx status, a ServerException, and any 5xx are retried later", () => {
    expect(classifyEcsError({ name: "InternalFailure", message: "oops", $fault: "server", $metadata: { httpStatusCode: 400 } })).toEqual({ outcome: "server", message: "InternalFailure: oops" });
    expect(classifyEcsError({ name: "ServerException", message: "m", $fault: "client", $metadata: { httpStatusCode: 400 } }).outcome).toBe("server");
    expect(classifyEcsError({ name: "Weird", message: "m", $fault: "client", $metadata: { httpStatusCode: 500 } }).outcome).toBe("server");
    expect(classifyEcsError({ name: "Weird", message: "m", $fault: "client", $metadata: { httpStatusCode: 503 } }).outcome).toBe("server");
    expect(classifyEcsError({ name: "Weird", message: "m", $fault: "client", $metadata: { httpStatusCode: 499 } }).outcome).toBe("gave_up");
  });

  it("no HTTP answer at all (a network error) is retried; a client fault without a status is final", () => {
    expect(classifyEcsError(Object.assign(new Error("socket hang up"), { name: "TimeoutError" }))).toEqual({ outcome: "server", message: "TimeoutError: socket hang up" });
    expect(classifyEcsError({ name: "ClientException", message: "bad", $fault: "client" })).toEqual({ outcome: "gave_up", message: "ClientException: bad" });
    expect(classifyEcsError({ name: "AccessDeniedException", message: "no", $metadata: { httpStatusCode: 403 } })).toEqual({ outcome: "gave_up", message: "AccessDeniedException: no" });
    expect(classifyEcsError({ name: "X", message: "m", $metadata: { httpStatusCode: "500" } }).outcome).toBe("server");
  });

  it("names a thing thrown that is no error", () => {
    expect(classifyEcsError("boom")).toEqual({ outcome: "server", message: "Error: boom" });
    expect(classifyEcsError({ name: 5, message: 7, $fault: "client" })).toEqual({ outcome: "gave_up", message: "Error: [object Object]" });
  });
});

describe("invocation: every guard of the rerun payload", () => {
  const failure = (): Record<string, any> => JSON.parse(JSON.stringify(parseLaunchEvent(agentEvent())));
  const rerun = (f: unknown, attempt: unknown = 1): unknown => parseInvocation({ action: "rerun", executionArn: "arn:x", attempt, failure: f });
  const refused = (f: unknown, message: string, attempt: unknown = 1): void => {
    expect(() => rerun(f, attempt)).toThrow(InvalidEventError);
    expect(() => rerun(f, attempt)).toThrow(message);
  };

  it("accepts the failure classify made", () => {
    expect(rerun(failure())).toEqual(expect.objectContaining({ action: "rerun", attempt: 1, executionArn: "arn:x" }));
  });

  it.each(["eventId", "cluster", "clusterName", "taskDefinition", "region", "account"])("refuses a failure whose %s is empty", (key) => {
    refused({ ...failure(), [key]: "" }, `failure.${key}: missing or empty`);
  });

  it("refuses each malformed member by name", () => {
    refused(null, "failure: missing or not an object");
    refused({ ...failure(), action: "CreateService" }, 'failure.action: expected "RunTask" or "StartTask", got "CreateService"');
    refused({ ...failure(), request: "x" }, "failure.request: missing or not an object");
    refused({ ...failure(), request: { cluster: "c" } }, "failure.request.taskDefinition: missing or empty");
    for (const key of ["requested", "placed", "remaining"]) {
      refused({ ...failure(), [key]: -1 }, `failure.${key}: expected an integer >= 0`);
      refused({ ...failure(), [key]: 1.5 }, `failure.${key}: expected an integer >= 0`);
      refused({ ...failure(), [key]: "1" }, `failure.${key}: expected an integer >= 0`);
    }
    for (const key of ["reasons", "taskArns"]) refused({ ...failure(), [key]: [1] }, `failure.${key}: expected an array of strings`);
    refused({ ...failure(), failures: {} }, "failure.failures: expected an array");
    refused({ ...failure(), source: "s3" }, 'failure.source: expected one of "cloudtrail", "task-state-change", got "s3"');
    refused({ ...failure(), failureType: "x" }, 'failure.failureType: expected one of "rejected", "failed_to_start", "program_failed", got "x"');
    refused({ ...failure(), reasonKind: "x" }, 'failure.reasonKind: expected one of "launch", "stopped", "program", got "x"');
    refused({ ...failure(), attemptsLaunched: -1 }, "failure.attemptsLaunched: expected an integer >= 0");
    refused({ ...failure(), unconfirmedTaskArns: "arn" }, "failure.unconfirmedTaskArns: expected an array of strings");
    refused({ ...failure(), unconfirmedTaskArns: ["arn:t"] }, "failure.verifyDeadline: expected an ISO time while unconfirmedTaskArns is not empty");
    refused({ ...failure(), unconfirmedTaskArns: ["arn:t"], verifyDeadline: "soon" }, "failure.verifyDeadline: expected an ISO time");
  });

  it("a StartTask failure needs its pending container instances", () => {
    const start = JSON.parse(JSON.stringify(parseLaunchEvent(loadFixture(STARTTASK_PARTIAL))));
    expect(rerun(start)).toEqual(expect.objectContaining({ action: "rerun" }));
    refused({ ...start, pendingContainerInstances: undefined }, "failure.pendingContainerInstances: expected an array of strings (StartTask)");
    expect(rerun({ ...failure(), pendingContainerInstances: undefined })).toEqual(expect.objectContaining({ action: "rerun" }));
  });

  it("fills the members an older execution lacks with their old meaning", () => {
    const old = failure();
    for (const key of ["source", "failureType", "reasonKind", "attemptsLaunched", "unconfirmedTaskArns"]) delete old[key];
    const parsed = validateLaunchFailure(old, "failure", 3);
    expect([parsed.source, parsed.failureType, parsed.reasonKind, parsed.attemptsLaunched, parsed.unconfirmedTaskArns]).toEqual(["cloudtrail", "rejected", "launch", 2, []]);
    expect(validateLaunchFailure(old).attemptsLaunched).toBe(0);
    expect(validateLaunchFailure({ ...old, unconfirmedTaskArns: ["t"], verifyDeadline: "2026-01-01T00:00:00Z" }).unconfirmedTaskArns).toEqual(["t"]);
  });

  it("refuses a bad envelope by name", () => {
    const bad = (payload: unknown, message: string): void => expect(() => parseInvocation(payload)).toThrow(message);
    bad(null, "payload: expected an object with an action");
    bad({ action: "classify", executionArn: "" }, "executionArn: missing or empty");
    bad({ action: "classify", executionArn: "arn:x" }, "event: missing");
    bad({ action: "verify", executionArn: "arn:x" }, 'action: expected "classify" or "rerun", got "verify"');
    for (const attempt of [0, 1.5, "1", undefined]) bad({ action: "rerun", executionArn: "arn:x", attempt, failure: failure() }, "attempt: expected an integer >= 1");
    expect(parseInvocation({ action: "classify", executionArn: "arn:x", event: { a: 1 } })).toEqual({ action: "classify", event: { a: 1 }, executionArn: "arn:x" });
  });
});

describe("CloudTrail event: what a launch record must look like", () => {
  const event = (patch: (detail: Record<string, any>, envelope: Record<string, any>) => void): Record<string, any> => {
    const e = agentEvent();
    patch(e.detail, e);
    return e;
  };
  const refused = (e: unknown, message: string): void => expect(() => parseLaunchEvent(e)).toThrow(message);

  it("takes a record of ECS only, of major version 1", () => {
    refused(event((d) => (d.eventSource = "ec2.amazonaws.com")), 'detail.eventSource: expected "ecs.amazonaws.com", got "ec2.amazonaws.com"');
    expect(parseLaunchEvent(event((d) => delete d.eventSource)).eventId).toBe(agentEvent().detail.eventID);
    for (const v of ["2.0", "1.", "x1.08", "1.08x", 1.08]) refused(event((d) => (d.eventVersion = v)), "detail.eventVersion: expected major version 1");
    for (const v of ["1", "1.08", "1.10.2"]) expect(parseLaunchEvent(event((d) => (d.eventVersion = v))).action).toBe("RunTask");
  });

  it("refuses a malformed envelope and record by name", () => {
    refused("x", "event: expected an EventBridge envelope object");
    refused(event((_d, e) => (e["detail-type"] = "ECS Task State Change")), 'detail-type: expected "AWS API Call via CloudTrail", got "ECS Task State Change"');
    refused(event((_d, e) => (e.detail = [])), "detail: missing or not an object");
    refused(event((d) => (d.eventName = "StopTask")), 'detail.eventName: expected "RunTask" or "StartTask", got "StopTask"');
    refused(event((d) => (d.eventID = "")), "detail.eventID: missing or empty");
    refused(event((d) => (d.requestParameters = null)), "detail.requestParameters: missing or not an object");
    refused(event((d) => (d.requestParameters.taskDefinition = "")), "detail.requestParameters.taskDefinition: missing or empty");
    refused(event((d) => delete d.responseElements), "detail.responseElements: missing or not an object");
    refused(event((d) => ((d.responseElements = null), (d.errorCode = "AccessDenied"))), "detail.responseElements: missing or not an object (the call failed with errorCode AccessDenied)");
    refused(event((d) => (d.responseElements.tasks = { arn: "x" })), "detail.responseElements.tasks: not an array");
    refused(event((d) => (d.responseElements.failures = "AGENT")), "detail.responseElements.failures: not an array");
    refused(event((d) => (d.requestParameters.cluster = "")), "detail.requestParameters.cluster: not a non-empty string");
    for (const count of [0, 1.5, "2"]) refused(event((d) => (d.requestParameters.count = count)), "detail.requestParameters.count: expected a positive integer");
    refused(event((d, e) => ((d.awsRegion = ""), delete e.region)), "detail.awsRegion: missing (and no envelope region)");
    refused(event((d, e) => ((d.recipientAccountId = ""), delete e.account)), "detail.recipientAccountId: missing (and no envelope account)");
  });

  it("null tasks and failures are empty; a missing cluster is default; the envelope fills a missing region, account and time", () => {
    const parsed = parseLaunchEvent(
      event((d, e) => {
        d.responseElements.tasks = null;
        d.requestParameters.cluster = null;
        delete d.awsRegion;
        delete d.recipientAccountId;
        delete d.eventTime;
        delete d.requestParameters.count;
        e.region = "us-west-2";
        e.account = "999988887777";
        e.time = "2026-02-03T04:05:06Z";
      }),
    );
    expect([parsed.cluster, parsed.clusterName, parsed.region, parsed.account, parsed.eventTime, parsed.requested]).toEqual(["default", "default", "us-west-2", "999988887777", "2026-02-03T04:05:06Z", 1]);
    expect(parseLaunchEvent(event((d, e) => (delete d.eventTime, delete e.time))).eventTime).toBe("");
    expect(parseLaunchEvent(event((d) => (d.responseElements.failures = null))).remaining).toBe(1);
  });

  it("a StartTask needs a non-empty list of container instance strings", () => {
    const start = loadFixture(STARTTASK_PARTIAL);
    for (const bad of [undefined, [], ["a", ""], "ci"]) {
      const e = JSON.parse(JSON.stringify(start));
      e.detail.requestParameters.containerInstances = bad;
      refused(e, "detail.requestParameters.containerInstances: expected a non-empty array of strings (StartTask)");
    }
  });
});
