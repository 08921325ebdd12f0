/** The cluster's network: a new two-AZ VPC with public subnets, or the subnets of an existing one. */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import type { NetworkConfig } from "../config";

/** Props of {@link Network}. */
export interface NetworkProps {
  /** A new VPC, or the IDs of an existing one. */
  readonly config: NetworkConfig;
  /** Prefix of the Name tags. */
  readonly name: string;
  /** Availability zones of a new VPC (two is enough to ride out one AZ's outage). @default 2 */
  readonly azCount?: number;
}

/**
 * The subnets the cluster's instances run in: a new VPC with public subnets (no NAT gateway, which
 * would cost more than the batch instances) or the subnets of an existing VPC.
 */
export class Network extends Construct {
  /** ID of the VPC. */
  public readonly vpcId: string;
  /** IDs of the subnets instances are placed in. */
  public readonly subnetIds: string[];
  /** Whether instances need a public IP to reach ECS, ECR and CloudWatch (public subnets, no NAT). */
  public readonly assignPublicIp: boolean;
  /** The new VPC, when one is created. */
  public readonly vpc?: Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azCount = props.azCount ?? 2;
    if (!Number.isInteger(azCount) || azCount < 1 || azCount > 6) {
      throw new Error(`azCount = ${azCount} is invalid: expected a whole number from 1 to 6`);
    }
    const config = props.config;
    if (config.kind === "existing") {
      this.vpcId = config.vpcId;
      this.subnetIds = [...config.subnetIds];
      this.assignPublicIp = config.assignPublicIp ?? false;
      return;
    }

    const cidr = config.cidr ?? "10.42.0.0/16";
    const azs = new DataAwsAvailabilityZones(this, "azs", { state: "available" });
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: { Name: props.name } });
    const routes = new RouteTable(this, "public-routes", {
      vpcId: vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${props.name}-public` },
    });
    this.subnetIds = [];
    for (let i = 0; i < azCount; i++) {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        availabilityZone: Fn.element(azs.names, i),
        cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 4, i),
        // Public IPs come from the launch template, so nothing else launched here gets one by surprise.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}` },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: routes.id });
      this.subnetIds.push(subnet.id);
    }
    this.vpc = vpc;
    this.vpcId = vpc.id;
    this.assignPublicIp = true;
  }
}
