/**
 * GCP periodic tasks: one Cloud Scheduler job per schedule starting the scheduled-call Cloud Run
 * job with the kit's `celery call` arguments for a declared queue, retried, as a dedicated
 * service account allowed to run that job only.
 */
import { describe, expect, it } from 'vitest';
import { scheduledCallCommand } from '../../../constructs/celery/worker-command';
import { onlyResource, resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'gcp');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the scheduled tasks of %s', (id, stack) => {
  const jobs = Object.values(resourcesOf(stack.json, 'google_cloud_scheduler_job'));

  it('has one scheduler job per schedule, on its cron and time zone', () => {
    expect(jobs.map((j) => j.name)).toEqual(stack.spec.schedules.map((s) => `${id}-${s.name}`));
    stack.spec.schedules.forEach((s, i) => expect(jobs[i]).toMatchObject({ schedule: s.cron, time_zone: s.timezone }));
  });

  it('sends each task to a declared queue with the kit call arguments', () => {
    const queues = stack.spec.queues.map((q) => q.name);
    stack.spec.schedules.forEach((schedule, i) => {
      const target = jobs[i]!.http_target as { uri: string; http_method: string; body: string; oauth_token: { service_account_email: string } };
      expect(target.uri).toBe(`https://run.googleapis.com/v2/projects/${stack.spec.project}/locations/${stack.spec.region}/jobs/${id}-scheduled-call:run`);
      expect(target.http_method).toBe('POST');
      const body = JSON.parse(Buffer.from(target.body, 'base64').toString('utf8')) as { overrides: { containerOverrides: Array<{ name: string; args: string[] }> } };
      const [override] = body.overrides.containerOverrides;
      expect(override).toEqual({ name: 'scheduled-call', args: scheduledCallCommand(stack.spec.app, schedule).slice(1) });
      expect(queues).toContain(override!.args[override!.args.indexOf('--queue') + 1]);
      expect(target.oauth_token.service_account_email).toMatch(/^\$\{google_service_account\.[^.]+\.email\}$/);
    });
  });

  it('retries a failed start with backoff', () => {
    for (const job of jobs) expect(job.retry_config).toEqual({ retry_count: 3, min_backoff_duration: '30s', max_backoff_duration: '300s', max_doublings: 3 });
  });

  it('runs the call in the VPC, with the broker URL from Secret Manager', () => {
    const job = onlyResource(stack.json, 'google_cloud_run_v2_job');
    const template = (job.template as { template: Record<string, unknown> }).template as {
      vpc_access: { network_interfaces: Array<{ tags: string[] }> };
      containers: Array<{ env: Array<{ name: string; value?: string; value_source?: unknown }> }>;
    };
    expect(template.vpc_access.network_interfaces[0]!.tags).toEqual([`${id}-scheduled-tasks`]);
    const broker = template.containers[0]!.env.find((e) => e.name === 'CELERY_BROKER_URL')!;
    expect(broker.value ?? null).toBeNull();
    expect(broker.value_source).toEqual({ secret_key_ref: { secret: expect.stringMatching(/^\$\{google_secret_manager_secret\.[^.]+\.secret_id\}$/), version: 'latest' } });
  });

  it('lets the scheduler identity run this job with overrides, and nothing else', () => {
    const member = onlyResource(stack.json, 'google_cloud_run_v2_job_iam_member');
    expect(member).toMatchObject({ role: 'roles/run.jobsExecutorWithOverrides', name: expect.stringMatching(/^\$\{google_cloud_run_v2_job\.[^.]+\.name\}$/) });
  });
});
