// The request rebuilt from a schedule's target and the needs-a-human command, pinned field by field
// with literal values (issue 23: a rebuilt request could lose PlatformVersion, PlacementStrategy,
// ReferenceId, EnableECSManagedTags, EnableExecuteCommand; the command's flags, quoting and hidden values).
import {
  familyRevision,
  hiddenValues,
  HIDDEN,
  requestFromTarget,
  runTaskCommand,
  scheduleOf,
  targetMatches,
  taskRecordUnfaithful,
} from "../../../../lambda/rerun/core/failure/request-source";

/** An EventBridge rule target as ListTargetsByRule returns it (PascalCase), every ECS member set. */
const RULE_TARGET = {
  Id: "nightly",
  Arn: "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
  RoleArn: "arn:aws:iam::111122223333:role/events",
  Input: '{"containerOverrides":[{"name":"app","command":["run","--all"]}]}',
  EcsParameters: {
    TaskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/report:7",
    TaskCount: 2,
    LaunchType: "FARGATE",
    PlatformVersion: "1.4.0",
    Group: "family:report",
    CapacityProviderStrategy: [{ CapacityProvider: "FARGATE_SPOT", Weight: 3, Base: 1 }],
    NetworkConfiguration: { awsvpcConfiguration: { Subnets: ["subnet-1"], SecurityGroups: ["sg-1"], AssignPublicIp: "DISABLED" } },
    PlacementConstraints: [{ Type: "memberOf", Expression: "attribute:ecs.os-type == linux" }],
    PlacementStrategy: [{ Type: "spread", Field: "attribute:ecs.availability-zone" }],
    PropagateTags: "TASK_DEFINITION",
    ReferenceId: "ref-42",
    EnableECSManagedTags: true,
    EnableExecuteCommand: true,
    Tags: [{ Key: "team", Value: "data" }],
  },
};

describe("the request a schedule's target makes", () => {
  it("carries every launch setting of an EventBridge rule target", () => {
    expect(requestFromTarget(RULE_TARGET, "events-rule/nightly")).toEqual({
      cluster: "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
      taskDefinition: "arn:aws:ecs:eu-west-1:111122223333:task-definition/report:7",
      count: 2,
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      group: "family:report",
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 3, base: 1 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" } },
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.os-type == linux" }],
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
      propagateTags: "TASK_DEFINITION",
      referenceId: "ref-42",
      enableECSManagedTags: true,
      enableExecuteCommand: true,
      tags: [{ key: "team", value: "data" }],
      overrides: { containerOverrides: [{ name: "app", command: ["run", "--all"] }] },
      startedBy: "events-rule/nightly",
    });
  });

  it("reads a Scheduler target (camelCase, tags as one-entry maps) and defaults the count to 1", () => {
    const target = {
      arn: "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
      input: "   ",
      ecsParameters: { taskDefinitionArn: "report:7", tags: [{ team: "data", tier: "batch" }, "junk"], enableExecuteCommand: false },
    };
    expect(requestFromTarget(target, undefined)).toEqual({
      cluster: "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
      taskDefinition: "report:7",
      count: 1,
      enableExecuteCommand: false,
      tags: [
        { key: "team", value: "data" },
        { key: "tier", value: "batch" },
      ],
    });
  });

  it("refuses a target whose input depends on the event, is not JSON, or launches no task", () => {
    expect(requestFromTarget({ ...RULE_TARGET, InputPath: "$.detail" }, undefined)).toBeUndefined();
    expect(requestFromTarget({ ...RULE_TARGET, InputTransformer: { InputTemplate: "{}" } }, undefined)).toBeUndefined();
    expect(requestFromTarget({ ...RULE_TARGET, Input: "{not json" }, undefined)).toBeUndefined();
    expect(requestFromTarget({ Arn: "arn:aws:lambda:eu-west-1:1:function:f" }, undefined)).toBeUndefined();
    expect(requestFromTarget({ EcsParameters: { TaskDefinitionArn: 7 } }, undefined)).toBeUndefined();
    expect(requestFromTarget({ EcsParameters: ["TaskDefinitionArn"] }, undefined)).toBeUndefined();
    expect(requestFromTarget(null, undefined)).toBeUndefined();
  });

  it("leaves out an empty network, and empty lists", () => {
    const target = { Arn: "c", EcsParameters: { TaskDefinitionArn: "td:1", NetworkConfiguration: {}, Tags: [], PlacementStrategy: [] } };
    expect(requestFromTarget(target, "x")).toEqual({ cluster: "c", taskDefinition: "td:1", count: 1, startedBy: "x" });
  });
});

