/**
 * The settings of where the app deploys (region, account) and of the `ecs-cluster` stack (its
 * network and instances), with the two every stack shares (alarm actions, tags). Their rules are the
 * typed config's (config.ts: VALUE_RULES, CLUSTER_LIMITS), so a setting is refused exactly where
 * `resolveClusterConfig` would refuse the same value.
 */
import { CLUSTER_LIMITS, DEFAULT_REGION, VALUE_RULES } from "../config";
import { regionProblem } from "../regions";
import { cidrProblem } from "./cidr";
import { setting } from "./setting-spec";
import { flag, list, number, pattern, stringMap, text, type Rule, type ValueType } from "./setting-types";

/** The region the stacks deploy to when none is set (ClusterStackConfig's default). */
export { DEFAULT_REGION };

/** A region: the form first, then whether the AWS SDK's partition data knows it (regions.ts). */
function region(): ValueType<string> {
  const form = text(pattern(VALUE_RULES.region.pattern, VALUE_RULES.region.allowed));
  return {
    allowed: `${VALUE_RULES.region.allowed}, one the AWS SDK knows`,
    read: (raw, kind) => {
      const r = form.read(raw, kind);
      if (!("value" in r)) return r;
      const problem = regionProblem(r.value);
      return problem === undefined ? r : { problem: problem.replace(/^"[^"]*" is /, "this is ") };
    },
  };
}

/**
 * A tag's key and value as AWS allows them across its services: a key of 1 to 128 characters, a
 * value of up to 256, letters, digits, spaces and + - = . _ : / @, no `aws:` prefix (reserved), at
 * most 50 tags a resource (Amazon ECS API Reference, "Tag"; AWS Batch User Guide, "Tag
 * restrictions"), of which the stacks' default tags take three (Project, Stack, ManagedBy).
 */
const MAX_USER_TAGS = 50 - 3;
const TAG_KEY: Rule = { test: (k) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(k) && !k.toLowerCase().startsWith("aws:"), allowed: "1-128 letters, digits, spaces and _ . : / = + - @, not beginning with aws:" };
const TAG_VALUE: Rule = { test: (v) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(v), allowed: "0-256 letters, digits, spaces and _ . : / = + - @" };

/** Where the stacks deploy, and the cluster stack's own settings. */
export const CLUSTER_SETTINGS = {
  region: setting({
    env: "ECS_RERUN_REGION",
    fallbackEnv: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    type: region(),
    meaning: "AWS region of every stack (synth prints it); one the AWS SDK's partition data knows",
    default: `\`${DEFAULT_REGION}\``,
    example: "eu-west-1",
  }),
  // The AWS provider's `allowed_account_ids`: "List of allowed AWS account IDs to prevent you from
  // mistakenly using an incorrect one" (Terraform AWS provider documentation, provider arguments).
  accountId: setting({
    env: "ECS_RERUN_ACCOUNT_ID",
    type: text(pattern(/^[0-9]{12}$/, "a 12-digit AWS account ID")),
    meaning: "the AWS account every stack deploys to: Terraform refuses other credentials (the provider's `allowed_account_ids`), the state files carry it, and cluster ARNs of other accounts are refused",
    default: "the credentials' account, unchecked",
    example: "123456789012",
  }),
  clusterName: setting({ env: "ECS_RERUN_CLUSTER_NAME", type: text(pattern(VALUE_RULES.clusterName.pattern, VALUE_RULES.clusterName.allowed)), meaning: "ECS cluster name", default: "`batch-ec2`", example: "batch" }),
  vpcId: setting({ env: "ECS_RERUN_VPC_ID", type: text(pattern(VALUE_RULES.vpcId.pattern, VALUE_RULES.vpcId.allowed)), meaning: "use this VPC instead of creating one (with `subnetIds`)", default: "a new VPC", example: "vpc-0abc" }),
  subnetIds: setting({ env: "ECS_RERUN_SUBNET_IDS", type: list(pattern(VALUE_RULES.subnetId.pattern, VALUE_RULES.subnetId.allowed)), meaning: "subnets of that VPC (with `vpcId`)", default: "—", example: ["subnet-01", "subnet-02"] }),
  assignPublicIp: setting({ env: "ECS_RERUN_ASSIGN_PUBLIC_IP", type: flag(), meaning: "give instances in those subnets a public IP (only for public subnets without a NAT; with `vpcId`)", default: "`false`", example: true }),
  vpcCidr: setting({
    env: "ECS_RERUN_VPC_CIDR",
    type: text({ test: (v) => cidrProblem(v, CLUSTER_LIMITS.vpcPrefix.min, CLUSTER_LIMITS.vpcPrefix.max) === undefined, allowed: `an IPv4 network block with a prefix from /${CLUSTER_LIMITS.vpcPrefix.min} to /${CLUSTER_LIMITS.vpcPrefix.max}, such as "10.42.0.0/16"` }),
    meaning: "CIDR block of the new VPC (without `vpcId`)",
    default: "`10.42.0.0/16`",
    example: "10.50.0.0/16",
  }),
  instanceType: setting({ env: "ECS_RERUN_INSTANCE_TYPE", type: text(pattern(CLUSTER_LIMITS.instanceType.pattern, CLUSTER_LIMITS.instanceType.allowed)), meaning: "EC2 instance type of the cluster's instances (a job's memory and cpu must fit one)", default: "`t3.small`", example: "t3.medium" }),
  minInstances: setting({ env: "ECS_RERUN_MIN_INSTANCES", type: number(CLUSTER_LIMITS.minInstances, "instances"), meaning: "fewest instances (0: the capacity provider scales from zero)", default: "`0`", example: 1 }),
  maxInstances: setting({ env: "ECS_RERUN_MAX_INSTANCES", type: number(CLUSTER_LIMITS.maxInstances, "instances"), meaning: "most instances", default: "`2`", example: 4 }),
  rootVolumeGiB: setting({ env: "ECS_RERUN_ROOT_VOLUME_GIB", type: number(CLUSTER_LIMITS.rootVolumeGiB, "GiB"), meaning: "root volume of each instance (the ECS-optimized AMI needs 30)", default: "`30`", example: 50 }),
  alarmActions: setting({
    env: "ECS_RERUN_ALARM_ACTIONS",
    type: list(pattern(VALUE_RULES.snsTopicArn.pattern, VALUE_RULES.snsTopicArn.allowed)),
    meaning: "SNS topic ARNs every alarm notifies: the cluster's, the pipeline's (besides its topic) and the spoke's",
    default: "none",
    module: "alarm_actions",
    prop: "alarmActions",
    spokeProp: "alarmActions",
    example: ["arn:aws:sns:eu-west-1:123456789012:ops"],
  }),
  tags: setting({
    env: "ECS_RERUN_TAGS",
    type: stringMap(TAG_KEY, TAG_VALUE, MAX_USER_TAGS),
    meaning: "tags on every resource of every stack, beside `Project`, `Stack` and `ManagedBy`",
    default: "none",
    module: "tags",
    example: { Team: "batch", CostCenter: "42" },
  }),
};
