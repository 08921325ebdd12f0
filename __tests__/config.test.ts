import { ConfigError, OVERRIDE_SETTINGS, readOverrides, resolveClusterConfig, type ScheduledTaskConfig } from "../modules/config";
import { parseSchedule } from "../modules/schedule";

const task = (over: Partial<ScheduledTaskConfig> = {}): ScheduledTaskConfig => ({ name: "job", schedule: "rate(1 day)", image: "busybox", ...over });

describe("schedule expressions", () => {
  test.each([
    ["rate(1 day)", 86400],
    ["rate(5 minutes)", 300],
    ["rate(2 hours)", 7200],
  ])("reads %s as every %i seconds", (expr, seconds) => {
    expect(parseSchedule(expr)).toEqual(expect.objectContaining({ kind: "rate", seconds }));
  });

  test("accepts a six-field cron with one day field set to ?", () => {
    expect(parseSchedule("cron(0 3 * * ? *)")).toEqual({ kind: "cron", fields: ["0", "3", "*", "*", "?", "*"] });
  });

  test.each([
    ["rate(1 days)", /use "day" for a value of 1/],
    ["rate(5 minute)", /use "minute" for a value of 1 and "minutes" otherwise/],
    ["rate(0 minutes)", /positive whole number/],
    ["cron(0 3 * * *)", /cron needs 6 fields .* got 5/],
    ["cron(0 3 * * MON *)", /exactly one of day-of-month and day-of-week must be "\?"/],
    ["@daily", /neither rate\(\.\.\.\) nor cron\(\.\.\.\)/],
  ])("rejects %s", (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});

describe("cluster config", () => {
  test("applies defaults", () => {
    expect(resolveClusterConfig({ scheduledTasks: [task()] })).toMatchObject({
      region: "us-east-1",
      clusterName: "batch-ec2",
      network: { kind: "new" },
      instanceType: "t3.small",
      minInstances: 0,
      maxInstances: 2,
      scheduledTasks: [{ name: "job", cpu: 256, memory: 512, count: 1, enabled: true, logRetentionDays: 30, environment: {} }],
    });
  });

  test.each<[string, Parameters<typeof resolveClusterConfig>[0], RegExp]>([
    ["memory below what ECS gives a container", { scheduledTasks: [task({ memory: 4 })] }, /scheduledTasks\[0\]\.memory = 4 is invalid: expected whole MiB, at least 6/],
    ["memory above what the instance type offers", { instanceType: "t3.micro", scheduledTasks: [task({ memory: 2048 })] }, /memory = 2048 is invalid: a t3\.micro offers tasks at most 944 MiB/],
    ["cpu above the instance type", { scheduledTasks: [task({ cpu: 4096 })] }, /cpu = 4096 is invalid: a t3\.small offers at most 2048 CPU units/],
    ["an empty subnet list", { network: { kind: "existing", vpcId: "vpc-1", subnetIds: [] } }, /network\.subnetIds = \[\] is invalid/],
    ["a malformed subnet ID", { network: { kind: "existing", vpcId: "vpc-1", subnetIds: ["sn-1"] } }, /network\.subnetIds\[0\] = "sn-1" is invalid/],
    ["two tasks with one name", { scheduledTasks: [task(), task()] }, /scheduledTasks\[1\]\.name = "job" is invalid: expected a name no other scheduled task has/],
    ["an upper-case task name", { scheduledTasks: [task({ name: "Job" })] }, /scheduledTasks\[0\]\.name = "Job" is invalid/],
    ["a retention CloudWatch does not offer", { scheduledTasks: [task({ logRetentionDays: 10 })] }, /logRetentionDays = 10 is invalid: expected one of 1, 3, 5/],
    ["a region that is not one", { region: "tokyo" }, /region = "tokyo" is invalid/],
    ["a cron job without the interval its missed-run alarm needs", { scheduledTasks: [task({ schedule: "cron(0 3 * * ? *)" })] }, /scheduledTasks\[0\]: schedule "cron\(0 3 \* \* \? \*\)" is a cron expression; give expectedIntervalSeconds/],
    ["max below min instances", { minInstances: 3, maxInstances: 2 }, /maxInstances = 2 is invalid: expected at least minInstances \(3\)/],
    ["an alarm action that is not a topic", { alarmActions: ["arn:aws:sqs:us-east-1:1:q"] }, /alarmActions\[0\] = .* expected an SNS topic ARN/],
  ])("rejects %s", (_name, config, message) => {
    expect(() => resolveClusterConfig(config)).toThrow(ConfigError);
    expect(() => resolveClusterConfig(config)).toThrow(message);
  });
});

describe("missed-run settings", () => {
  test("a rate schedule gives the interval; a cron one takes it from config", () => {
    const c = resolveClusterConfig({
      scheduledTasks: [task({ name: "a", schedule: "rate(6 hours)" }), task({ name: "b", schedule: "cron(0 3 * * ? *)", expectedIntervalSeconds: 86400 })],
    });
    expect(c.scheduledTasks.map((t) => t.intervalSeconds)).toEqual([21600, 86400]);
  });
  test("a disabled job is not watched, so a cron one needs no interval", () => {
    expect(resolveClusterConfig({ scheduledTasks: [task({ schedule: "cron(0 3 * * ? *)", enabled: false })] }).scheduledTasks[0]).toMatchObject({
      alarmOnMissedRun: false,
      intervalSeconds: undefined,
    });
  });
});

describe("overrides", () => {
  test("every setting is read from its environment variable", () => {
    const env = Object.fromEntries(OVERRIDE_SETTINGS.map((s) => [s.env, s.list ? "a,b" : "x"]));
    const o = readOverrides(env, () => undefined) as Record<string, unknown>;
    for (const s of OVERRIDE_SETTINGS) expect(o[s.key]).toEqual(s.list ? ["a", "b"] : "x");
  });

  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  test("environment variables win over cdktf context, which wins over AWS_REGION", () => {
    expect(readOverrides({ ECS_RERUN_REGION: "eu-west-1", AWS_REGION: "us-west-2" }, context({ region: "ap-northeast-1" })).region).toBe("eu-west-1");
    expect(readOverrides({ AWS_REGION: "us-west-2" }, context({ region: "ap-northeast-1" })).region).toBe("ap-northeast-1");
    expect(readOverrides({ AWS_REGION: "us-west-2" }, context({})).region).toBe("us-west-2");
  });

  test("splits comma lists and ignores empty values", () => {
    const o = readOverrides({ ECS_RERUN_SUBNET_IDS: "subnet-1, subnet-2,", ECS_RERUN_CLUSTER_NAME: "" }, context({}));
    expect(o.subnetIds).toEqual(["subnet-1", "subnet-2"]);
    expect(o.clusterName).toBeUndefined();
  });
});