describe("matching a target to the failed task", () => {
  it("by cluster name and family:revision, or the family alone when the target has no revision", () => {
    const target = { Arn: "arn:aws:ecs:eu-west-1:1:cluster/batch", EcsParameters: { TaskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/report" } };
    expect(targetMatches(target, "batch", "arn:aws:ecs:eu-west-1:111122223333:task-definition/report:7")).toBe(true);
    expect(targetMatches(RULE_TARGET, "arn:aws:ecs:eu-west-1:111122223333:cluster/batch", "report:7")).toBe(true);
    expect(targetMatches(RULE_TARGET, "batch", "report:8")).toBe(false);
    expect(targetMatches(RULE_TARGET, "other", "report:7")).toBe(false);
    expect(targetMatches({ Arn: 1, EcsParameters: { TaskDefinitionArn: "report:7" } }, "batch", "report:7")).toBe(false);
    expect(targetMatches({ Arn: "batch" }, "batch", "report:7")).toBe(false);
    expect(familyRevision("arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/report:7")).toBe("report:7");
    expect(familyRevision("report:7")).toBe("report:7");
  });
});

describe("the schedule a task names", () => {
  it("is cut only at exactly 36 characters", () => {
    const at36 = "events-rule/" + "r".repeat(24);
    expect(scheduleOf(at36)).toEqual({ kind: "rule", name: "r".repeat(24), truncated: true });
    expect(scheduleOf(at36 + "r")).toEqual({ kind: "rule", name: "r".repeat(25), truncated: false });
    expect(scheduleOf("chronos-schedule/nightly")).toEqual({ kind: "schedule", name: "nightly", truncated: false });
    expect(scheduleOf("ecs-svc/123")).toBeUndefined();
    expect(scheduleOf(undefined)).toBeUndefined();
  });
});

describe("hidden values and a task record's faithfulness", () => {
  it("names every hidden place", () => {
    const request = {
      overrides: {
        containerOverrides: [
          { name: "app", environment: HIDDEN },
          { name: "side", environment: [{ name: "DB_URL", value: HIDDEN }, { name: "MODE", value: "x" }] },
          { command: [HIDDEN] },
        ],
      },
      tags: HIDDEN,
    };
    expect(hiddenValues(request)).toEqual([
      "overrides.containerOverrides[app].environment",
      "overrides.containerOverrides[side].environment[DB_URL]",
      "overrides.containerOverrides[2].command[0]",
      "tags",
    ]);
    expect(hiddenValues({ a: [{ name: 3, value: HIDDEN }] })).toEqual(["a[0].value"]);
    expect(hiddenValues({ a: "x" })).toEqual([]);
  });

  it("is unfaithful without the security groups or the public IP choice only", () => {
    expect(taskRecordUnfaithful(["networkConfiguration.securityGroups", "overrides", "networkConfiguration.assignPublicIp"])).toEqual([
      "networkConfiguration.securityGroups",
      "networkConfiguration.assignPublicIp",
    ]);
    expect(taskRecordUnfaithful(undefined)).toEqual([]);
  });
});

describe("the command a human gets", () => {
  it("writes every option in the CLI's order, quotes what the shell would split, and names the region", () => {
    const request = {
      ...requestFromTarget(RULE_TARGET, "events-rule/nightly"),
      volumeConfigurations: [{ name: "data" }],
    };
    expect(runTaskCommand(request, "eu-west-1")).toBe(
      [
        "aws ecs run-task",
        "--cluster arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
        "--task-definition arn:aws:ecs:eu-west-1:111122223333:task-definition/report:7",
        "--count 2",
        "--launch-type FARGATE",
        `--capacity-provider-strategy '[{"capacityProvider":"FARGATE_SPOT","weight":3,"base":1}]'`,
        "--platform-version 1.4.0",
        `--network-configuration '{"awsvpcConfiguration":{"subnets":["subnet-1"],"securityGroups":["sg-1"],"assignPublicIp":"DISABLED"}}'`,
        "--group family:report",
        "--started-by events-rule/nightly",
        `--overrides '{"containerOverrides":[{"name":"app","command":["run","--all"]}]}'`,
        `--placement-constraints '[{"type":"memberOf","expression":"attribute:ecs.os-type == linux"}]'`,
        `--placement-strategy '[{"type":"spread","field":"attribute:ecs.availability-zone"}]'`,
        `--tags '[{"key":"team","value":"data"}]'`,
        "--reference-id ref-42",
        `--volume-configurations '[{"name":"data"}]'`,
        "--propagate-tags TASK_DEFINITION",
        "--enable-ecs-managed-tags",
        "--enable-execute-command",
        "--region eu-west-1",
      ].join(" "),
    );
  });

  it("leaves hidden values out, escapes a single quote, and writes no switch that is off", () => {
    const request = {
      cluster: "batch",
      taskDefinition: "report:7",
      group: "it's",
      overrides: { containerOverrides: [{ name: "app", environment: [{ name: "DB_URL", value: HIDDEN }, { name: "MODE", value: "x" }], command: HIDDEN }] },
      tags: [],
      referenceId: null,
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      startedBy: HIDDEN,
    };
    // The hidden variable is left out whole (the notice names it for a human to put back): a name
    // without its value would set it to nothing in the rerun.
    expect(runTaskCommand(request)).toBe(
      `aws ecs run-task --cluster batch --task-definition report:7 --group 'it'\\''s' --overrides '{"containerOverrides":[{"name":"app","environment":[{"name":"MODE","value":"x"}]}]}'`,
    );
    expect(runTaskCommand({ cluster: "a b", overrides: [HIDDEN, "k"] })).toBe(`aws ecs run-task --cluster 'a b' --overrides '["k"]'`);
  });
});
