/**
 * Notices say only what is true (issue 20, item 5): a not-retryable notice reruns nothing, so it
 * names nothing "not carried over to the rerun" and gives the ready command a human needs; a
 * recovered task-state failure says its stop code and stopped reason, not "reasons: none"; and an
 * event of another account or region is refused by a pipeline that is no hub, never relaunched
 * here against a cluster of the same name. Judged on the Slack payload and on what ECS received.
 */
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { HIDDEN } from "../../lambda/rerun/core/failure/request-source";
import { makeHandler } from "../../lambda/rerun/handler";
import { formatSlackMessage } from "../../lambda/notifier/format";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { ecsStub } from "./ecs-stub";
import { agentEvent, bridgeTaskEvent, captureLogs } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:c0ffee";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
/** The pipeline's own function: account 123456789012, ap-northeast-1 (the shipped events' place). */
const CONTEXT = { invokedFunctionArn: "arn:aws:lambda:ap-northeast-1:123456789012:function:ecs-rerun-rerun" };
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));
/** What Slack shows: every block's text and the plain fallback. */
const slack = (out: RerunLambdaOutput) => {
  const m = formatSlackMessage(out.noticeMessage, { region: "ap-northeast-1" });
  return { text: m.text, shown: JSON.stringify(m.blocks) };
};

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("a not-retryable notice", () => {
  test("of a task that failed to start: nothing 'not carried over to the rerun', and a ready command naming what it lacks", async () => {
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: bridgeTaskEvent("pullNotFound"), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.notice.kind).toBe("not_retryable");
    const { shown } = slack(out);
    expect(shown).not.toContain("Not carried over to the rerun");
    expect(shown).toContain("To launch it by hand");
    expect(shown).toMatch(/aws ecs run-task --cluster \S+ --task-definition \S+ --count 1/);
    expect(shown).toContain("tags (not in the task record)");
    expect(stub.launches()).toHaveLength(0);
  });

  test("of a rejected launch whose environment CloudTrail hid: the command leaves it out and says so", async () => {
    const event = agentEvent();
    event.detail.responseElements.failures[0].reason = "ATTRIBUTE";
    event.detail.requestParameters.overrides.containerOverrides[0].environment = HIDDEN;
    const out = await makeHandler(CONFIG, { ecs: ecsStub().ecs })({ action: "classify", event, executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.notice).toMatchObject({ kind: "not_retryable", missing: ["overrides.containerOverrides[app].environment (hidden by CloudTrail)"] });
    expect(out.notice.runTaskCommand).toMatch(/^aws ecs run-task --cluster /);
    expect(out.notice.runTaskCommand).not.toContain(HIDDEN);
    expect(slack(out).shown).toContain("Left out of the command below");
  });

  test("a rerun's notice still names what the task record could not carry over", async () => {
    const out = await makeHandler(CONFIG, { ecs: ecsStub({ describeTasks: [{ tasks: [] }] }).ecs })({ action: "classify", event: bridgeTaskEvent("pullTimeout"), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.decision.next).toBe("retry");
    expect(slack(out).shown).toContain("Not carried over to the rerun");
  });
});

describe("a recovered notice of a task that failed to start", () => {
  test("says the stop code and stopped reason, not 'reasons: none'", async () => {
    const classified = await makeHandler(CONFIG, { ecs: ecsStub({ describeTasks: [{ tasks: [] }] }).ecs })({ action: "classify", event: bridgeTaskEvent("resourceMemory"), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(classified.decision.next).toBe("retry");
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/r1" }], failures: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "rerun", failure: viaStateMachine(classified), attempt: 1, executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.notice.kind).toBe("recovered");
    const { text, shown } = slack(out);
    expect(text).not.toMatch(/reasons: none/i);
    expect(shown).not.toMatch(/Reasons\*\\nnone/);
    expect(text).toContain("stop code: TaskFailedToStart");
    expect(text).toContain(`stopped reason: ${bridgeTaskEvent("resourceMemory").detail.stoppedReason}`);
  });
});

describe("an event of another account or region, its cluster protected by short name", () => {
  /** The shipped AGENT failure as another account's, its cluster written by name only. */
  function foreign(account: string, region: string) {
    const event = agentEvent();
    event.account = account;
    event.region = region;
    event.detail.recipientAccountId = account;
    event.detail.awsRegion = region;
    event.detail.requestParameters.cluster = "batch-ec2";
    return event;
  }

  test.each([
    ["another account", "444455556666", "ap-northeast-1"],
    ["another region", "123456789012", "eu-west-1"],
  ])("%s: refused with a notice by a pipeline that is no hub, nothing launched", async (_what, account, region) => {
    const stub = ecsStub();
    const handler = makeHandler(CONFIG, { ecs: stub.ecs });
    const out = await handler({ action: "classify", event: foreign(account, region), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.decision.next).toBe("needs_human");
    expect(out.notice.message).toContain(`account ${account} region ${region} is not this pipeline's own (123456789012/ap-northeast-1)`);
    // The state machine would stop here; a rerun invocation is refused the same way.
    const again = await handler({ action: "rerun", failure: { ...viaStateMachine(out), unrecoverable: undefined } as LaunchFailure, attempt: 1, executionArn: EXECUTION_ARN }, CONTEXT);
    expect(again.decision.next).toBe("needs_human");
    expect(stub.launches()).toHaveLength(0);
  });

  test("its own account and region: relaunched as before", async () => {
    const out = await makeHandler(CONFIG, { ecs: ecsStub().ecs })({ action: "classify", event: foreign("123456789012", "ap-northeast-1"), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.decision.next).toBe("retry");
  });
});
