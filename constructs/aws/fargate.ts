/**
 * The Fargate shapes every kit component shares: a Linux/x86 task definition, a service in the
 * private subnets with no public IP and deploy rollback, and the awslogs configuration.
 */
import { EcsService, type EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { startAfter } from '../celery/start-order';
import { secretValues } from './managed-secret';

/**
 * What any task of the cluster needs before it can start in the private subnets. Every component
 * that starts tasks gets this one value, so none can forget a piece.
 */
export interface EcsStartPrerequisites {
  /** The cluster's capacity providers (services use a capacity provider strategy). */
  readonly capacityProviders: ITerraformDependable;
  /** Routes out of the private subnets (image pulls, Secrets Manager, logs). */
  readonly egress: readonly ITerraformDependable[];
  /**
   * What creates the broker users the tasks connect as (the RabbitMQ users bootstrap); a task
   * started before its user exists is refused by the broker.
   * @default none — a Redis broker has one password, set with the broker itself.
   */
  readonly brokerUsers?: readonly ITerraformDependable[];
}

/**
 * The one list of what tasks of `task` need before the first starts: the value of each kit secret
 * its containers inject, the subnets' routes out, the broker users, the capacity providers when it runs on them,
 * and whatever routes traffic to it (listener rules, so its target groups have a load balancer).
 */
export function taskStartPrerequisites(
  task: EcsTaskDefinition,
  startsAfter: EcsStartPrerequisites,
  options: { readonly onCapacityProviders: boolean; readonly routedBy?: readonly ITerraformDependable[] },
): ITerraformDependable[] {
  return [
    ...secretValues(task).valuesOf(INJECTED.get(task) ?? []),
    ...startsAfter.egress,
    ...(startsAfter.brokerUsers ?? []),
    ...(options.onCapacityProviders ? [startsAfter.capacityProviders] : []),
    ...(options.routedBy ?? []),
  ];
}

/** valueFrom of every secret each task definition's containers inject, as the constructs passed them. */
const INJECTED = new WeakMap<EcsTaskDefinition, string[]>();

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
  const task = new EcsTaskDefinition(scope, id, {
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
  INJECTED.set(
    task,
    props.containers.flatMap((c) => ((c.secrets ?? []) as Array<{ valueFrom: string }>).map((s) => s.valueFrom)),
  );
  return task;
}

export interface PrivateFargateServiceProps {
  readonly name: string;
  readonly clusterArn: string;
  readonly task: EcsTaskDefinition;
  readonly startsAfter: EcsStartPrerequisites;
  /** Listener rules that forward to the service's target groups (`loadBalancer`). */
  readonly routedBy?: readonly ITerraformDependable[];
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
  /** Timeouts of the steady-state wait; see waitForSteadyState below. */
  readonly timeouts?: EcsServiceConfig['timeouts'];
}

export function privateFargateService(scope: Construct, id: string, props: PrivateFargateServiceProps): EcsService {
  const service = new EcsService(scope, id, {
    name: props.name,
    cluster: props.clusterArn,
    taskDefinition: props.task.arn,
    desiredCount: props.desiredCount,
    capacityProviderStrategy: [{ capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
    networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [props.securityGroupId], assignPublicIp: false },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    deploymentMinimumHealthyPercent: props.deployment.minimumHealthyPercent,
    deploymentMaximumPercent: props.deployment.maximumPercent,
    enableEcsManagedTags: true,
    propagateTags: 'SERVICE',
    enableExecuteCommand: false,
    // A deploy whose tasks cannot start (the circuit breaker stops it, running < desired) fails the
    // apply instead of passing: terraform waits for one deployment with running == desired
    // (docs/aws.md "Apply order").
    waitForSteadyState: true,
    ...(props.timeouts === undefined ? {} : { timeouts: props.timeouts }),
    ...(props.lifecycle === undefined ? {} : { lifecycle: props.lifecycle }),
    ...(props.loadBalancer === undefined ? {} : { loadBalancer: props.loadBalancer }),
  });
  startAfter(service, taskStartPrerequisites(props.task, props.startsAfter, { onCapacityProviders: true, routedBy: props.routedBy }));
  return service;
}

/** Container log configuration for a log group. */
export function awsLogs(logGroupName: string, region: string, streamPrefix: string): Record<string, unknown> {
  return { logDriver: 'awslogs', options: { 'awslogs-group': logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': streamPrefix } };
}
