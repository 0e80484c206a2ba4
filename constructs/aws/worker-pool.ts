/**
 * One Celery worker pool on Fargate: its own log group, execution role (image, logs, exactly the
 * secrets it injects), task role (nothing but its own scale-in protection), task definition and
 * service, on FARGATE or FARGATE_SPOT as the file says.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { Construct } from 'constructs';
import type { DeploymentSpec, WorkerPoolSpec } from '../../spec/types';
import { workerCommand } from '../celery/worker-command';
import { appContainerSecrets, executionBaseStatements } from './app-container';
import { ComponentRole, roleName } from './iam';

/** Fargate's longest stop timeout: SIGTERM starts Celery's warm shutdown, SIGKILL follows after this. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
export const WORKER_CONTAINER = 'worker';

export interface AwsWorkerPoolProps {
  readonly spec: DeploymentSpec;
  readonly pool: WorkerPoolSpec;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
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
  readonly executionRole: ComponentRole;
  readonly taskRole: ComponentRole;
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

    this.executionRole = new ComponentRole(this, 'execution-role', {
      name: roleName(spec.stackId, pool.name, 'exec'),
      description: `celerykit ${spec.stackId}: starts ${pool.name} workers (image, logs, their secrets)`,
      assumedBy: 'ecs-tasks.amazonaws.com',
      accountId: account,
      statements: [...executionBaseStatements(this.logGroup.arn, spec.app.image), app.readSecretsStatement],
    });
    // The app's code runs with this role. It may only protect its own tasks from scale-in while
    // they run a task (the worker-side hook); anything else the app needs is the app's business.
    this.taskRole = new ComponentRole(this, 'task-role', {
      name: roleName(spec.stackId, pool.name, 'task'),
      description: `celerykit ${spec.stackId}: ${pool.name} worker tasks`,
      assumedBy: 'ecs-tasks.amazonaws.com',
      accountId: account,
      statements: [
        {
          Sid: 'OwnScaleInProtection',
          Effect: 'Allow',
          Action: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
          Resource: [`arn:aws:ecs:${spec.region}:${account}:task/${props.clusterName}/*`],
        },
      ],
    });

    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: `${spec.stackId}-${pool.name}`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(Math.round(pool.cpu * 1024)),
      memory: String(pool.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([
        {
          name: WORKER_CONTAINER,
          image: spec.app.image,
          essential: true,
          command: workerCommand(spec.app, pool),
          environment: app.environment,
          secrets: app.secrets,
          stopTimeout: FARGATE_MAX_STOP_TIMEOUT_SECONDS,
          privileged: false,
          // An init process forwards SIGTERM to celery and reaps prefork children.
          linuxParameters: { initProcessEnabled: true },
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': spec.region, 'awslogs-stream-prefix': pool.name },
          },
        },
      ]),
    });

    this.service = new EcsService(this, 'service', {
      name: this.serviceName,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: pool.autoscale.min,
      capacityProviderStrategy: [{ capacityProvider: pool.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
      networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [props.securityGroupId], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // New workers start before old ones get SIGTERM, so a deploy never drops capacity.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      enableExecuteCommand: false,
      // The scaler owns the running count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
    });
  }
}
