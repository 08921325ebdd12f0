/**
 * The schedule that launched a task is found wherever it lives: a Scheduler schedule in any group,
 * a rule named in full by a startedBy longer than ECS's 36-character cut, and names on any page of
 * a listing. The reads go to the drill's local EventBridge and Scheduler, which answer as the real
 * APIs do (GetSchedule without GroupName reads only `default`; listings page with NextToken).
 */
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { ApiError } from "../../drill/local-aws/protocol";
import { LocalEventRules, LocalScheduler, type ScheduleRecord, type ScheduleStore } from "../../drill/local-aws/schedules";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { HIDDEN } from "../../lambda/rerun/core/failure/request-source";
import { makeHandler } from "../../lambda/rerun/handler";
const MAX_CANDIDATES = 20; // schedule-access.ts MAX_CANDIDATES, written out so the test also runs against code without it
import type { EventsSender, SchedulerSender } from "../../lambda/rerun/schedule-access";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { ecsStub } from "./ecs-stub";
import { agentEvent, captureLogs } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:c0ffee";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2";
const TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12";
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));
const ENVIRONMENT = [{ name: "REPORT_DATE", value: "yesterday" }];

/** A target launching the nightly report on the cluster; `environment` tells which schedule it came from. */
const target = (environment = ENVIRONMENT, taskDefinition = TD) => ({
  Arn: CLUSTER,
  RoleArn: "arn:aws:iam::123456789012:role/launcher",
  Input: JSON.stringify({ containerOverrides: [{ name: "app", environment }] }),
  EcsParameters: { TaskDefinitionArn: taskDefinition, TaskCount: 1, LaunchType: "EC2" },
});

/** The shipped AGENT failure, its environment hidden by CloudTrail, started by `startedBy`. */
function hiddenEvent(startedBy: string) {
  const event = agentEvent();
  event.detail.requestParameters.overrides.containerOverrides[0].environment = HIDDEN;
  event.detail.requestParameters.startedBy = startedBy;
  return event;
}

/** An AWS SDK client's `send` answered by a local service, with its errors as the SDK throws them. */
function localSender(service: LocalEventRules | LocalScheduler, calls: string[]) {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, "");
      calls.push(`${op} ${JSON.stringify(command.input)}`);
      try {
        return { ...service.answer(op, command.input).body, $metadata: {} };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        throw Object.assign(new Error(err.message), { name: err.code, $fault: "client", $metadata: { httpStatusCode: err.status } });
      }
    },
  };
}

function world(store: ScheduleStore) {
  const calls: string[] = [];
  const events = localSender(new LocalEventRules(() => store), calls) as unknown as EventsSender;
  const scheduler = localSender(new LocalScheduler(() => store), calls) as unknown as SchedulerSender;
  return { calls, events, scheduler };
}

/** Classifies `event` with the world's EventBridge and Scheduler, then reruns it; the launch ECS received. */
async function classifyAndRerun(event: unknown, w: ReturnType<typeof world>) {
  const classified = await makeHandler(CONFIG, { ecs: ecsStub().ecs, events: w.events, scheduler: w.scheduler })({ action: "classify", event, executionArn: EXECUTION_ARN });
  const stub = ecsStub({ launch: [{ tasks: [{ taskArn: `${CLUSTER.replace(":cluster/", ":task/")}/r1` }], failures: [] }] });
  if (classified.decision.next !== "retry") return { classified, launch: undefined };
  await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "rerun", failure: viaStateMachine(classified), attempt: 1, executionArn: EXECUTION_ARN });
  const [launch] = stub.launches();
  expect(launch).toBeInstanceOf(RunTaskCommand);
  return { classified, launch: launch.input as Record<string, any> };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("a Scheduler schedule in any group", () => {
  const inGroup = (GroupName: string | undefined, environment = ENVIRONMENT): ScheduleRecord => ({ Name: "nightly-report", ...(GroupName ? { GroupName } : {}), Target: target(environment) });

  test("a schedule in the group batch-jobs is found and read with its group", async () => {
    const w = world({ rules: {}, schedules: [inGroup("batch-jobs")] });
    const { classified, launch } = await classifyAndRerun(hiddenEvent("chronos-schedule/nightly-report"), w);
    expect(classified.notice).toMatchObject({ kind: "detected", requestSource: "schedule (schedule batch-jobs/nightly-report)" });
    expect(launch).toMatchObject({ startedBy: "chronos-schedule/nightly-report", overrides: { containerOverrides: [{ name: "app", environment: ENVIRONMENT }] } });
    expect(w.calls).toContain('GetSchedule {"Name":"nightly-report","GroupName":"batch-jobs"}');
  });

  test("a schedule whose name only starts with the one named is not it", async () => {
    const w = world({ rules: {}, schedules: [{ ...inGroup("batch-jobs"), Name: "nightly-report-v2" }] });
    const { classified } = await classifyAndRerun(hiddenEvent("chronos-schedule/nightly-report"), w);
    expect(classified.notice).toMatchObject({ kind: "needs_human", requestSource: "cloudtrail" });
  });

  test("the same name in two groups, both launching this job: which one failed is unknown, so neither is trusted", async () => {
    const w = world({ rules: {}, schedules: [inGroup(undefined), inGroup("batch-jobs", [{ name: "REPORT_DATE", value: "today" }])] });
    const { classified } = await classifyAndRerun(hiddenEvent("chronos-schedule/nightly-report"), w);
    expect(classified.notice).toMatchObject({ kind: "needs_human", requestSource: "cloudtrail" });
  });

  test("the same name in two groups, only one launching this task definition: that one", async () => {
    const other: ScheduleRecord = { Name: "nightly-report", GroupName: "team-b", Target: target([{ name: "REPORT_DATE", value: "today" }], "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/weekly:1") };
    const w = world({ rules: {}, schedules: [other, inGroup("batch-jobs")] });
    const { launch } = await classifyAndRerun(hiddenEvent("chronos-schedule/nightly-report"), w);
    expect(launch?.overrides).toEqual({ containerOverrides: [{ name: "app", environment: ENVIRONMENT }] });
  });
});

