/** The left side's stack: network, ECS-on-EC2 cluster, scheduled tasks and their dead-letter queue. */
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { resolveClusterConfig, type ClusterStackConfig, type ResolvedClusterStackConfig } from "../config";
import { EcsEc2Cluster } from "./ecs-ec2-cluster";
import { Network } from "./network";
import { ScheduleDeadLetterQueue } from "./schedule-dead-letter-queue";
import { ScheduledTask } from "./scheduled-task";
import { addLocalState } from "../state-file";

/** The "left side": an ECS-on-EC2 cluster and the scheduled batch jobs it runs. */
export class EcsClusterStack extends TerraformStack {
  /** The config with defaults applied. */
  public readonly config: ResolvedClusterStackConfig;
  /** Subnets the instances run in. */
  public readonly network: Network;
  /** Cluster, instances and capacity provider. */
  public readonly ecs: EcsEc2Cluster;
  /** Dead-letter queue of the schedules. */
  public readonly deadLetterQueue: ScheduleDeadLetterQueue;
  /** The scheduled jobs, by name. */
  public readonly scheduledTasks: Record<string, ScheduledTask> = {};

  constructor(scope: Construct, id: string, config: ClusterStackConfig) {
    super(scope, id);
    const c = resolveClusterConfig(config);
    this.config = c;

    new AwsProvider(this, "aws", {
      region: c.region,
      ...(c.accountId !== undefined ? { allowedAccountIds: [c.accountId] } : {}),
      defaultTags: [{ tags: { Project: "ecs-rerun", Stack: id, ManagedBy: "cdktf", ...c.tags } }],
    });
    addLocalState(this, id, c.region, c.accountId);
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    this.network = new Network(this, "network", { config: c.network, name: c.clusterName });
    this.ecs = new EcsEc2Cluster(this, "ecs", {
      clusterName: c.clusterName,
      region: c.region,
      vpcId: this.network.vpcId,
      subnetIds: this.network.subnetIds,
      assignPublicIp: this.network.assignPublicIp,
      instanceType: c.instanceType,
      minInstances: c.minInstances,
      maxInstances: c.maxInstances,
      rootVolumeGiB: c.rootVolumeGiB,
    });
    this.deadLetterQueue = new ScheduleDeadLetterQueue(this, "schedule-dlq", {
      name: `${c.clusterName}-schedule-dlq`,
      sourceRuleArnPattern: `arn:${partition.partition}:events:${c.region}:${account.accountId}:rule/${c.clusterName}-*`,
      alarmActions: c.alarmActions,
    });
    for (const task of c.scheduledTasks) {
      this.scheduledTasks[task.name] = new ScheduledTask(this, `task-${task.name}`, {
        task,
        clusterName: c.clusterName,
        clusterArn: this.ecs.cluster.arn,
        capacityProviderName: this.ecs.capacityProvider.name,
        deadLetterQueueArn: this.deadLetterQueue.queue.arn,
        region: c.region,
        accountId: account.accountId,
        partition: partition.partition,
      });
    }

    new TerraformOutput(this, "cluster_name", { value: this.ecs.cluster.name, description: "Name of the ECS cluster" });
    new TerraformOutput(this, "cluster_arn", { value: this.ecs.cluster.arn, description: "ARN of the ECS cluster" });
    new TerraformOutput(this, "capacity_provider_name", { value: this.ecs.capacityProvider.name, description: "Capacity provider tasks launch through" });
    new TerraformOutput(this, "schedule_dlq_url", { value: this.deadLetterQueue.queue.url, description: "Dead-letter queue of undeliverable scheduled invocations" });
  }
}
