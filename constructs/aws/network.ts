/**
 * Private networking for one deployment: a VPC with a private subnet per zone (workers, broker,
 * exporter), NAT egress through small public subnets, and a default security group that admits
 * nothing. Or, when the file names an existing VPC, nothing is created and its subnets are used.
 */
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { planSubnets } from '../../spec/network-plan';
import type { NetworkSpec } from '../../spec/types';

export interface AwsNetworkProps {
  /** `<customer>-<environment>`, for resource names. */
  readonly stackId: string;
  /** Create a network, or use an existing one. */
  readonly network: NetworkSpec;
  /**
   * One NAT gateway per zone, so losing a zone does not cut the other zones' egress.
   * @default true — production default; non-production files share one NAT gateway to save cost.
   */
  readonly natPerZone?: boolean;
}

export class AwsNetwork extends Construct {
  /** VPC id (a reference when created here, the literal id when existing). */
  readonly vpcId: string;
  /** Private subnets, one per zone, in zone order. Nothing here gets a public IP. */
  readonly privateSubnetIds: string[];
  /** Route tables of the private subnets (the S3 gateway endpoint's routes); empty for an existing VPC. */
  readonly privateRouteTableIds: string[] = [];
  /** Public subnets (NAT gateways and the monitoring load balancer only). */
  readonly publicSubnetIds: string[];
  readonly zones: readonly string[];
  /**
   * The private subnets' way out: their route tables (0.0.0.0/0 to a NAT gateway) and associations.
   * A Fargate task in a private subnet pulls its image and its secrets through NAT; started before
   * the route exists, it fails after 3 minutes
   * (https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error). Empty for an existing
   * network, whose routes are not in this stack.
   */
  readonly privateEgress: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: AwsNetworkProps) {
    super(scope, id);
    const { network, stackId } = props;
    this.zones = network.zones;
    if (network.mode === 'existing-aws') {
      this.vpcId = network.vpcId;
      this.privateSubnetIds = [...network.subnetIds];
      this.publicSubnetIds = [...network.publicSubnetIds];
      return;
    }
    if (network.mode !== 'create') throw new Error(`AwsNetwork cannot use a ${network.mode} network (${stackId})`);

    const vpc = new Vpc(this, 'vpc', { cidrBlock: network.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: stackId } });
    this.vpcId = vpc.id;

    // The default security group is attached to anything created without one; make it admit nothing.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${stackId}-default-deny` } });

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: stackId } });
    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: { Name: `${stackId}-public` },
    });

    // Address plan (spec/network-plan.ts): large private subnets, one per zone, and small public
    // ones cut from the last block of the range for the NAT gateways and the monitoring load
    // balancer. The file checks refused every range and zone count it cannot lay out.
    const plan = planSubnets(network.cidr, network.zones.length);
    if (plan === undefined) throw new Error(`AwsNetwork cannot lay out ${network.zones.length} zones in ${network.cidr} (${stackId})`);
    const natPerZone = props.natPerZone ?? true;
    const nats: NatGateway[] = [];
    this.privateSubnetIds = [];
    this.publicSubnetIds = [];
    network.zones.forEach((zone, i) => {
      const publicSubnet = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.public[i]!,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${stackId}-public-${zone}`, tier: 'public' },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      this.publicSubnetIds.push(publicSubnet.id);
      if (natPerZone || i === 0) {
        const eip = new Eip(this, `nat-${i}-ip`, { domain: 'vpc', tags: { Name: `${stackId}-nat-${zone}` } });
        nats.push(new NatGateway(this, `nat-${i}`, { allocationId: eip.id, subnetId: publicSubnet.id, tags: { Name: `${stackId}-${zone}` }, dependsOn: [igw] }));
      }

      const privateSubnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: plan.private[i]!,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${stackId}-private-${zone}`, tier: 'private' },
      });
      const privateRoutes = new RouteTable(this, `private-${i}-routes`, {
        vpcId: vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nats[natPerZone ? i : 0]!.id }],
        tags: { Name: `${stackId}-private-${zone}` },
      });
      const association = new RouteTableAssociation(this, `private-${i}-association`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id });
      this.privateEgress.push(privateRoutes, association);
      this.privateSubnetIds.push(privateSubnet.id);
      this.privateRouteTableIds.push(privateRoutes.id);
    });
  }
}
