/**
 * The Fargate shapes every kit component shares: a Linux/x86 task definition, a service in the
 * private subnets with no public IP and deploy rollback, and the awslogs configuration.
 */
import { EcsService, type EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import type { Construct } from 'constructs';

export interface FargateTaskDefinitionProps {
  readonly family: string;
  /** vCPUs (0.25-16). */
  readonly cpu: number;
  /** MiB. */
  readonly memory: number;
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  /** ECS container definitions. */
  readonly containers: ReadonlyArray<Record<string, unknown>>;
  /** Task-scoped scratch volumes (Fargate bind mounts), shared between containers. */
  readonly scratchVolumes?: readonly string[];
}

export function fargateTaskDefinition(scope: Construct, id: string, props: FargateTaskDefinitionProps): EcsTaskDefinition {
  return new EcsTaskDefinition(scope, id, {
    family: props.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(Math.round(props.cpu * 1024)),
    memory: String(props.memory),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    executionRoleArn: props.executionRoleArn,
    taskRoleArn: props.taskRoleArn,
    containerDefinitions: JSON.stringify(props.containers),
    ...(props.scratchVolumes === undefined ? {} : { volume: props.scratchVolumes.map((name) => ({ name })) }),
  });
}

export interface PrivateFargateServiceProps {
  readonly name: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly desiredCount: number;
  /** FARGATE_SPOT instead of FARGATE. */
  readonly spot?: boolean;
  /** Deploy bounds in percent of the desired count. */
  readonly deployment: { readonly minimumHealthyPercent: number; readonly maximumPercent: number };
  readonly lifecycle?: EcsServiceConfig['lifecycle'];
  /** Load balancer target groups, e.g. for the monitoring UIs. */
  readonly loadBalancer?: EcsServiceConfig['loadBalancer'];
}

export function privateFargateService(scope: Construct, id: string, props: PrivateFargateServiceProps): EcsService {
  return new EcsService(scope, id, {
    name: props.name,
    cluster: props.clusterArn,
    taskDefinition: props.taskDefinitionArn,
    desiredCount: props.desiredCount,
    capacityProviderStrategy: [{ capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
    networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [props.securityGroupId], assignPublicIp: false },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    deploymentMinimumHealthyPercent: props.deployment.minimumHealthyPercent,
    deploymentMaximumPercent: props.deployment.maximumPercent,
    enableEcsManagedTags: true,
    propagateTags: 'SERVICE',
    enableExecuteCommand: false,
    ...(props.lifecycle === undefined ? {} : { lifecycle: props.lifecycle }),
    ...(props.loadBalancer === undefined ? {} : { loadBalancer: props.loadBalancer }),
  });
}

/** Container log configuration for a log group. */
export function awsLogs(logGroupName: string, region: string, streamPrefix: string): Record<string, unknown> {
  return { logDriver: 'awslogs', options: { 'awslogs-group': logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': streamPrefix } };
}
