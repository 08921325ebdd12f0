// Tests of lambda/rerun/core/failure/request-source.ts: what CloudTrail hid, which schedule a task names,
// the request a rule target or a schedule makes, and the command a human gets when none will do.
import { familyRevision, HIDDEN, hiddenValues, requestFromTarget, runTaskCommand, scheduleOf, targetMatches, taskRecordUnfaithful } from "../../../../lambda/rerun/core/failure/request-source";

const CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2";
const TD = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nightly-report:12";

describe("hidden values", () => {
  test("a container's whole environment replaced by the literal, as ECS records RunTask since mid-2023", () => {
    const request = { cluster: "batch-ec2", overrides: { containerOverrides: [{ name: "app", command: ["run"], environment: HIDDEN }] } };
    expect(hiddenValues(request)).toEqual(["overrides.containerOverrides[app].environment"]);
  });

  test("single variables hidden one by one are named", () => {
    const request = { overrides: { containerOverrides: [{ name: "app", environment: [{ name: "DB_URL", value: HIDDEN }, { name: "MODE", value: "full" }] }] } };
    expect(hiddenValues(request)).toEqual(["overrides.containerOverrides[app].environment[DB_URL]"]);
  });

  test("nothing hidden, nothing named", () => {
    expect(hiddenValues({ overrides: { containerOverrides: [{ name: "app", environment: [{ name: "MODE", value: "full" }] }] } })).toEqual([]);
  });
});

describe("the schedule a task names", () => {
  test("rules and Scheduler schedules, and names ECS may have cut at 36 characters", () => {
    expect(scheduleOf("events-rule/nightly-report")).toEqual({ kind: "rule", name: "nightly-report", truncated: false });
    expect(scheduleOf("chronos-schedule/nightly")).toEqual({ kind: "schedule", name: "nightly", truncated: false });
    const cut = "events-rule/a-very-long-rule-name-th"; // 36 characters
    expect(cut).toHaveLength(36);
    expect(scheduleOf(cut)).toEqual({ kind: "rule", name: "a-very-long-rule-name-th", truncated: true });
    expect(scheduleOf("ecs-svc/123")).toBeUndefined();
    expect(scheduleOf(undefined)).toBeUndefined();
  });

  test("a startedBy longer than 36 characters is no cut: RunTask takes 128, and a cut leaves exactly 36", () => {
    const name = "nightly-report-batch-for-the-eu-warehous"; // 40 characters
    expect(name).toHaveLength(40);
    expect(scheduleOf(`events-rule/${name}`)).toEqual({ kind: "rule", name, truncated: false });
    expect(scheduleOf(`chronos-schedule/${name}`)).toEqual({ kind: "schedule", name, truncated: false });
    expect(scheduleOf("events-rule/a-very-long-rule-name-thx")).toEqual({ kind: "rule", name: "a-very-long-rule-name-thx", truncated: false }); // 37
  });
});

