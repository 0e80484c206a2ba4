/**
 * A small AWS network for the reachability rule's cases: a broker group admitting one task group,
 * the task's service, an interface endpoint with private DNS, and an OIDC load balancer. Each
 * option breaks exactly one path.
 */
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { TerraformStack } from 'cdktf';

export interface ReachabilityBreaks {
  /** The task's egress allows all traffic to anywhere instead of 443. */
  readonly openEgress?: boolean;
  /** The endpoint's group does not admit the task. */
  readonly endpointClosed?: boolean;
  /** The task has no egress to the broker. */
  readonly noBrokerEgress?: boolean;
  /** The OIDC load balancer has no 443 out. */
  readonly noIdpEgress?: boolean;
  /** No interface endpoint and no 443 out: the task reaches no AWS API (image pull, logs, secrets). */
  readonly noApiEgress?: boolean;
  /** The task's egress names the broker on a port the broker does not admit it on. */
  readonly unadmittedEgress?: boolean;
  /** The task may send SMTP (25) to anywhere. */
  readonly smtpAnywhere?: boolean;
  /** The task may reach a port range of an address range. */
  readonly portRangeToRange?: boolean;
  /** The task reads the broker URL, but neither the broker's ingress nor the task's egress names the other. */
  readonly noBrokerPath?: boolean;
}

export function reachabilityNetwork(stack: TerraformStack, breaks: ReachabilityBreaks = {}): void {
  const group = (name: string) => new SecurityGroup(stack, name, { name, vpcId: 'vpc-1' });
  const [broker, workers, endpoints, alb] = ['broker', 'workers', 'endpoints', 'alb'].map(group) as [SecurityGroup, SecurityGroup, SecurityGroup, SecurityGroup];
  const tcp = (port: number) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port });

  // The workers' tasks read a URL of this replication group, so they must reach it on its port.
  const redis = new ElasticacheReplicationGroup(stack, 'redis', { replicationGroupId: 'r', description: 'd', port: 6379, securityGroupIds: [broker.id] });
  const url = new SecretsmanagerSecret(stack, 'broker-url', { name: 'broker-url' });
  new SecretsmanagerSecretVersion(stack, 'broker-url-value', { secretId: url.id, secretString: `rediss://celery-app:p@${redis.primaryEndpointAddress}:6379/0` });
  const task = new EcsTaskDefinition(stack, 'workers-task', { family: 'workers', containerDefinitions: JSON.stringify([{ name: 'worker', image: 'i:1', essential: true, secrets: [{ name: 'CELERY_BROKER_URL', valueFrom: url.arn }] }]) });

  if (!breaks.noBrokerPath) new VpcSecurityGroupIngressRule(stack, 'broker-from-workers', { securityGroupId: broker.id, referencedSecurityGroupId: workers.id, ...tcp(6379) });
  if (!breaks.noBrokerEgress && !breaks.noBrokerPath) new VpcSecurityGroupEgressRule(stack, 'workers-to-broker', { securityGroupId: workers.id, referencedSecurityGroupId: broker.id, ...tcp(6379) });
  if (!breaks.noApiEgress) new VpcSecurityGroupEgressRule(stack, 'workers-https', { securityGroupId: workers.id, cidrIpv4: '0.0.0.0/0', ...(breaks.openEgress ? { ipProtocol: '-1' } : tcp(443)) });
  if (breaks.unadmittedEgress) new VpcSecurityGroupEgressRule(stack, 'workers-to-broker-6380', { securityGroupId: workers.id, referencedSecurityGroupId: broker.id, ...tcp(6380) });
  if (breaks.smtpAnywhere) new VpcSecurityGroupEgressRule(stack, 'workers-smtp', { securityGroupId: workers.id, cidrIpv4: '0.0.0.0/0', ...tcp(25) });
  if (breaks.portRangeToRange) new VpcSecurityGroupEgressRule(stack, 'workers-db', { securityGroupId: workers.id, cidrIpv4: '10.1.0.0/16', ipProtocol: 'tcp', fromPort: 5432, toPort: 5433 });
  new EcsService(stack, 'workers-service', { name: 'workers', taskDefinition: task.arn, networkConfiguration: { subnets: ['subnet-1'], securityGroups: [workers.id] } });

  // Without API egress there is no endpoint either, as with interfaceEndpoints: [] (NAT would be the only way).
  if (!breaks.noApiEgress) new VpcEndpoint(stack, 'logs', { vpcId: 'vpc-1', serviceName: 'com.amazonaws.eu-west-1.logs', vpcEndpointType: 'Interface', privateDnsEnabled: true, securityGroupIds: [endpoints.id] });
  if (!breaks.endpointClosed && !breaks.noApiEgress) new VpcSecurityGroupIngressRule(stack, 'endpoints-from-workers', { securityGroupId: endpoints.id, referencedSecurityGroupId: workers.id, ...tcp(443) });

  const lb = new Lb(stack, 'lb', { name: 'ops', securityGroups: [alb.id], subnets: ['subnet-2'] });
  const https = new LbListener(stack, 'https', { loadBalancerArn: lb.arn, port: 443, protocol: 'HTTPS', defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }] });
  new LbListenerRule(stack, 'flower', {
    listenerArn: https.arn,
    condition: [{ pathPattern: { values: ['/flower/*'] } }],
    action: [
      { type: 'authenticate-oidc', order: 1, authenticateOidc: { issuer: 'https://i', authorizationEndpoint: 'https://a', tokenEndpoint: 'https://t', userInfoEndpoint: 'https://u', clientId: 'c', clientSecret: 's' } },
      { type: 'forward', order: 2, targetGroupArn: 'tg' },
    ],
  });
  if (!breaks.noIdpEgress) new VpcSecurityGroupEgressRule(stack, 'alb-to-idp', { securityGroupId: alb.id, cidrIpv4: '0.0.0.0/0', ...tcp(443) });
}
