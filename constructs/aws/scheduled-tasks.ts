/**
 * Periodic tasks from EventBridge Scheduler instead of celery beat: each schedule runs a one-off
 * Fargate task that sends the Celery task (`celery call`) and exits. The scheduler retries a
 * failed start and parks what it could not start in an SQS dead-letter queue; its role may run
 * only this task definition, in this cluster.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SchedulerScheduleGroup } from '@cdktf/provider-aws/lib/scheduler-schedule-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { scheduledCallCommand } from '../celery/worker-command';
import { appContainerSecrets } from './app-container';
import { toEventBridgeCron } from './eventbridge-cron';
import { startAfter } from '../celery/start-order';
import { awsLogs, fargateTaskDefinition, taskStartPrerequisites, type EcsStartPrerequisites } from './fargate';
import { ComponentRole, roleName } from './iam';
import { EcsTaskRoles } from './task-roles';

export const SCHEDULED_CALL_CONTAINER = 'scheduled-call';

export interface AwsScheduledTasksProps {
  readonly spec: DeploymentSpec;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
  /**
   * How often the scheduler retries a task it could not start.
   * @default 3 — rides out a short capacity or API hiccup without piling up late runs.
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Seconds after the planned time a run may still start.
   * @default 3600 — a nightly job that starts an hour late is still useful; later goes to the dead-letter queue.
   */
  readonly maximumEventAgeSeconds?: number;
}

export class AwsScheduledTasks extends Construct {
  readonly taskDefinition: EcsTaskDefinition;
  readonly deadLetterQueue: SqsQueue;
  readonly schedules: SchedulerSchedule[];

  constructor(scope: Construct, id: string, props: AwsScheduledTasksProps) {
    super(scope, id);
    const { spec } = props;
    const account = spec.accountId!;
    const family = `${spec.stackId}-scheduled-call`;

    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/celerykit/${spec.stackId}/scheduled-calls`, retentionInDays: 30 });
    const app = appContainerSecrets(spec, props.brokerUrlSecretArn);
    // `celery call` only publishes a message; it needs no AWS permission at all.
    const roles = new EcsTaskRoles(this, 'roles', {
      stackId: spec.stackId,
      accountId: account,
      component: 'scheduled',
      purpose: 'scheduled calls',
      logGroupArn: logs.arn,
      image: spec.app.image,
      injectedSecretArns: app.secretArns,
      executionStatements: app.executionStatements,
      taskStatements: [],
    });

    this.taskDefinition = fargateTaskDefinition(this, 'task', {
      family,
      cpu: 0.25,
      memory: 512,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      containers: [
        {
          name: SCHEDULED_CALL_CONTAINER,
          image: spec.app.image,
          essential: true,
          // Each schedule overrides the command; run bare, the task only prints the version.
          command: ['celery', '--version'],
          environment: app.environment,
          secrets: app.secrets,
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'call'),
        },
      ],
    });

    this.deadLetterQueue = new SqsQueue(this, 'dead-letters', {
      name: `${spec.stackId}-schedule-dead-letters`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    const schedulerRole = new ComponentRole(this, 'scheduler-role', {
      name: roleName(spec.stackId, 'scheduler'),
      description: `celerykit ${spec.stackId}: EventBridge Scheduler runs the scheduled-call task`,
      assumedBy: 'scheduler.amazonaws.com',
      accountId: account,
      statements: [
        {
          Sid: 'RunScheduledCallOnly',
          Effect: 'Allow',
          Action: ['ecs:RunTask'],
          Resource: [`arn:aws:ecs:${spec.region}:${account}:task-definition/${family}:*`],
          Condition: { ArnEquals: { 'ecs:cluster': props.clusterArn } },
        },
        {
          Sid: 'PassItsRoles',
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: [roles.execution.arn, roles.task.arn],
          // Only to ECS tasks (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html).
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        { Sid: 'ParkFailedStarts', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [this.deadLetterQueue.arn] },
      ],
    });

    const group = spec.schedules.length > 0 ? new SchedulerScheduleGroup(this, 'group', { name: spec.stackId }) : undefined;
    // A schedule may fire minutes after it is created: its runs need the same secret values and
    // routes as a service's tasks (launch type FARGATE, so no capacity provider).
    const prerequisites = taskStartPrerequisites(this.taskDefinition, props.startsAfter, { onCapacityProviders: false });
    this.schedules = spec.schedules.map((schedule) => {
      const scheduled = new SchedulerSchedule(this, `schedule-${schedule.name}`, {
          name: schedule.name,
          groupName: group!.name,
          description: `celerykit ${spec.stackId}: ${schedule.task} to ${schedule.queue} at "${schedule.cron}" ${schedule.timezone}`,
          scheduleExpression: toEventBridgeCron(schedule.cron),
          scheduleExpressionTimezone: schedule.timezone,
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: props.clusterArn,
            roleArn: schedulerRole.arn,
            ecsParameters: {
              taskDefinitionArn: this.taskDefinition.arn,
              launchType: 'FARGATE',
              taskCount: 1,
              networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [props.securityGroupId], assignPublicIp: false },
            },
            input: JSON.stringify({ containerOverrides: [{ name: SCHEDULED_CALL_CONTAINER, command: scheduledCallCommand(spec.app, schedule) }] }),
            retryPolicy: { maximumRetryAttempts: props.maximumRetryAttempts ?? 3, maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 3600 },
            deadLetterConfig: { arn: this.deadLetterQueue.arn },
          },
        });
      startAfter(scheduled, prerequisites);
      return scheduled;
    });
  }
}
