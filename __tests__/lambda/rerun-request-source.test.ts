/**
 * The rerun Lambda replays the right job: the schedule's own request first, CloudTrail only when
 * nothing in it is hidden, a task record only when it can be faithful, and otherwise nothing is
 * launched and a human gets what could be recovered.
 */
import { ListRuleNamesByTargetCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { ECSServiceException, RunTaskCommand } from "@aws-sdk/client-ecs";
import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { HIDDEN } from "../../lambda/rerun/core/failure/request-source";
import { makeHandler } from "../../lambda/rerun/handler";
import type { EventsSender, SchedulerSender } from "../../lambda/rerun/schedule-access";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { ecsStub } from "./ecs-stub";
import { agentEvent, captureLogs, taskEvent } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:c0ffee";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2";
const TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12";
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

/** The shipped AGENT failure, its environment override hidden as CloudTrail records it today. */
function hiddenEnvironmentEvent() {
  const event = agentEvent();
  event.detail.requestParameters.overrides.containerOverrides[0].environment = HIDDEN;
  return event;
}

/** The rule's target as ListTargetsByRule returns it, holding the real environment. */
const TARGET = {
  Id: "nightly-report",
  Arn: CLUSTER,
  RoleArn: "arn:aws:iam::123456789012:role/batch-ec2-nightly-report-events",
  Input: JSON.stringify({ containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"], environment: [{ name: "REPORT_DATE", value: "yesterday" }] }] }),
  EcsParameters: { TaskDefinitionArn: TD, TaskCount: 1, LaunchType: "EC2" },
};

function eventsStub(rules: Record<string, unknown[]>, errors: Error[] = []): EventsSender & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    send: (async (command: ListTargetsByRuleCommand | ListRuleNamesByTargetCommand) => {
      const error = errors.shift();
      if (error) throw error;
      if (command instanceof ListRuleNamesByTargetCommand) {
        calls.push(`ListRuleNamesByTarget ${command.input.TargetArn}`);
        return { RuleNames: Object.keys(rules), $metadata: {} };
      }
      calls.push(`ListTargetsByRule ${command.input.Rule}`);
      const targets = rules[command.input.Rule as string];
      if (!targets) throw Object.assign(new Error("Rule does not exist"), { name: "ResourceNotFoundException", $fault: "client", $metadata: { httpStatusCode: 400 } });
      return { Targets: targets, $metadata: {} };
    }) as EventsSender["send"],
  };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("the original request's source of truth", () => {
  test("hidden overrides and no schedule: nothing launched, a needs-human notice naming what is hidden, with a ready command", async () => {
    const stub = ecsStub();
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: hiddenEnvironmentEvent(), executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "needs_human", retryable: false });
    expect(out.notice).toMatchObject({
      kind: "needs_human",
      requestSource: "cloudtrail",
      missing: ["overrides.containerOverrides[app].environment (hidden by CloudTrail)"],
      runTaskCommand: expect.stringMatching(/^aws ecs run-task --cluster arn:aws:ecs:ap-northeast-1:123456789012:cluster\/batch-ec2 --task-definition \S+nightly-report:12 --count 1 --launch-type EC2 --started-by events-rule\/nightly-report-batch --overrides '\{"containerOverrides":\[\{"name":"app","command":\["bin\/rails","report:nightly"\]\}\]\}'/),
    });
    expect(out.notice.runTaskCommand).not.toContain(HIDDEN);
    expect(stub.commands).toHaveLength(0);
  });

  test("hidden overrides, but the rule that launched it holds them: the rerun replays the rule's request", async () => {
    const events = eventsStub({ "nightly-report-batch": [TARGET] });
    const handler = makeHandler(CONFIG, { ecs: ecsStub().ecs, events });
    const classified = await handler({ action: "classify", event: hiddenEnvironmentEvent(), executionArn: EXECUTION_ARN });
    expect(classified.decision.next).toBe("retry");
    expect(classified.notice).toMatchObject({ kind: "detected", requestSource: "schedule (rule nightly-report-batch)" });
    expect(events.calls).toEqual(["ListTargetsByRule nightly-report-batch"]);

    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: `${CLUSTER.replace(":cluster/", ":task/")}/r1` }], failures: [] }] });
    await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "rerun", failure: viaStateMachine(classified), attempt: 1, executionArn: EXECUTION_ARN });
    const [launch] = stub.launches();
    expect(launch).toBeInstanceOf(RunTaskCommand);
    expect(launch.input).toMatchObject({
      cluster: CLUSTER,
      taskDefinition: TD,
      launchType: "EC2",
      startedBy: "events-rule/nightly-report-batch",
      overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"], environment: [{ name: "REPORT_DATE", value: "yesterday" }] }] },
    });
    expect(JSON.stringify(launch.input)).not.toContain(HIDDEN);
  });

  test("a startedBy cut at 36 characters: the rules targeting the cluster are listed and matched by prefix and task definition", async () => {
    const event = hiddenEnvironmentEvent();
    event.detail.requestParameters.startedBy = "events-rule/nightly-report-batch-lon"; // 36 characters, cut
    const events = eventsStub({ "nightly-report-batch-long-name": [TARGET], "another-rule": [{ ...TARGET, EcsParameters: { TaskDefinitionArn: "weekly:1" } }] });
    const out = await makeHandler(CONFIG, { ecs: ecsStub().ecs, events })({ action: "classify", event, executionArn: EXECUTION_ARN });
    expect(events.calls).toEqual([`ListRuleNamesByTarget ${CLUSTER}`, "ListTargetsByRule nightly-report-batch-long-name"]);
    expect(out.notice.requestSource).toBe("schedule (rule nightly-report-batch-long-name)");
  });

  test("a schedule that cannot be read for now: tried again later, nothing launched or announced meanwhile", async () => {
    const throttled = new ECSServiceException({ name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });
    const events = eventsStub({ "nightly-report-batch": [TARGET] }, [throttled]);
    const handler = makeHandler(CONFIG, { ecs: ecsStub().ecs, events });
    const out = await handler({ action: "classify", event: hiddenEnvironmentEvent(), executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "later", nextAttempt: 1 });
    const resumed = await handler({ action: "rerun", failure: viaStateMachine(out), attempt: 1, executionArn: EXECUTION_ARN });
    expect(resumed.decision.next).toBe("retry");
    expect(resumed.notice).toMatchObject({ kind: "detected", requestSource: "schedule (rule nightly-report-batch)" });
  });

  test("a task an EventBridge Scheduler schedule launched: found by ListSchedules in any group, its GetSchedule target holds the request", async () => {
    const event = hiddenEnvironmentEvent();
    event.detail.requestParameters.startedBy = "chronos-schedule/nightly-report";
    const asked: unknown[] = [];
    const scheduler = {
      send: async (command: { input: unknown }) => {
        asked.push(command.input);
        if (command instanceof ListSchedulesCommand) return { Schedules: [{ Name: "nightly-report", GroupName: "default" }], $metadata: {} };
        return { Name: "nightly-report", GroupName: "default", Target: { ...TARGET, Id: undefined }, $metadata: {} };
      },
    } as unknown as SchedulerSender;
    const out = await makeHandler(CONFIG, { ecs: ecsStub().ecs, scheduler })({ action: "classify", event, executionArn: EXECUTION_ARN });
    expect(asked).toEqual([{ NamePrefix: "nightly-report" }, { Name: "nightly-report", GroupName: "default" }]);
    expect(out.notice).toMatchObject({ kind: "detected", requestSource: "schedule (schedule default/nightly-report)" });
    expect(out.failure.request).toMatchObject({ startedBy: "chronos-schedule/nightly-report", overrides: { containerOverrides: [expect.objectContaining({ environment: [{ name: "REPORT_DATE", value: "yesterday" }] })] } });
  });

  test("a deleted rule falls back to CloudTrail, which is used when nothing in it is hidden", async () => {
    const events = eventsStub({});
    const out = await makeHandler(CONFIG, { ecs: ecsStub().ecs, events })({ action: "classify", event: agentEvent(), executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("retry");
    expect(out.notice.requestSource).toBe("cloudtrail");
  });

  test("an awsvpc task's record cannot say its security groups or public IP: needs a human unless a schedule holds the request", async () => {
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: taskEvent("resourceMemory"), executionArn: EXECUTION_ARN });
    expect(out.notice).toMatchObject({
      kind: "needs_human",
      requestSource: "task-record",
      missing: ["networkConfiguration.securityGroups (not in the task record)", "networkConfiguration.assignPublicIp (not in the task record)"],
    });
    expect(stub.launches()).toHaveLength(0);
  });

  test("a failure that will not be relaunched is told as it is, without reading any schedule", async () => {
    const events = eventsStub({});
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs, events })({ action: "classify", event: taskEvent("pullNotFound"), executionArn: EXECUTION_ARN });
    expect(out.notice.kind).toBe("not_retryable");
    expect(events.calls).toEqual([]);
  });
});
