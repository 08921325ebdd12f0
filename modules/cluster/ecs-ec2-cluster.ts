/** An ECS cluster on EC2: launch template, Auto Scaling group and capacity provider, done properly. */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { assumeRolePolicy } from "../iam";
import { IAM_NAME_LIMITS, regionalIamName } from "../iam-names";

/** The public SSM parameter AWS keeps pointed at the current ECS-optimized Amazon Linux 2023 AMI. */
export const ECS_AL2023_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/** Props of {@link EcsEc2Cluster}. */
export interface EcsEc2ClusterProps {
  /** Cluster name. */
  readonly clusterName: string;
  /** Region, which the instances' IAM names carry (IAM names are global in an account). */
  readonly region: string;
  /** VPC of the instances. */
  readonly vpcId: string;
  /** Subnets the Auto Scaling group spreads instances over. */
  readonly subnetIds: string[];
  /** Give instances a public IP (public subnets without NAT). @default false */
  readonly assignPublicIp?: boolean;
  /** EC2 instance type. @default "t3.small" */
  readonly instanceType?: string;
  /** Fewest instances. @default 0 */
  readonly minInstances?: number;
  /** Most instances. @default 2 */
  readonly maxInstances?: number;
  /** Root volume size in GiB. @default 30 */
  readonly rootVolumeGiB?: number;
}

/**
 * An ECS cluster on EC2: launch template on the ECS-optimized AL2023 AMI, Auto Scaling group and a
 * capacity provider with managed scaling, draining and termination protection as the default strategy.
 */
export class EcsEc2Cluster extends Construct {
  /** The ECS cluster. */
  public readonly cluster: EcsCluster;
  /** The capacity provider tasks launch through. */
  public readonly capacityProvider: EcsCapacityProvider;
  /** The Auto Scaling group of container instances. */
  public readonly autoScalingGroup: AutoscalingGroup;
  /** The instances' launch template. */
  public readonly launchTemplate: LaunchTemplate;
  /** The instances' security group (no inbound rules). */
  public readonly securityGroup: SecurityGroup;
  /** The instances' IAM role. */
  public readonly instanceRole: IamRole;

  constructor(scope: Construct, id: string, props: EcsEc2ClusterProps) {
    super(scope, id);
    if (props.subnetIds.length === 0) throw new Error("subnetIds = [] is invalid: expected at least one subnet");
    const instanceType = props.instanceType ?? "t3.small";
    const minInstances = props.minInstances ?? 0;
    const maxInstances = props.maxInstances ?? 2;
    const rootVolumeGiB = props.rootVolumeGiB ?? 30;
    const name = props.clusterName;

    this.cluster = new EcsCluster(this, "cluster", {
      name,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });

    const ami = new DataAwsSsmParameter(this, "ami", { name: ECS_AL2023_AMI_PARAMETER });

    this.instanceRole = new IamRole(this, "instance-role", {
      name: regionalIamName([name, "instance"], props.region),
      assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
    });
    // AWS-managed policies: the agent's needs change with agent releases, and AWS keeps these in step.
    const partition = new DataAwsPartition(this, "partition");
    for (const [policyId, policy] of [
      ["ecs-for-ec2", "service-role/AmazonEC2ContainerServiceforEC2Role"],
      ["ssm-core", "AmazonSSMManagedInstanceCore"],
    ] as const) {
      new IamRolePolicyAttachment(this, `instance-${policyId}`, {
        role: this.instanceRole.name,
        policyArn: `arn:${partition.partition}:iam::aws:policy/${policy}`,
      });
    }
    const profile = new IamInstanceProfile(this, "instance-profile", {
      name: regionalIamName([name, "instance"], props.region, IAM_NAME_LIMITS.instanceProfileName),
      role: this.instanceRole.name,
    });

    this.securityGroup = new SecurityGroup(this, "instances", {
      name: `${name}-instances`,
      description: `ECS container instances of ${name}: no inbound access; outbound to reach ECS, ECR and CloudWatch`,
      vpcId: props.vpcId,
      egress: [{ description: "all outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
      tags: { Name: `${name}-instances` },
    });

    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      name: `${name}-instances`,
      imageId: ami.insecureValue,
      instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // One hop: containers in bridge mode cannot reach the instance role's credentials.
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: rootVolumeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      networkInterfaces: [
        { associatePublicIpAddress: String(props.assignPublicIp ?? false), securityGroups: [this.securityGroup.id], deleteOnTermination: "true" },
      ],
      monitoring: { enabled: true },
      userData: Fn.base64encode(
        ["#!/bin/bash", `echo ECS_CLUSTER=${name} >> /etc/ecs/ecs.config`, "echo ECS_ENABLE_CONTAINER_METADATA=true >> /etc/ecs/ecs.config", ""].join("\n"),
      ),
      tagSpecifications: [{ resourceType: "instance", tags: { Name: `${name}-instance` } }],
      updateDefaultVersion: true,
    });

    this.autoScalingGroup = new AutoscalingGroup(this, "instances-asg", {
      name: `${name}-instances`,
      minSize: minInstances,
      maxSize: maxInstances,
      vpcZoneIdentifier: props.subnetIds,
      launchTemplate: { id: this.launchTemplate.id, version: "$Latest" },
      // Managed termination protection only works when instances are protected from scale-in.
      protectFromScaleIn: true,
      healthCheckType: "EC2",
      // ECS owns the desired capacity through managed scaling; Terraform must not fight it.
      lifecycle: { ignoreChanges: ["desired_capacity"] },
      tag: [
        // ECS requires this tag on an ASG used by a capacity provider with managed scaling.
        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
        { key: "Name", value: `${name}-instance`, propagateAtLaunch: true },
      ],
    });

    this.capacityProvider = new EcsCapacityProvider(this, "capacity-provider", {
      name: `${name}-ec2`,
      autoScalingGroupProvider: {
        autoScalingGroupArn: this.autoScalingGroup.arn,
        managedTerminationProtection: "ENABLED",
        managedDraining: "ENABLED",
        managedScaling: { status: "ENABLED", targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2 },
      },
    });

    new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: [this.capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.capacityProvider.name, weight: 1, base: 0 }],
    });
  }
}