describe("a startedBy longer than 36 characters names its rule in full", () => {
  const name = "nightly-report-batch-for-the-eu-warehous"; // 40 characters
  const sibling = `${name.slice(0, 36)}-old`; // shares its first 36 characters
  const extended = `${name}-v2`; // starts with the whole name

  test("the named rule is read directly and recovers, whatever its siblings hold", async () => {
    expect(name).toHaveLength(40);
    const w = world({ rules: { [name]: [target()], [sibling]: [target([{ name: "REPORT_DATE", value: "1999-12-31" }])], [extended]: [target([{ name: "REPORT_DATE", value: "today" }])] }, schedules: [] });
    const { classified, launch } = await classifyAndRerun(hiddenEvent(`events-rule/${name}`), w);
    expect(classified.notice).toMatchObject({ kind: "detected", requestSource: `schedule (rule ${name})` });
    expect(launch?.overrides).toEqual({ containerOverrides: [{ name: "app", environment: ENVIRONMENT }] });
    expect(w.calls).toEqual([`ListTargetsByRule {"Rule":"${name}"}`]);
  });
});

describe("listings are followed past their first page", () => {
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`other-job-${String(i).padStart(3, "0")}`, [target([], `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other-${i}:1`)]]));

  test("a cut rule name whose rule is on the third page of ListRuleNamesByTarget", async () => {
    const cut = "events-rule/zz-nightly-report-batch-"; // 36 characters: a cut
    expect(cut).toHaveLength(36);
    const w = world({ rules: { ...many(5), "zz-nightly-report-batch-long-name": [target()] }, schedules: [], pageSize: 2 });
    const { classified, launch } = await classifyAndRerun(hiddenEvent(cut), w);
    expect(classified.notice).toMatchObject({ kind: "detected", requestSource: "schedule (rule zz-nightly-report-batch-long-name)" });
    expect(launch?.overrides).toEqual({ containerOverrides: [{ name: "app", environment: ENVIRONMENT }] });
    expect(w.calls.filter((c) => c.startsWith("ListRuleNamesByTarget"))).toHaveLength(3);
  });

  test("a schedule on the second page of ListSchedules", async () => {
    const others: ScheduleRecord[] = ["a", "b", "c"].map((g) => ({ Name: "nightly-report", GroupName: `team-${g}`, Target: target([], `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other-${g}:1`) }));
    const w = world({ rules: {}, schedules: [...others, { Name: "nightly-report", GroupName: "batch-jobs", Target: target() }], pageSize: 3 });
    const { classified } = await classifyAndRerun(hiddenEvent("chronos-schedule/nightly-report"), w);
    expect(classified.notice).toMatchObject({ kind: "detected", requestSource: "schedule (schedule batch-jobs/nightly-report)" });
  });

  test(`more than ${MAX_CANDIDATES} candidates after filtering: none is trusted, even one that matches`, async () => {
    const cut = "events-rule/zz-nightly-report-batch-";
    const alike = Object.fromEntries(Array.from({ length: MAX_CANDIDATES }, (_, i) => [`zz-nightly-report-batch-${i}`, [target([], `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other-${i}:1`)]]));
    const w = world({ rules: { ...alike, "zz-nightly-report-batch-long-name": [target()] }, schedules: [], pageSize: 100 });
    const { classified } = await classifyAndRerun(hiddenEvent(cut), w);
    expect(classified.notice).toMatchObject({ kind: "needs_human", requestSource: "cloudtrail" });
    expect(w.calls.filter((c) => c.startsWith("ListTargetsByRule"))).toEqual([]);
  });
});

describe("the local listings page as the real ones do", () => {
  test("ListRuleNamesByTarget and ListSchedules hand out every entry once, page by page, and refuse a bad token", () => {
    const store: ScheduleStore = { rules: Object.fromEntries(["a", "b", "c"].map((r) => [r, [target()]])), schedules: ["x", "y", "z"].map((n, i) => ({ Name: n, GroupName: i === 0 ? undefined : `g${i}`, Target: target() })) as ScheduleRecord[], pageSize: 2 };
    const rules = new LocalEventRules(() => store);
    const first = rules.answer("ListRuleNamesByTarget", { TargetArn: CLUSTER }).body as { RuleNames: string[]; NextToken?: string };
    expect(first.RuleNames).toEqual(["a", "b"]);
    expect(rules.answer("ListRuleNamesByTarget", { TargetArn: CLUSTER, NextToken: first.NextToken }).body).toEqual({ RuleNames: ["c"] });
    expect(() => rules.answer("ListRuleNamesByTarget", { TargetArn: CLUSTER, NextToken: "bogus!" })).toThrow(ApiError);
    const scheduler = new LocalScheduler(() => store);
    expect(scheduler.answer("ListSchedules", { GroupName: "g2" }).body).toMatchObject({ Schedules: [{ Name: "z", GroupName: "g2" }] });
    expect(() => scheduler.answer("GetSchedule", { Name: "y" })).toThrow(/does not exist/);
    expect(scheduler.answer("GetSchedule", { Name: "y", GroupName: "g1" }).body).toMatchObject({ Name: "y", GroupName: "g1" });
  });
});
