/**
 * The typed config of the `ecs-cluster` stack (its network, instances and scheduled jobs), its
 * defaults, and the checks that fail synth on a value AWS would reject or that cannot work.
 */
import { cidrProblem } from "./settings/cidr";
import { parseSchedule, scheduleIntervalSeconds } from "./schedule";
import { showValue } from "./settings/show-value";
import { MANAGED_POLICIES_PER_ROLE } from "./iam-names";
import { regionProblem } from "./regions";

/** A batch job that EventBridge starts on a schedule. */
export interface ScheduledTaskConfig {
  /** Name of the job: task definition family and rule name suffix; lowercase letters, digits and dashes. */
  readonly name: string;
  /** EventBridge schedule expression: `rate(...)` or `cron(...)` (UTC). */
  readonly schedule: string;
  /** Container image. */
  readonly image: string;
  /** Command that overrides the image's. @default the image's own command */
  readonly command?: readonly string[];
  /** CPU units reserved for the container (1024 = one vCPU). @default 256 */
  readonly cpu?: number;
  /** Hard memory limit of the container in MiB. @default 512 */
  readonly memory?: number;
  /** Plain environment variables (no secrets: they land in Terraform state). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets the container gets as environment variables, by variable name: each the full ARN of an SSM
   * parameter (`arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`) or of a Secrets Manager secret (with its
   * six-character suffix, optionally `:json-key:version-stage:version-id` after it), never the value:
   * ECS reads it when the task starts, with the execution role, which may read exactly these. @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Customer-managed KMS keys of those secrets, which the execution role may decrypt with (none for the default aws/ssm and aws/secretsmanager keys). @default [] */
  readonly secretsKmsKeyArns?: readonly string[];
  /** An existing role the job's code runs as, instead of the role with no permissions the stack creates. @default a new role */
  readonly taskRoleArn?: string;
  /** Managed policies attached to the job's own task role (not with taskRoleArn). @default [] */
  readonly taskRolePolicyArns?: readonly string[];
  /** Tasks started per run. @default 1 */
  readonly count?: number;
  /** Whether the schedule is on. @default true */
  readonly enabled?: boolean;
  /** Days the task's logs are kept. @default 30 */
  readonly logRetentionDays?: number;
  /** Longest gap between two runs, for the missed-run alarm of a cron schedule (a rate gives its own). @default the rate's interval */
  readonly expectedIntervalSeconds?: number;
  /** Slack before a missing successful run raises the alarm, in seconds. @default 3600 */
  readonly missedRunGraceSeconds?: number;
  /** Watch for missing successful runs (a dead man's switch). @default true when enabled */
  readonly alarmOnMissedRun?: boolean;
}

/** A scheduled task with every default applied. */
export type ResolvedScheduledTask = Required<Omit<ScheduledTaskConfig, "command" | "expectedIntervalSeconds" | "taskRoleArn">> &
  Pick<ScheduledTaskConfig, "command" | "taskRoleArn"> & {
    /** Longest normal gap between two runs: the rate's interval, or expectedIntervalSeconds for a cron. */
    readonly intervalSeconds?: number;
  };

/** Where the cluster's instances live. */
export type NetworkConfig =
  | {
      /** A new VPC over two AZs with public subnets and no NAT gateway. */
      readonly kind: "new";
      /** CIDR of the new VPC. @default "10.42.0.0/16" */
      readonly cidr?: string;
    }
  | {
      /** Subnets of an existing VPC. */
      readonly kind: "existing";
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      /** Give instances a public IP (only for public subnets without a NAT). @default false */
      readonly assignPublicIp?: boolean;
    };

