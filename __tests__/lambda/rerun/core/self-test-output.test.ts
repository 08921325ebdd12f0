// The rerun core's answer to a self-test (lambda/rerun/core/notices/self-test.ts), pinned with literal values
// (issue 23): no unit test reached it before; only the drill and the self-test CLI did.
import { selfTestOutput } from "../../../../lambda/rerun/core/notices/self-test";
import { selfTestEvent } from "../../../../lambda/shared/self-test";

const EXEC = "arn:aws:states:eu-west-1:111122223333:execution:ecs-rerun:self-test-abc";
const MESSAGE = "Self-test: the starter, the state machine, the rerun Lambda, the notices topic and this notifier all work. Nothing was launched.";

describe("the self-test's output", () => {
  it("names the pipeline's place from the execution ARN, never launches, and ends in one self_test notice", () => {
    const event = selfTestEvent({ id: "abc", time: new Date("2026-03-01T00:00:00Z"), region: "us-east-1", account: "999988887777", sentBy: " npm run self-test " });
    const out = selfTestOutput(event, EXEC, 4);
    expect(out.failure).toEqual({
      source: "self-test",
      failureType: "rejected",
      eventId: "abc",
      action: "RunTask",
      region: "eu-west-1",
      account: "111122223333",
      cluster: "ecs-rerun-self-test",
      clusterName: "ecs-rerun-self-test",
      taskDefinition: "ecs-rerun-self-test",
      eventTime: "2026-03-01T00:00:00.000Z",
      request: { taskDefinition: "ecs-rerun-self-test" },
      requested: 0,
      placed: 0,
      remaining: 0,
      reasons: [],
      reasonKind: "launch",
      failures: [],
      taskArns: [],
      attemptsLaunched: 0,
      unconfirmedTaskArns: [],
    });
    expect(out.decision).toEqual({ next: "self_test", attempt: 0, nextAttempt: 0, maxAttempts: 4, delaySeconds: 0, retryable: false, message: MESSAGE });
    const notice = {
      kind: "self_test",
      source: "self-test",
      failureType: "rejected",
      cluster: "ecs-rerun-self-test",
      clusterName: "ecs-rerun-self-test",
      taskDefinition: "ecs-rerun-self-test",
      action: "RunTask",
      reasons: [],
      attempt: 0,
      maxAttempts: 4,
      requested: 0,
      placed: 0,
      remaining: 0,
      message: MESSAGE,
      eventId: "abc",
      executionArn: EXEC,
      region: "eu-west-1",
      account: "111122223333",
      eventTime: "2026-03-01T00:00:00.000Z",
      taskArns: [],
      sentBy: "npm run self-test",
    };
    expect(out.notice).toEqual(notice);
    expect(JSON.parse(out.noticeMessage)).toEqual(notice);
  });

  it("falls back to the event's place, then to unknown, when the ARN names none", () => {
    const event = selfTestEvent({ id: "abc", time: new Date(0), region: " us-east-1 ", account: "999988887777", sentBy: "x" });
    for (const arn of ["not-an-arn", "arn:aws:lambda:eu-west-1:111122223333:function:f:x:y", "arn:aws:states:eu-west-1:111122223333:execution:m", "xarn:aws:states:eu-west-1:111122223333:execution:m:n"]) {
      const out = selfTestOutput(event, arn, 3);
      expect([out.failure.region, out.failure.account]).toEqual(["us-east-1", "999988887777"]);
    }
    const bare = selfTestOutput({ ...event, region: "", account: "  ", id: "", time: "", detail: {} } as never, "x", 3);
    expect([bare.failure.region, bare.failure.account, bare.failure.eventId, bare.failure.eventTime, "sentBy" in bare.notice]).toEqual(["unknown", "unknown", "self-test", "1970-01-01T00:00:00.000Z", false]);
    const odd = selfTestOutput({ ...event, region: 5, account: null, id: 7, detail: undefined } as never, "x", 3);
    expect([odd.failure.region, odd.failure.account, odd.failure.eventId, "sentBy" in odd.notice]).toEqual(["unknown", "unknown", "self-test", false]);
  });

  it("cuts the sender's words to their limits", () => {
    const event = selfTestEvent({ id: "i".repeat(200), time: new Date(0), region: "r".repeat(40), account: "1".repeat(20), sentBy: "s".repeat(300) });
    const out = selfTestOutput({ ...event, time: "t".repeat(50) } as never, "x", 3);
    expect([out.failure.eventId, out.failure.region, out.failure.account, out.failure.eventTime, out.notice.sentBy]).toEqual(["i".repeat(128), "r".repeat(32), "1".repeat(12), "t".repeat(40), "s".repeat(200)]);
  });
});