describe("the request of a schedule", () => {
  const ruleTarget = {
    Id: "nightly",
    Arn: CLUSTER,
    RoleArn: "arn:aws:iam::123456789012:role/events",
    Input: '{"containerOverrides":[{"name":"app","environment":[{"name":"DB_URL","value":"postgres://db/reports"}]}]}',
    EcsParameters: {
      TaskDefinitionArn: TD,
      TaskCount: 1,
      LaunchType: "EC2",
      NetworkConfiguration: { awsvpcConfiguration: { Subnets: ["subnet-1"], SecurityGroups: ["sg-1"], AssignPublicIp: "DISABLED" } },
      CapacityProviderStrategy: [{ capacityProvider: "cp", weight: 1, base: 0 }],
      PlacementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t3.*" }],
      Tags: [{ Key: "team", Value: "reports" }],
    },
  };

  test("an EventBridge rule target (ListTargetsByRule): EcsParameters and the Input as the task overrides", () => {
    expect(requestFromTarget(ruleTarget, "events-rule/nightly-report")).toEqual({
      cluster: CLUSTER,
      taskDefinition: TD,
      count: 1,
      launchType: "EC2",
      capacityProviderStrategy: [{ capacityProvider: "cp", weight: 1, base: 0 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" } },
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t3.*" }],
      tags: [{ key: "team", value: "reports" }],
      overrides: { containerOverrides: [{ name: "app", environment: [{ name: "DB_URL", value: "postgres://db/reports" }] }] },
      startedBy: "events-rule/nightly-report",
    });
  });

  test("a Scheduler schedule (GetSchedule): PascalCase members and tags as one-entry maps", () => {
    const target = { Arn: CLUSTER, Input: "{}", EcsParameters: { TaskDefinitionArn: TD, CapacityProviderStrategy: [{ CapacityProvider: "cp", Weight: 2 }], Tags: [{ team: "reports" }] } };
    expect(requestFromTarget(target, undefined)).toEqual({
      cluster: CLUSTER,
      taskDefinition: TD,
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: "cp", weight: 2 }],
      tags: [{ key: "team", value: "reports" }],
      overrides: {},
    });
  });

  test("no request from a target whose input depends on the event, or that launches no task", () => {
    expect(requestFromTarget({ ...ruleTarget, InputTransformer: { InputTemplate: "{}" } }, undefined)).toBeUndefined();
    expect(requestFromTarget({ ...ruleTarget, InputPath: "$.detail" }, undefined)).toBeUndefined();
    expect(requestFromTarget({ Arn: "arn:aws:lambda:ap-northeast-1:123456789012:function:f" }, undefined)).toBeUndefined();
    expect(requestFromTarget({ ...ruleTarget, Input: "{not json" }, undefined)).toBeUndefined();
  });

  test("a target matches the failed task by cluster and task definition, by name or ARN", () => {
    expect(targetMatches(ruleTarget, "batch-ec2", TD)).toBe(true);
    expect(targetMatches(ruleTarget, CLUSTER, "nightly-report:12")).toBe(true);
    // A target naming the family alone launches its latest revision.
    expect(targetMatches({ ...ruleTarget, EcsParameters: { TaskDefinitionArn: "nightly-report" } }, CLUSTER, TD)).toBe(true);
    expect(targetMatches(ruleTarget, "other", TD)).toBe(false);
    expect(targetMatches(ruleTarget, CLUSTER, "weekly:3")).toBe(false);
    expect(familyRevision(TD)).toBe("nightly-report:12");
  });
});

describe("what a task record cannot carry, and the command a human gets", () => {
  test("an awsvpc task's security groups and public IP make its record unfaithful; tags do not", () => {
    expect(taskRecordUnfaithful(["tags", "networkConfiguration.securityGroups", "networkConfiguration.assignPublicIp"])).toEqual([
      "networkConfiguration.securityGroups",
      "networkConfiguration.assignPublicIp",
    ]);
    expect(taskRecordUnfaithful(["tags", "placementConstraints"])).toEqual([]);
  });

  test("a ready aws ecs run-task command, the hidden values left out and the JSON quoted for a shell", () => {
    const command = runTaskCommand({
      cluster: "batch-ec2",
      taskDefinition: "nightly-report:12",
      count: 1,
      startedBy: "events-rule/nightly-report",
      overrides: { containerOverrides: [{ name: "app", command: ["it's"], environment: HIDDEN }] },
    });
    expect(command).toBe(
      `aws ecs run-task --cluster batch-ec2 --task-definition nightly-report:12 --count 1 --started-by events-rule/nightly-report --overrides '{"containerOverrides":[{"name":"app","command":["it'\\''s"]}]}'`,
    );
  });

  test("the command names the failure's region, so a bare cluster name is not launched in the reader's default region", () => {
    expect(runTaskCommand({ cluster: "batch-ec2", taskDefinition: "nightly-report:12", count: 1 }, "eu-west-1")).toBe(
      "aws ecs run-task --cluster batch-ec2 --task-definition nightly-report:12 --count 1 --region eu-west-1",
    );
  });
});
