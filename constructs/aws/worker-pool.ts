/**
 * One Celery worker pool on Fargate: its own log group, execution role (image, logs, exactly the
 * secrets it injects), task role (nothing but its own scale-in protection), task definition and
 * service, on FARGATE or FARGATE_SPOT as the file says.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import type { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { Construct } from 'constructs';
import type { DeploymentSpec, WorkerPoolSpec } from '../../spec/types';
import { workerCommand, workerShutdownEnvironment } from '../celery/worker-command';
import { appContainerSecrets } from './app-container';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import { EcsTaskRoles } from './task-roles';
import { shippedProtectionHook } from './worker-hooks/shipped-hook';

/**
 * Fargate's longest stop timeout: SIGTERM starts Celery's soft shutdown, SIGKILL follows after this.
 * Fargate Spot sends its SIGTERM with the two-minute interruption notice, so the same window holds
 * there (https://repost.aws/knowledge-center/fargate-spot-termination-notice).
 */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
export const WORKER_CONTAINER = 'worker';

/** Environment variable that switches on the worker-side scale-in protection hook. */
export const TASK_PROTECTION_MINUTES_ENV = 'CELERYKIT_TASK_PROTECTION_MINUTES';

/**
 * Pools whose tasks may outlast the stop timeout get the protection hook switched on, with an
 * expiry a little longer than one task may run (the hook renews it while the worker stays busy).
 */
export function taskProtectionEnvironment(pool: WorkerPoolSpec): Array<{ name: string; value: string }> {
  const minutes = taskProtectionMinutes(pool);
  return minutes === undefined ? [] : [{ name: TASK_PROTECTION_MINUTES_ENV, value: String(minutes) }];
}

/** The protection expiry of the pool's tasks, or undefined when its tasks end within the stop timeout. */
export function taskProtectionMinutes(pool: WorkerPoolSpec): number | undefined {
  if (pool.timeLimit !== undefined && pool.timeLimit <= FARGATE_MAX_STOP_TIMEOUT_SECONDS) return undefined;
  return Math.min(2880, Math.ceil((pool.timeLimit ?? 3600) / 60) + 5);
}

/**
 * How long terraform waits for a pool's deploy to settle. A deploy is steady only once the old
 * tasks are gone, and a protected old task stays until its worker is idle or the protection
 * expires; so the wait covers the expiry plus the provider's default 20 minutes
 * (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ecs_service#timeouts).
 */
export function deployWaitMinutes(pool: WorkerPoolSpec): number {
  return (taskProtectionMinutes(pool) ?? 0) + 20;
}

export interface AwsWorkerPoolProps {
  readonly spec: DeploymentSpec;
  readonly pool: WorkerPoolSpec;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
  /**
   * Days worker logs are kept.
   * @default 30 — a month of history for incident reviews without unbounded cost.
   */
  readonly logRetentionDays?: number;
}

export class AwsWorkerPool extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  readonly roles: EcsTaskRoles;
  /** The ECS service name (unique within the cluster). */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: AwsWorkerPoolProps) {
    super(scope, id);
    const { spec, pool } = props;
    const account = spec.accountId!;
    this.serviceName = pool.name;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/celerykit/${spec.stackId}/workers/${pool.name}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    const app = appContainerSecrets(spec, props.brokerUrlSecretArn);

    // The app's code runs with the task role. It may only protect its own tasks from scale-in
    // while they run a task (the worker-side hook); anything else the app needs is the app's business.
    this.roles = new EcsTaskRoles(this, 'roles', {
      stackId: spec.stackId,
      accountId: account,
      component: pool.name,
      purpose: `${pool.name} workers`,
      logGroupArn: this.logGroup.arn,
      image: spec.app.image,
      injectedSecretArns: app.secretArns,
      executionStatements: app.executionStatements,
      taskStatements: [
        {
          Sid: 'OwnScaleInProtection',
          Effect: 'Allow',
          Action: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
          Resource: [`arn:aws:ecs:${spec.region}:${account}:task/${props.clusterName}/*`],
        },
      ],
    });

    const logConfiguration = awsLogs(this.logGroup.name, spec.region, pool.name);
    const command = workerCommand(spec.app, pool);
    // Pools whose tasks may outlast the stop timeout always get the protection hook (issue 17).
    const hook = taskProtectionMinutes(pool) === undefined ? undefined : shippedProtectionHook(command, logConfiguration);
    this.taskDefinition = fargateTaskDefinition(this, 'task', {
      family: `${spec.stackId}-${pool.name}`,
      cpu: pool.cpu,
      memory: pool.memory,
      executionRoleArn: this.roles.execution.arn,
      taskRoleArn: this.roles.task.arn,
      ...(hook === undefined ? {} : { scratchVolumes: [hook.volume] }),
      // The worker stays the first container (tests and tools read it there).
      containers: [
        {
          name: WORKER_CONTAINER,
          image: spec.app.image,
          essential: true,
          command: hook?.worker.command ?? command,
          environment: [
            ...app.environment,
            ...taskProtectionEnvironment(pool),
            ...Object.entries(workerShutdownEnvironment(FARGATE_MAX_STOP_TIMEOUT_SECONDS)).map(([name, value]) => ({ name, value })),
          ],
          secrets: app.secrets,
          stopTimeout: FARGATE_MAX_STOP_TIMEOUT_SECONDS,
          privileged: false,
          // An init process forwards SIGTERM to celery and reaps prefork children.
          linuxParameters: { initProcessEnabled: true },
          ...(hook === undefined ? {} : { dependsOn: hook.worker.dependsOn, mountPoints: hook.worker.mountPoints }),
          logConfiguration,
        },
        ...(hook === undefined ? [] : [hook.writer]),
      ],
    });

    this.service = privateFargateService(this, 'service', {
      name: this.serviceName,
      clusterArn: props.clusterArn,
      task: this.taskDefinition,
      startsAfter: props.startsAfter,
      subnetIds: props.subnetIds,
      securityGroupId: props.securityGroupId,
      desiredCount: pool.autoscale.min,
      spot: pool.spot,
      // New workers start before old ones get SIGTERM, so a deploy never drops capacity.
      deployment: { minimumHealthyPercent: 100, maximumPercent: 200 },
      // The scaler owns the running count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      timeouts: { create: '20m', update: `${deployWaitMinutes(pool)}m` },
    });
  }
}
