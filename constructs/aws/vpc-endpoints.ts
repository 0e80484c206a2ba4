/**
 * VPC endpoints, so image pulls, logs, secret reads and metrics stay inside AWS instead of crossing
 * the NAT gateways (cheaper per GB, and a NAT outage no longer stops tasks from starting):
 *
 * - the S3 gateway endpoint on the private route tables, always: ECR serves image layers from S3,
 *   and Fargate (platform 1.4.0+) pulling through the ECR endpoints needs ecr.api, ecr.dkr and
 *   this gateway endpoint (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
 *   It is free and needs no security group;
 * - one interface endpoint per listed service, with private DNS in the private subnets, so the
 *   service's usual name resolves to the endpoint for everything in the VPC. Private DNS needs
 *   enableDnsSupport and enableDnsHostnames on the VPC, which `network.ts` sets
 *   (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/-create-vpc-endpoint-request/private-dns-enabled.html).
 *
 * Because private DNS captures the name VPC-wide, every component that calls AWS must be admitted
 * by the endpoints' security group, or its calls time out even though NAT is there: `admit` adds
 * the ingress on 443 and the client's matching egress, and the reachability policy rule checks it.
 */
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { InterfaceEndpointService } from '../../spec/defaults';

export const HTTPS_PORT = 443;

export interface AwsVpcEndpointsProps {
  readonly stackId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Subnets that get one endpoint network interface each (one per zone). */
  readonly privateSubnetIds: readonly string[];
  /**
   * Route tables of the private subnets, for the S3 gateway endpoint.
   * @default [] — no gateway endpoint: an existing VPC's routes belong to its owner.
   */
  readonly privateRouteTableIds?: readonly string[];
  /**
   * Services reached through interface endpoints.
   * @default [] — everything through NAT; the spec resolves the production default.
   */
  readonly services?: readonly InterfaceEndpointService[];
}

export class AwsVpcEndpoints extends Construct {
  /** The S3 gateway endpoint, when the private route tables are known. */
  readonly s3Gateway?: VpcEndpoint;
  /** The interface endpoints' group; undefined when there are none. */
  readonly securityGroup?: SecurityGroup;
  readonly interfaceEndpoints: Readonly<Partial<Record<InterfaceEndpointService, VpcEndpoint>>>;
  private readonly admitted = new Set<string>();

  constructor(scope: Construct, id: string, props: AwsVpcEndpointsProps) {
    super(scope, id);
    const { stackId, region, vpcId } = props;
    const routeTables = props.privateRouteTableIds ?? [];
    if (routeTables.length > 0) {
      this.s3Gateway = new VpcEndpoint(this, 's3', {
        vpcId,
        serviceName: `com.amazonaws.${region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [...routeTables],
        tags: { Name: `${stackId}-s3` },
      });
    }

    const services = [...new Set(props.services ?? [])];
    const endpoints: Partial<Record<InterfaceEndpointService, VpcEndpoint>> = {};
    if (services.length > 0) {
      // No rules inline and no egress: the endpoints only answer. Ingress comes from `admit`.
      this.securityGroup = new SecurityGroup(this, 'sg', {
        name: `${stackId}-endpoints`,
        description: `celerykit ${stackId}: interface VPC endpoints; HTTPS from the kit's tasks only`,
        vpcId,
        tags: { Name: `${stackId}-endpoints` },
        lifecycle: { createBeforeDestroy: true },
      });
      for (const service of services) {
        endpoints[service] = new VpcEndpoint(this, service.replace('.', '-'), {
          vpcId,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: [...props.privateSubnetIds],
          securityGroupIds: [this.securityGroup.id],
          tags: { Name: `${stackId}-${service}` },
        });
      }
    }
    this.interfaceEndpoints = endpoints;
  }

  /**
   * Lets one component's group reach the endpoints on 443: ingress on the endpoints' group and the
   * client's egress to it, plus egress to the S3 prefix list (image layers) through the gateway.
   * The prefix list id is an attribute of the gateway endpoint, known after apply, so no data
   * source has to call AWS at plan time.
   */
  admit(client: string, securityGroupId: string): void {
    if (this.admitted.has(client)) throw new Error(`AwsVpcEndpoints: ${client} is already admitted`);
    this.admitted.add(client);
    const https = { ipProtocol: 'tcp', fromPort: HTTPS_PORT, toPort: HTTPS_PORT };
    if (this.s3Gateway !== undefined) {
      new VpcSecurityGroupEgressRule(this, `${client}-to-s3`, { securityGroupId, prefixListId: this.s3Gateway.prefixListId, ...https, description: 'S3 (image layers) through the gateway endpoint' });
    }
    if (this.securityGroup === undefined) return;
    new VpcSecurityGroupIngressRule(this, `from-${client}`, { securityGroupId: this.securityGroup.id, referencedSecurityGroupId: securityGroupId, ...https, description: `${client} to the AWS APIs` });
    new VpcSecurityGroupEgressRule(this, `${client}-to-endpoints`, { securityGroupId, referencedSecurityGroupId: this.securityGroup.id, ...https, description: 'AWS APIs through the interface endpoints' });
  }
}
