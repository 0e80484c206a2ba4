/**
 * One security group per component, so each rule names exactly who may talk to whom. The broker
 * admits only the kit's workers, exporter, Flower and scheduled tasks, on the broker's own ports;
 * each of them reaches the broker on those ports, HTTPS, and (app code only) `appEgress`.
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
  /**
   * Extra broker ports only Flower may reach (the RabbitMQ management API, for its broker tab);
   * celery-exporter reads queue lengths over AMQP (passive queue.declare, src/exporter.py of
   * danihodovic/celery-exporter), so it gets none.
   */
  readonly brokerManagementPorts?: readonly number[];
  /**
   * TCP destinations besides the broker and 443 that the app's code connects to (workers and
   * scheduled tasks only; the kit's own components never need them).
   * @default [] — the app reaches only the broker and HTTPS.
   */
  readonly appEgress?: ReadonlyArray<{ readonly port: number; readonly cidr: string }>;
}

/** Components that run the app's own code, and so may need `appEgress`. */
const APP_CLIENTS: readonly BrokerClient[] = ['workers', 'scheduled-tasks'];

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
      clients[client] = group;
      const ports = [...props.brokerPorts, ...(client === 'flower' ? (props.brokerManagementPorts ?? []) : [])];
      const precise = ports.map((port) => this.admit(client, group, port));
      if (APP_CLIENTS.includes(client)) {
        (props.appEgress ?? []).forEach(({ port, cidr }, i) =>
          precise.push(new VpcSecurityGroupEgressRule(this, `${client}-app-egress-${i}`, { securityGroupId: group.id, ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIpv4: cidr, description: `app dependency on ${port} (network.appEgress)` })),
        );
      }
      // HTTPS anywhere, through NAT: the kit's side images (ghcr.io, Docker Hub, public.ecr.aws),
      // AWS APIs that have no interface endpoint here, and the app's HTTPS APIs. Nothing else goes
      // to the internet. This rule keeps the address it had when it allowed all traffic, so the
      // provider narrows it in place (ModifySecurityGroupRules,
      // https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2/vpc_security_group_rule.go),
      // and only after the precise rules exist, so running tasks never lose the broker mid-apply.
      new VpcSecurityGroupEgressRule(this, `${client}-egress`, {
        securityGroupId: group.id,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: '0.0.0.0/0',
        description: 'HTTPS through NAT: public image registries, AWS APIs without an endpoint, the app APIs',
        dependsOn: precise,
      });
    }
    this.clients = clients;
  }

  /** The broker admits the client on `port`, and the client's egress reaches the broker there. */
  private admit(client: BrokerClient, group: SecurityGroup, port: number): VpcSecurityGroupEgressRule {
    const rule = { ipProtocol: 'tcp', fromPort: port, toPort: port };
    new VpcSecurityGroupIngressRule(this, `broker-from-${client}-${port}`, { securityGroupId: this.broker.id, referencedSecurityGroupId: group.id, ...rule, description: `${client} to the broker on ${port}` });
    return new VpcSecurityGroupEgressRule(this, `${client}-to-broker-${port}`, { securityGroupId: group.id, referencedSecurityGroupId: this.broker.id, ...rule, description: `to the broker on ${port}` });
  }
}
