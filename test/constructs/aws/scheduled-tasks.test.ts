/**
 * Periodic tasks from EventBridge Scheduler: one schedule per file entry sending the task with
 * `celery call`, retries and a dead-letter queue, and a role that can run only that task.
 */
import { describe, expect, it } from 'vitest';
import { scheduledCallCommand } from '../../../constructs/celery/worker-command';
import { editBase } from '../../helpers/parameter-files';
import { containersOf, inlinePolicyOfRole, onlyResource, resourcesOf, synthesizeDir, synthesizeYaml } from '../../helpers/synth';

const acme = synthesizeDir().find((s) => s.spec.stackId === 'acme-prod')!;
const schedule = onlyResource(acme.json, 'aws_scheduler_schedule');
const target = schedule.target as {
  arn: string;
  role_arn: string;
  input: string;
  retry_policy: { maximum_retry_attempts: number; maximum_event_age_in_seconds: number };
  dead_letter_config: { arn: string };
  ecs_parameters: { task_definition_arn: string; launch_type: string; network_configuration: { assign_public_ip: boolean; subnets: string[] } };
};

describe('a cloud-scheduled periodic task on AWS', () => {
  it('fires on the converted cron in the file time zone, exactly on time', () => {
    expect(schedule).toMatchObject({
      name: 'nightly-report',
      schedule_expression: 'cron(0 2 * * ? *)',
      schedule_expression_timezone: 'Europe/Dublin',
      flexible_time_window: { mode: 'OFF' },
    });
  });

  it('runs the scheduled-call task in the private subnets with the kit call command', () => {
    expect(target.arn).toMatch(/^\$\{aws_ecs_cluster\.[^.]+\.arn\}$/);
    expect(target.ecs_parameters).toMatchObject({ launch_type: 'FARGATE', network_configuration: { assign_public_ip: false } });
    expect(target.ecs_parameters.task_definition_arn).toMatch(/^\$\{aws_ecs_task_definition\.[^.]+\.arn\}$/);
    expect(JSON.parse(target.input)).toEqual({ containerOverrides: [{ name: 'scheduled-call', command: scheduledCallCommand(acme.spec.app, acme.spec.schedules[0]!) }] });
  });

  it('retries a failed start and parks it in an encrypted dead-letter queue', () => {
    expect(target.retry_policy).toEqual({ maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 });
    const queue = onlyResource(acme.json, 'aws_sqs_queue');
    expect(queue).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    expect(target.dead_letter_config.arn).toMatch(/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/);
  });

  it('uses a role that may run only the scheduled-call task definition in this cluster', () => {
    const policy = inlinePolicyOfRole(acme.json, 'acme-prod-scheduler')!;
    const run = policy.Statement.find((s) => s.Sid === 'RunScheduledCallOnly')!;
    expect(run).toMatchObject({ Action: ['ecs:RunTask'], Resource: ['arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-prod-scheduled-call:*'] });
    expect(run.Condition).toEqual({ ArnEquals: { 'ecs:cluster': expect.stringMatching(/^\$\{aws_ecs_cluster\.[^.]+\.arn\}$/) } });
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['RunScheduledCallOnly', 'PassItsRoles', 'ParkFailedStarts']);
  });

  it('gives the scheduled task itself no AWS permissions', () => {
    expect(inlinePolicyOfRole(acme.json, 'acme-prod-scheduled-task')).toBeUndefined();
  });
});

describe('beat: singleton on AWS', () => {
  const json = synthesizeYaml(editBase({ 22: 'beat: singleton', 23: '', 24: '', 25: '' })).json;
  const beat = Object.values(resourcesOf(json, 'aws_ecs_service')).find((s) => s.name === 'beat')!;

  it('never runs two beat processes, even during a deploy', () => {
    expect(beat).toMatchObject({ desired_count: 1, deployment_maximum_percent: 100, deployment_minimum_healthy_percent: 0 });
    expect(beat.lifecycle).toBeUndefined();
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === 'acme-prod-beat')!;
    expect(containersOf(task)[0]!.command).toEqual(['celery', '-A', 'myapp', 'beat', '--schedule=/tmp/celerybeat-schedule', '--loglevel=INFO']);
  });

  it('creates no cloud schedules', () => {
    expect(resourcesOf(json, 'aws_scheduler_schedule')).toEqual({});
  });
});
