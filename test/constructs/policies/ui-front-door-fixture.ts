/**
 * A small OIDC front door for the CK-UI-LB-ONLY and CK-UI-GATED cases: a load balancer that signs
 * users in and forwards to a Flower service whose task runs the identity gate. Each option breaks
 * exactly one property.
 */
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { TerraformStack } from 'cdktf';
import { albIdentityGateContainer } from '../../../constructs/aws/alb-identity-gate';
import type { MonitoringSpec } from '../../../spec/types';

export interface FrontDoorBreaks {
  /** The service's tasks get a public IP. */
  readonly publicIp?: boolean;
  /** Another group (not the load balancer's) is admitted to Flower. */
  readonly otherPeer?: boolean;
  /** The load balancer is admitted on a port range, not the target port. */
  readonly portRange?: boolean;
  /** The load balancer targets Flower itself, not the gate. */
  readonly targetsUi?: boolean;
  /** Flower publishes its own port beside the gate. */
  readonly uiPort?: boolean;
  /** Flower's gate admits anyone the IdP signs in. */
  readonly flowerOpen?: boolean;
}

const MONITORING = {
  domain: 'celery.example.com',
  oidc: { issuer: 'https://i', authorizationEndpoint: 'https://a', tokenEndpoint: 'https://t', userInfoEndpoint: 'https://u', clientId: 'c', scope: 'openid groups' },
  allowedMembers: [],
  access: { groupsClaim: 'groups', flower: ['celery-ops'], grafanaAdmins: [] },
} as unknown as MonitoringSpec;

export function frontDoor(stack: TerraformStack, breaks: FrontDoorBreaks = {}): void {
  const group = (name: string) => new SecurityGroup(stack, name, { name, vpcId: 'vpc-1' });
  const [alb, flowerGroup, workers] = ['alb', 'flower', 'workers'].map(group) as [SecurityGroup, SecurityGroup, SecurityGroup];
  const lb = new Lb(stack, 'lb', { name: 'ops', securityGroups: [alb.id], subnets: ['subnet-1'] });
  const https = new LbListener(stack, 'https', { loadBalancerArn: lb.arn, port: 443, protocol: 'HTTPS', defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }] });
  const targets = new LbTargetGroup(stack, 'targets', { name: 'flower', port: 5555, protocol: 'HTTP', targetType: 'ip', vpcId: 'vpc-1' });
  new LbListenerRule(stack, 'rule', {
    listenerArn: https.arn,
    condition: [{ pathPattern: { values: ['/flower/*'] } }],
    action: [
      { type: 'authenticate-oidc', order: 1, authenticateOidc: { ...MONITORING.oidc!, clientSecret: 's' } },
      { type: 'forward', order: 2, targetGroupArn: targets.arn },
    ],
  });
  const gate = albIdentityGateContainer({
    port: 5555,
    upstreamPort: 5556,
    loadBalancerArn: lb.arn,
    monitoring: MONITORING,
    region: 'eu-west-1',
    allowedGroups: breaks.flowerOpen ? null : MONITORING.access.flower,
    healthPath: '/flower/healthcheck',
    logGroupName: 'logs',
  });
  const flower = {
    name: 'flower',
    image: 'mher/flower:2.0.1',
    command: ['celery', 'flower', '--address=127.0.0.1', '--port=5556'],
    ...(breaks.uiPort ? { portMappings: [{ containerPort: 5556 }] } : {}),
  };
  const task = new EcsTaskDefinition(stack, 'task', { family: 'flower', containerDefinitions: JSON.stringify([gate, flower]) });
  new EcsService(stack, 'service', {
    name: 'flower',
    taskDefinition: task.arn,
    networkConfiguration: { subnets: ['subnet-2'], securityGroups: [flowerGroup.id], assignPublicIp: breaks.publicIp === true },
    loadBalancer: [{ targetGroupArn: targets.arn, containerName: breaks.targetsUi ? 'flower' : 'gate', containerPort: 5555 }],
  });
  new VpcSecurityGroupIngressRule(stack, 'flower-from-alb', { securityGroupId: flowerGroup.id, referencedSecurityGroupId: alb.id, ipProtocol: 'tcp', fromPort: 5555, toPort: breaks.portRange ? 5600 : 5555 });
  if (breaks.otherPeer) new VpcSecurityGroupIngressRule(stack, 'flower-from-workers', { securityGroupId: flowerGroup.id, referencedSecurityGroupId: workers.id, ipProtocol: 'tcp', fromPort: 5555, toPort: 5555 });
}
