/**
 * One security group per component, so each rule names exactly who may talk to whom. The broker
 * admits only the kit's workers, exporter, Flower and scheduled tasks, on the broker's own ports.
 */
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

/** Components that are clients of the broker. */
export const BROKER_CLIENTS = ['workers', 'exporter', 'flower', 'scheduled-tasks'] as const;
export type BrokerClient = (typeof BROKER_CLIENTS)[number];

export interface AwsSecurityGroupsProps {
  readonly stackId: string;
  readonly vpcId: string;
  /** TCP ports every broker client may reach on the broker (e.g. 6379, or 5671). */
  readonly brokerPorts: readonly number[];
  /** Extra broker ports only Flower and the exporter may reach (the RabbitMQ management API). */
  readonly brokerManagementPorts?: readonly number[];
}

export class AwsSecurityGroups extends Construct {
  readonly broker: SecurityGroup;
  readonly clients: Readonly<Record<BrokerClient, SecurityGroup>>;

  constructor(scope: Construct, id: string, props: AwsSecurityGroupsProps) {
    super(scope, id);
    const { stackId, vpcId } = props;

    // No inline rules: rules are separate resources, and an empty inline list would make Terraform
    // fight them. The broker has no egress at all; it never opens connections.
    this.broker = new SecurityGroup(this, 'broker', {
      name: `${stackId}-broker`,
      description: `celerykit ${stackId}: the Celery broker; admits only the kit's broker clients`,
      vpcId,
      tags: { Name: `${stackId}-broker` },
      lifecycle: { createBeforeDestroy: true },
    });

    const clients = {} as Record<BrokerClient, SecurityGroup>;
    for (const client of BROKER_CLIENTS) {
      const group = new SecurityGroup(this, client, {
        name: `${stackId}-${client}`,
        description: `celerykit ${stackId}: ${client}`,
        vpcId,
        tags: { Name: `${stackId}-${client}` },
        lifecycle: { createBeforeDestroy: true },
      });
      // Outbound HTTPS and the broker through NAT/VPC: image pulls, Secrets Manager, CloudWatch, the
      // app's own APIs. Egress is open because task code calls arbitrary third parties.
      new VpcSecurityGroupEgressRule(this, `${client}-egress`, {
        securityGroupId: group.id,
        ipProtocol: '-1',
        cidrIpv4: '0.0.0.0/0',
        description: 'outbound to the broker, AWS APIs and the app dependencies',
      });
      clients[client] = group;
      for (const port of props.brokerPorts) this.admit(client, group, port);
      if (client === 'flower' || client === 'exporter') for (const port of props.brokerManagementPorts ?? []) this.admit(client, group, port);
    }
    this.clients = clients;
  }

  private admit(client: BrokerClient, group: SecurityGroup, port: number): void {
    new VpcSecurityGroupIngressRule(this, `broker-from-${client}-${port}`, {
      securityGroupId: this.broker.id,
      referencedSecurityGroupId: group.id,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description: `${client} to the broker on ${port}`,
    });
  }
}
