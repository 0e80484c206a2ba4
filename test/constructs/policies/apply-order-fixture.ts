/**
 * A minimal stack that starts ECS tasks (or a Cloud Run service) in the right order, with one
 * switch per prerequisite to leave it out of depends_on: the apply-order rules' test cases.
 */
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import type { ITerraformDependable, TerraformStack } from 'cdktf';

export type Prerequisite = 'secret' | 'capacity' | 'listener' | 'network';

/** A task definition injecting a secret that has a value, in a private subnet routed to NAT: what every ECS starter here runs. */
function taskInPrivateSubnet(stack: TerraformStack) {
  const secret = new SecretsmanagerSecret(stack, 'secret', { name: 's', lifecycle: { preventDestroy: true } });
  const value = new SecretsmanagerSecretVersion(stack, 'value', { secretId: secret.id, secretString: 'v' });
  const task = new EcsTaskDefinition(stack, 'task', {
    family: 'f',
    containerDefinitions: JSON.stringify([{ name: 'app', image: 'i:1', essential: true, secrets: [{ name: 'URL', valueFrom: secret.arn }] }]),
  });
  const subnet = new Subnet(stack, 'subnet', { vpcId: 'vpc-1', cidrBlock: '10.0.0.0/24' });
  const routes = new RouteTable(stack, 'routes', { vpcId: 'vpc-1', route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }] });
  const association = new RouteTableAssociation(stack, 'association', { subnetId: subnet.id, routeTableId: routes.id });
  return { value, task, subnet, association };
}

/** An ECS service with a secret, capacity providers, a private route and a listener rule; `without` is left out of depends_on. */
export function ecsServiceStack(stack: TerraformStack, without?: Prerequisite): void {
  const { value, task, subnet, association } = taskInPrivateSubnet(stack);
  const cluster = new EcsCluster(stack, 'cluster', { name: 'c' });
  const capacity = new EcsClusterCapacityProviders(stack, 'capacity', { clusterName: cluster.name, capacityProviders: ['FARGATE'] });
  const targets = new LbTargetGroup(stack, 'targets', { name: 't', port: 80, protocol: 'HTTP', targetType: 'ip', vpcId: 'vpc-1' });
  const rule = new LbListenerRule(stack, 'rule', {
    listenerArn: 'arn:listener',
    condition: [{ pathPattern: { values: ['/x'] } }],
    action: [{ type: 'forward', targetGroupArn: targets.arn }],
  });
  const prerequisites: Record<Prerequisite, ITerraformDependable> = { secret: value, capacity, listener: rule, network: association };
  new EcsService(stack, 'service', {
    name: 'svc',
    cluster: cluster.arn,
    taskDefinition: task.arn,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    networkConfiguration: { subnets: [subnet.id], assignPublicIp: false },
    loadBalancer: [{ targetGroupArn: targets.arn, containerName: 'app', containerPort: 80 }],
    dependsOn: Object.entries(prerequisites).flatMap(([name, dependable]) => (name === without ? [] : [dependable])),
  });
}

/**
 * An EventBridge Scheduler schedule that runs an ECS task reading a secret in a private subnet
 * (the kit's scheduled calls), after the secret's value and the subnet's route unless `without`
 * names one. Launch type FARGATE, so no capacity providers are involved.
 */
export function scheduleStack(stack: TerraformStack, without?: 'secret' | 'network'): void {
  const { value, task, subnet, association } = taskInPrivateSubnet(stack);
  const prerequisites = { secret: value, network: association };
  new SchedulerSchedule(stack, 'schedule', {
    name: 'nightly',
    scheduleExpression: 'cron(0 2 * * ? *)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: {
      arn: 'arn:aws:ecs:eu-west-1:1:cluster/c',
      roleArn: 'arn:aws:iam::1:role/scheduler',
      ecsParameters: { taskDefinitionArn: task.arn, launchType: 'FARGATE', networkConfiguration: { subnets: [subnet.id], assignPublicIp: false } },
    },
    dependsOn: Object.entries(prerequisites).flatMap(([name, dependable]) => (name === without ? [] : [dependable])),
  });
}

/** A Cloud Run service reading a secret, after its version unless `withoutVersion`. */
export function cloudRunStack(stack: TerraformStack, withoutVersion = false): void {
  const secret = new SecretManagerSecret(stack, 'secret', { secretId: 's', replication: { auto: {} }, deletionProtection: true, lifecycle: { preventDestroy: true } });
  const value = new SecretManagerSecretVersion(stack, 'value', { secret: secret.id, secretData: 'v' });
  new CloudRunV2Service(stack, 'run', {
    name: 'r',
    location: 'europe-west1',
    template: { containers: [{ image: 'i:1', env: [{ name: 'URL', valueSource: { secretKeyRef: { secret: secret.secretId, version: 'latest' } } }] }] },
    dependsOn: withoutVersion ? [] : [value],
  });
}

/** A VM template in a subnetwork whose network has Cloud NAT, created after it unless `withoutNat`. */
export function vmTemplateStack(stack: TerraformStack, withoutNat = false): void {
  const network = new ComputeNetwork(stack, 'network', { name: 'n', autoCreateSubnetworks: false });
  const subnet = new ComputeSubnetwork(stack, 'subnet', { name: 's', network: network.id, region: 'europe-west1', ipCidrRange: '10.0.0.0/24' });
  const router = new ComputeRouter(stack, 'router', { name: 'r', network: network.id, region: 'europe-west1' });
  const nat = new ComputeRouterNat(stack, 'nat', { name: 'nat', router: router.name, region: 'europe-west1', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' });
  new ComputeInstanceTemplate(stack, 'template', {
    machineType: 'e2-small',
    disk: [{ sourceImage: 'cos-cloud/cos-stable', boot: true }],
    networkInterface: [{ subnetwork: subnet.id }],
    dependsOn: withoutNat ? [] : [nat],
  });
}
