import { Testing } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { EcsClusterStack } from "../../modules/cluster/ecs-cluster-stack";
import { ECS_AL2023_AMI_PARAMETER } from "../../modules/cluster/ecs-ec2-cluster";
import type { ClusterStackConfig } from "../../modules/config";
import { DEMO_JOB } from "../../jobs";
import { asList, iamStatements, resourcesOf, synthJson } from "../support/synth";

function synthCluster(config: ClusterStackConfig = {}) {
  const stack = new EcsClusterStack(Testing.app(), "ecs-cluster", { scheduledTasks: [DEMO_JOB], ...config });
  const raw = Testing.synth(stack);
  return { stack, raw, tf: synthJson(stack) };
}

describe("ecs-cluster stack", () => {
  const { raw, tf } = synthCluster({
    scheduledTasks: [
      DEMO_JOB,
      { name: "nightly-report", schedule: "cron(0 3 * * ? *)", expectedIntervalSeconds: 86400, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/reports:1.2", count: 2 },
    ],
  });

  test("requires IMDSv2 with one hop on the launch template", () => {
    expect(raw).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" },
    });
  });

  test("takes the AMI from the public SSM parameter, never a literal ami- id", () => {
    expect(raw).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: ECS_AL2023_AMI_PARAMETER });
    const lt = resourcesOf(tf, "aws_launch_template")[0];
    expect(lt.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\.[^}]+\.insecure_value\}$/);
    expect(raw).not.toMatch(/ami-[0-9a-f]{8,}/);
  });

  test("encrypts the root volume and joins the cluster in user data", () => {
    expect(raw).toHaveResourceWithProperties(LaunchTemplate, {
      block_device_mappings: [expect.objectContaining({ ebs: expect.objectContaining({ encrypted: "true", volume_type: "gp3" }) })],
    });
    expect(resourcesOf(tf, "aws_launch_template")[0].user_data).toContain("ECS_CLUSTER=batch-ec2");
  });

  test("opens no inbound port on the instances", () => {
    const groups = resourcesOf(tf, "aws_security_group");
    expect(groups).toHaveLength(1);
    expect(groups[0].ingress ?? []).toEqual([]);
    expect(tf.resource?.aws_security_group_rule).toBeUndefined();
    expect(tf.resource?.aws_vpc_security_group_ingress_rule).toBeUndefined();
  });

  test("turns Container Insights on", () => {
    expect(raw).toHaveResourceWithProperties(EcsCluster, { name: "batch-ec2", setting: [{ name: "containerInsights", value: "enabled" }] });
  });

  test("scales through a capacity provider with managed scaling, draining and termination protection", () => {
    expect(raw).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: {
        auto_scaling_group_arn: expect.stringContaining("aws_autoscaling_group"),
        managed_termination_protection: "ENABLED",
        managed_draining: "ENABLED",
        managed_scaling: expect.objectContaining({ status: "ENABLED", target_capacity: 100 }),
      },
    });
    // Managed termination protection is refused by ECS unless the ASG protects instances from scale-in.
    expect(raw).toHaveResourceWithProperties(AutoscalingGroup, { protect_from_scale_in: true, min_size: 0 });
    expect(raw).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      default_capacity_provider_strategy: [expect.objectContaining({ capacity_provider: expect.stringContaining("aws_ecs_capacity_provider") })],
    });
  });

  test("launches every scheduled task through the capacity provider, with retries and a dead-letter queue", () => {
    const targets = resourcesOf(tf, "aws_cloudwatch_event_target");
    expect(targets).toHaveLength(2);
    for (const t of targets) {
      const ecs = t.ecs_target as Record<string, unknown>;
      expect(ecs.capacity_provider_strategy).toEqual([expect.objectContaining({ weight: 1 })]);
      expect(ecs.launch_type).toBeUndefined();
      expect(t.retry_policy).toEqual({ maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 });
      expect(t.dead_letter_config).toEqual({ arn: expect.stringContaining("aws_sqs_queue") });
    }
    expect(raw).toHaveResourceWithProperties(CloudwatchEventTarget, { ecs_target: expect.objectContaining({ task_count: 2 }) });
  });

  test("alarms when the schedules' dead-letter queue is not empty", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
  });

  test("grants no Action '*', and RunTask only on the family with an ecs:cluster condition", () => {
    const statements = iamStatements(tf);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(asList(s.Action)).not.toContain("*");
    const runTask = statements.filter((s) => asList(s.Action).includes("ecs:RunTask"));
    expect(runTask).toHaveLength(2);
    for (const s of runTask) {
      expect(asList(s.Resource)).not.toContain("*");
      expect(asList(s.Resource)).toEqual([expect.stringMatching(/arn_without_revision\}:\*$/)]);
      expect(s.Condition).toEqual({ ArnEquals: { "ecs:cluster": expect.stringContaining("aws_ecs_cluster") } });
    }
  });

  test("passes only the task's own roles, and only to ECS tasks", () => {
    const passRole = iamStatements(tf).filter((s) => asList(s.Action).includes("iam:PassRole"));
    expect(passRole).toHaveLength(2);
    for (const s of passRole) {
      expect(s.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
      expect(asList(s.Resource)).toHaveLength(2);
      for (const r of asList(s.Resource)) expect(r).toMatch(/^\$\{aws_iam_role\./);
    }
  });

  test("lets the execution role pull only from the image's own ECR repository", () => {
    const pull = iamStatements(tf).filter((s) => s.Sid === "PullThisRepository");
    expect(pull).toEqual([expect.objectContaining({ Resource: expect.stringMatching(/:ecr:us-east-1:123456789012:repository\/reports$/) })]);
  });

  test("creates a VPC over two AZs with public subnets and no NAT gateway by default", () => {
    expect(raw).toHaveResource(Vpc);
    expect(resourcesOf(tf, "aws_subnet")).toHaveLength(2);
    expect(tf.resource?.aws_nat_gateway).toBeUndefined();
    expect(resourcesOf(tf, "aws_launch_template")[0].network_interfaces).toEqual([
      expect.objectContaining({ associate_public_ip_address: "true" }),
    ]);
  });

  test("uses existing subnets and creates no VPC when given IDs", () => {
    const { raw: existing, tf: existingTf } = synthCluster({
      network: { kind: "existing", vpcId: "vpc-0abc", subnetIds: ["subnet-01", "subnet-02"] },
    });
    expect(existing).not.toHaveResource(Vpc);
    expect(existing).toHaveResourceWithProperties(AutoscalingGroup, { vpc_zone_identifier: ["subnet-01", "subnet-02"] });
    expect(resourcesOf(existingTf, "aws_launch_template")[0].network_interfaces).toEqual([
      expect.objectContaining({ associate_public_ip_address: "false" }),
    ]);
  });

  test("rejects a bad config at synth time, naming the value", () => {
    expect(() => synthCluster({ scheduledTasks: [{ name: "x", schedule: "every day", image: "busybox" }] })).toThrow(
      /scheduledTasks\[0\]\.schedule: schedule "every day" is neither rate\(\.\.\.\) nor cron\(\.\.\.\)/,
    );
    expect(() => synthCluster({ network: { kind: "existing", vpcId: "vpc-0abc", subnetIds: [] } })).toThrow(
      /network\.subnetIds = \[\] is invalid: expected at least one subnet ID/,
    );
  });
});