/** Everything the `ecs-cluster` stack needs. */
export interface ClusterStackConfig {
  /** AWS region. @default "us-east-1" */
  readonly region?: string;
  /** The account the stack deploys to: the provider refuses other credentials, and the state file is named by it. @default any (the credentials') */
  readonly accountId?: string;
  /** ECS cluster name. @default "batch-ec2" */
  readonly clusterName?: string;
  /** Network. @default a new VPC */
  readonly network?: NetworkConfig;
  /** EC2 instance type. @default "t3.small" */
  readonly instanceType?: string;
  /** Auto Scaling group bounds; 0 minimum lets the capacity provider scale from zero. @default 0 */
  readonly minInstances?: number;
  /** @default 2 */
  readonly maxInstances?: number;
  /** Root volume size in GiB (the ECS-optimized AMI needs 30). @default 30 */
  readonly rootVolumeGiB?: number;
  /** SNS topic ARNs notified by the cluster's alarms. @default [] */
  readonly alarmActions?: readonly string[];
  /** Scheduled jobs. @default [] */
  readonly scheduledTasks?: readonly ScheduledTaskConfig[];
  /** Tags on every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The cluster stack's config with every default applied. */
export interface ResolvedClusterStackConfig {
  readonly region: string;
  readonly accountId?: string;
  readonly clusterName: string;
  readonly network: NetworkConfig;
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly rootVolumeGiB: number;
  readonly alarmActions: readonly string[];
  readonly scheduledTasks: readonly ResolvedScheduledTask[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The region the stacks deploy to when none is set. */
export const DEFAULT_REGION = "us-east-1";

/** Thrown at synth time for a config value AWS would reject or that cannot work. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

// Memory (MiB) and CPU units an instance offers to tasks, for the types we can check at synth time.
// Values leave room for the OS and the ECS agent, as ECS reports "registered" resources.
const INSTANCE_CAPACITY: Record<string, { memory: number; cpu: number }> = {
  "t3.micro": { memory: 944, cpu: 2048 },
  "t3.small": { memory: 1907, cpu: 2048 },
  "t3.medium": { memory: 3828, cpu: 2048 },
  "t3.large": { memory: 7680, cpu: 2048 },
  "m6i.large": { memory: 7680, cpu: 2048 },
  "m7i.large": { memory: 7680, cpu: 2048 },
  "c6i.large": { memory: 3828, cpu: 2048 },
};

// ECS's floor for a container's hard memory limit.
const MIN_CONTAINER_MEMORY_MIB = 6;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function fail(path: string, value: unknown, allowed: string): never {
  throw new ConfigError(`${path} = ${showValue(value)} is invalid: ${allowed}`);
}

/** A rule one setting's value follows, and how an error says what is allowed. */
export interface ValueRule {
  readonly pattern: RegExp;
  readonly allowed: string;
}

/** Rules shared by the typed config and the environment/context settings, so both refuse the same values. */
export const VALUE_RULES = {
  /** An SSM parameter's full ARN, or a Secrets Manager secret's (a json key, version stage and version ID may follow). */
  secretArn: {
    pattern: /^arn:aws[a-z-]*:(ssm:[a-z0-9-]+:[0-9]{12}:parameter\/[A-Za-z0-9_.\/-]+|secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}(:[^:]*:[^:]*:[^:]*)?)$/,
    allowed: 'the full ARN of an SSM parameter ("arn:aws:ssm:us-east-1:123456789012:parameter/db-password") or of a Secrets Manager secret with its six-character suffix ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC123"), never the secret itself',
  },
  iamRoleArn: { pattern: /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\/-]{1,512}$/, allowed: 'an IAM role ARN such as "arn:aws:iam::123456789012:role/report-job"' },
  managedPolicyArn: { pattern: /^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy\/[!-~]+$/, allowed: 'a managed policy ARN such as "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"' },
  kmsKeyArn: { pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/, allowed: "a KMS key ARN" },
  region: { pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, allowed: 'an AWS region such as "us-east-1"' },
  clusterName: { pattern: /^[A-Za-z0-9_-]{1,255}$/, allowed: "1-255 letters, digits, - or _" },
  vpcId: { pattern: /^vpc-[0-9a-f]+$/, allowed: 'a VPC ID such as "vpc-0abc123"' },
  subnetId: { pattern: /^subnet-[0-9a-f]+$/, allowed: 'a subnet ID such as "subnet-0abc123"' },
  snsTopicArn: { pattern: /^arn:aws[a-z-]*:sns:/, allowed: "an SNS topic ARN" },
} as const satisfies Record<string, ValueRule>;

/** Smallest and largest prefix of a new VPC: its two subnets are /+4 of it, and AWS's smallest subnet is a /28. */
const VPC_PREFIX = { min: 16, max: 24 } as const;

/** What the cluster stack's numbers and names may be; the settings refuse the same values. */
export const CLUSTER_LIMITS = {
  instanceType: { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, allowed: 'an EC2 instance type such as "t3.small"' },
  minInstances: { min: 0, max: 100 },
  maxInstances: { min: 1, max: 100 },
  rootVolumeGiB: { min: 30, max: 16384 },
  vpcPrefix: VPC_PREFIX,
} as const;

function wholeNumber(path: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(path, value, `expected a whole number from ${min} to ${max}`);
  return value;
}

/**
 * Applies defaults and validates; errors name the bad value and what is allowed. `where.scheduledTasks`
 * names the list in errors as the user wrote it (main.ts passes "JOBS (jobs.ts)"-style labels).
 */
export function resolveClusterConfig(config: ClusterStackConfig, where: { scheduledTasks?: string } = {}): ResolvedClusterStackConfig {
  const region = config.region ?? DEFAULT_REGION;
  if (!VALUE_RULES.region.pattern.test(region)) fail("region", region, `expected ${VALUE_RULES.region.allowed}`);
  const unknown = regionProblem(region);
  if (unknown !== undefined) throw new ConfigError(`region: ${unknown}`);
  if (config.accountId !== undefined && !/^[0-9]{12}$/.test(config.accountId)) fail("accountId", config.accountId, "expected a 12-digit AWS account ID");
  const clusterName = config.clusterName ?? "batch-ec2";
  if (!VALUE_RULES.clusterName.pattern.test(clusterName)) fail("clusterName", clusterName, `expected ${VALUE_RULES.clusterName.allowed}`);

  const network = config.network ?? { kind: "new" };
  if (network.kind === "new") {
    const cidr = network.cidr ?? "10.42.0.0/16";
    const problem = cidrProblem(cidr, VPC_PREFIX.min, VPC_PREFIX.max);
    if (problem) fail("network.cidr", cidr, `${problem} (expected an IPv4 network block with a prefix from /${VPC_PREFIX.min} to /${VPC_PREFIX.max})`);
  } else {
    if (!VALUE_RULES.vpcId.pattern.test(network.vpcId)) fail("network.vpcId", network.vpcId, `expected ${VALUE_RULES.vpcId.allowed}`);
    if (network.subnetIds.length === 0) fail("network.subnetIds", network.subnetIds, "expected at least one subnet ID");
    for (const [i, s] of network.subnetIds.entries()) {
      if (!VALUE_RULES.subnetId.pattern.test(s)) fail(`network.subnetIds[${i}]`, s, `expected ${VALUE_RULES.subnetId.allowed}`);
    }
  }

  const instanceType = config.instanceType ?? "t3.small";
  const C = CLUSTER_LIMITS;
  if (!C.instanceType.pattern.test(instanceType)) fail("instanceType", instanceType, `expected ${C.instanceType.allowed}`);
  const minInstances = wholeNumber("minInstances", config.minInstances ?? 0, C.minInstances.min, C.minInstances.max);
  const maxInstances = wholeNumber("maxInstances", config.maxInstances ?? 2, C.maxInstances.min, C.maxInstances.max);
  if (maxInstances < minInstances) fail("maxInstances", maxInstances, `expected at least minInstances (${minInstances})`);
  const rootVolumeGiB = wholeNumber("rootVolumeGiB", config.rootVolumeGiB ?? 30, C.rootVolumeGiB.min, C.rootVolumeGiB.max);
  const alarmActions = config.alarmActions ?? [];
  for (const [i, a] of alarmActions.entries()) {
    if (!VALUE_RULES.snsTopicArn.pattern.test(a)) fail(`alarmActions[${i}]`, a, `expected ${VALUE_RULES.snsTopicArn.allowed}`);
  }

  const capacity = INSTANCE_CAPACITY[instanceType];
  const names = new Set<string>();
  const scheduledTasks = (config.scheduledTasks ?? []).map((t, i): ResolvedScheduledTask => {
    const at = `${where.scheduledTasks ?? "scheduledTasks"}[${i}]`;
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(t.name)) fail(`${at}.name`, t.name, "expected 1-40 lowercase letters, digits or dashes");
    if (names.has(t.name)) fail(`${at}.name`, t.name, "expected a name no other scheduled task has");
    names.add(t.name);
    try {
      parseSchedule(t.schedule);
    } catch (e) {
      throw new ConfigError(`${at}.schedule: ${(e as Error).message}`);
    }
    if (t.image.trim() === "") fail(`${at}.image`, t.image, "expected a container image");
    const memory = t.memory ?? 512;
    if (!Number.isInteger(memory) || memory < MIN_CONTAINER_MEMORY_MIB) {
      fail(`${at}.memory`, memory, `expected whole MiB, at least ${MIN_CONTAINER_MEMORY_MIB} (the least ECS gives a container)`);
    }
    if (capacity && memory > capacity.memory) {
      fail(`${at}.memory`, memory, `a ${instanceType} offers tasks at most ${capacity.memory} MiB; use a larger instanceType (the app's ECS_RERUN_INSTANCE_TYPE, or instanceType in settings.ts)`);
    }
    const cpu = t.cpu ?? 256;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu > 10240) fail(`${at}.cpu`, cpu, "expected whole CPU units from 0 to 10240");
    if (capacity && cpu > capacity.cpu) fail(`${at}.cpu`, cpu, `a ${instanceType} offers at most ${capacity.cpu} CPU units; use a larger instanceType (the app's ECS_RERUN_INSTANCE_TYPE, or instanceType in settings.ts)`);
    const count = wholeNumber(`${at}.count`, t.count ?? 1, 1, 10);
    const logRetentionDays = t.logRetentionDays ?? 30;
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
      fail(`${at}.logRetentionDays`, logRetentionDays, `expected one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    const enabled = t.enabled ?? true;
    const alarmOnMissedRun = t.alarmOnMissedRun ?? enabled;
    if (t.expectedIntervalSeconds !== undefined) wholeNumber(`${at}.expectedIntervalSeconds`, t.expectedIntervalSeconds, 60, 7 * 86400);
    let intervalSeconds: number | undefined;
    try {
      intervalSeconds = alarmOnMissedRun ? scheduleIntervalSeconds(t.schedule, t.expectedIntervalSeconds, at) : undefined;
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    const missedRunGraceSeconds = wholeNumber(`${at}.missedRunGraceSeconds`, t.missedRunGraceSeconds ?? 3600, 0, 86400);
    for (const key of Object.keys(t.environment ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail(`${at}.environment`, key, "expected variable names of letters, digits and _");
    }
    const secrets = t.secrets ?? {};
    for (const [key, arn] of Object.entries(secrets)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail(`${at}.secrets`, key, "expected variable names of letters, digits and _");
      if (key in (t.environment ?? {})) fail(`${at}.secrets.${key}`, arn, "expected a variable that environment does not set too");
      if (!VALUE_RULES.secretArn.pattern.test(arn)) fail(`${at}.secrets.${key}`, arn, `expected ${VALUE_RULES.secretArn.allowed}`);
    }
    const secretsKmsKeyArns = t.secretsKmsKeyArns ?? [];
    for (const [j, k] of secretsKmsKeyArns.entries()) if (!VALUE_RULES.kmsKeyArn.pattern.test(k)) fail(`${at}.secretsKmsKeyArns[${j}]`, k, `expected ${VALUE_RULES.kmsKeyArn.allowed}`);
    if (t.taskRoleArn !== undefined && !VALUE_RULES.iamRoleArn.pattern.test(t.taskRoleArn)) fail(`${at}.taskRoleArn`, t.taskRoleArn, `expected ${VALUE_RULES.iamRoleArn.allowed}`);
    const taskRolePolicyArns = t.taskRolePolicyArns ?? [];
    if (t.taskRoleArn !== undefined && taskRolePolicyArns.length > 0) fail(`${at}.taskRolePolicyArns`, taskRolePolicyArns, "expected none with taskRoleArn: policies are attached to the role the stack creates; attach them to your own role yourself");
    if (taskRolePolicyArns.length > MANAGED_POLICIES_PER_ROLE) fail(`${at}.taskRolePolicyArns`, taskRolePolicyArns, `expected at most ${MANAGED_POLICIES_PER_ROLE} (the managed policies IAM attaches to a role by default)`);
    for (const [j, p] of taskRolePolicyArns.entries()) if (!VALUE_RULES.managedPolicyArn.pattern.test(p)) fail(`${at}.taskRolePolicyArns[${j}]`, p, `expected ${VALUE_RULES.managedPolicyArn.allowed}`);
    return {
      name: t.name,
      schedule: t.schedule,
      image: t.image,
      command: t.command,
      cpu,
      memory,
      environment: t.environment ?? {},
      secrets,
      secretsKmsKeyArns,
      taskRoleArn: t.taskRoleArn,
      taskRolePolicyArns,
      count,
      enabled,
      logRetentionDays,
      alarmOnMissedRun,
      missedRunGraceSeconds,
      intervalSeconds,
    };
  });

  return {
    region,
    ...(config.accountId !== undefined ? { accountId: config.accountId } : {}),
    clusterName,
    network,
    instanceType,
    minInstances,
    maxInstances,
    rootVolumeGiB,
    alarmActions,
    scheduledTasks,
    tags: config.tags ?? {},
  };
}
