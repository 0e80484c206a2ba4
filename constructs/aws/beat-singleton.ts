/**
 * The app's own celery beat as exactly one process: an ECS service with one task whose deploys
 * stop the old task before starting the new one (maximum 100 %, minimum healthy 0 %). Two beats
 * would send every periodic task twice. Used only when the file says `beat: singleton`.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { appContainerSecrets } from './app-container';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import { EcsTaskRoles } from './task-roles';

export interface AwsBeatSingletonProps {
  readonly spec: DeploymentSpec;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
}

export class AwsBeatSingleton extends Construct {
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: AwsBeatSingletonProps) {
    super(scope, id);
    const { spec } = props;
    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/celerykit/${spec.stackId}/beat`, retentionInDays: 30 });
    const app = appContainerSecrets(spec, props.brokerUrlSecretArn);
    const roles = new EcsTaskRoles(this, 'roles', {
      stackId: spec.stackId,
      accountId: spec.accountId,
      component: 'beat',
      purpose: 'celery beat',
      logGroupArn: logs.arn,
      image: spec.app.image,
      injectedSecretArns: app.secretArns,
      executionStatements: app.executionStatements,
      taskStatements: [],
    });
    const taskDefinition = fargateTaskDefinition(this, 'task', {
      family: `${spec.stackId}-beat`,
      cpu: 0.25,
      memory: 512,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      containers: [
        {
          name: 'beat',
          image: spec.app.image,
          essential: true,
          command: ['celery', '-A', spec.app.module, 'beat', '--schedule=/tmp/celerybeat-schedule', '--loglevel=INFO'],
          environment: app.environment,
          secrets: app.secrets,
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'beat'),
        },
      ],
    });
    this.service = privateFargateService(this, 'service', {
      name: 'beat',
      clusterArn: props.clusterArn,
      task: taskDefinition,
      startsAfter: props.startsAfter,
      subnetIds: props.subnetIds,
      securityGroupId: props.securityGroupId,
      desiredCount: 1,
      // Never two: a deploy stops the running beat before the new one starts.
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
  }
}
