import { ConfigError, resolveClusterConfig, type ScheduledTaskConfig } from "../modules/config";

const task = (over: Partial<ScheduledTaskConfig> = {}): ScheduledTaskConfig => ({ name: "job", schedule: "rate(1 day)", image: "busybox", ...over });

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
    ["a VPC CIDR with host bits set", { network: { kind: "new", cidr: "10.0.0.5/16" } }, /network\.cidr = "10\.0\.0\.5\/16" is invalid: host bits are set; the network address of that block is 10\.0\.0\.0\/16/],
    ["a VPC CIDR too large for AWS", { network: { kind: "new", cidr: "10.0.0.0/8" } }, /network\.cidr = "10\.0\.0\.0\/8" is invalid: prefix \/8 is outside \/16 to \/24/],
    ["NaN instances, shown as NaN", { maxInstances: NaN }, /maxInstances = NaN is invalid: expected a whole number from 1 to 100/],
    ["an invalid cron field", { scheduledTasks: [task({ schedule: "cron(0 25 * * ? *)", expectedIntervalSeconds: 86400 })] }, /scheduledTasks\[0\]\.schedule: schedule "cron\(0 25 \* \* \? \*\)": hours "25" is invalid/],
    ["an alarm action that is not a topic", { alarmActions: ["arn:aws:sqs:us-east-1:1:q"] }, /alarmActions\[0\] = .* expected an SNS topic ARN/],
  ])("rejects %s", (_name, config, message) => {
    expect(() => resolveClusterConfig(config)).toThrow(ConfigError);
    expect(() => resolveClusterConfig(config)).toThrow(message);
  });
});

test("names the jobs as the caller wrote them", () => {
  expect(() => resolveClusterConfig({ scheduledTasks: [task(), task({ name: "b", memory: 1 })] }, { scheduledTasks: "JOBS (jobs.ts)" })).toThrow(
    /^JOBS \(jobs\.ts\)\[1\]\.memory = 1 is invalid/,
  );
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
