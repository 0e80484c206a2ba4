/**
 * GCP worker pools: one regional group of COS VMs per pool running the kit worker command, Spot
 * where asked, no external IPs, secrets read at boot, and one autoscaler per pool on that pool's
 * own backlog.
 */
import { describe, expect, it } from 'vitest';
import { workerCommand } from '../../../constructs/celery/worker-command';
import { shellQuote } from '../../../constructs/gcp/container-vm-scripts';
import { resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'gcp');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the worker pools of %s', (id, stack) => {
  const groups = resourcesOf(stack.json, 'google_compute_region_instance_group_manager');
  const templates = Object.values(resourcesOf(stack.json, 'google_compute_instance_template'));
  const autoscalers = Object.values(resourcesOf(stack.json, 'google_compute_region_autoscaler'));

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('%s runs the kit worker command on its own group', (name, pool) => {
    const template = templates.find((t) => t.name_prefix === `${id}-${name}-`)!;
    const script = String((template.metadata as Record<string, string>)['startup-script']);
    expect(script).toContain(workerCommand(stack.spec.app, pool).map(shellQuote).join(' '));
    expect(Object.values(groups).filter((g) => g.name === `${id}-${name}`)).toHaveLength(1);
  });

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('%s uses Spot VMs exactly when the file says spot', (name, pool) => {
    const template = templates.find((t) => t.name_prefix === `${id}-${name}-`)!;
    const scheduling = template.scheduling as Record<string, unknown>;
    expect(scheduling.provisioning_model).toBe(pool.spot ? 'SPOT' : 'STANDARD');
    if (pool.spot) expect(scheduling).toMatchObject({ preemptible: true, automatic_restart: false, instance_termination_action: 'DELETE' });
  });

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('%s has one autoscaler on the workers its own load needs', (name, pool) => {
    const mine = autoscalers.filter((a) => a.name === `${id}-${name}`);
    expect(mine).toHaveLength(1);
    const policy = mine[0]!.autoscaling_policy as {
      min_replicas: number;
      max_replicas: number;
      cooldown_period: number;
      metric: Array<{ name: string; filter: string; single_instance_assignment: number }>;
      scale_in_control: { max_scaled_in_replicas: { fixed: number }; time_window_sec: number };
    };
    expect(policy).toMatchObject({ min_replicas: pool.autoscale.min, max_replicas: pool.autoscale.max, cooldown_period: 60 });
    expect(policy.metric).toEqual([
      {
        name: 'prometheus.googleapis.com/celerykit_pool_workers/gauge',
        filter: `resource.type = "prometheus_target" AND metric.labels.stack = "${id}" AND metric.labels.pool = "${name}"`,
        // The series counts workers already (backlogPerWorker is applied in the recording rule).
        single_instance_assignment: 1,
      },
    ]);
    // Scale-in is slower than scale-out: one VM per window, the window at least the 60 s cooldown.
    expect(policy.scale_in_control).toEqual({ max_scaled_in_replicas: { fixed: 1 }, time_window_sec: pool.scaleInCooldownSeconds });
    expect(policy.scale_in_control.time_window_sec).toBeGreaterThan(policy.cooldown_period);
  });

  it('never gives a VM an external IP, and runs them as Shielded VMs with OS Login', () => {
    for (const t of templates) {
      for (const nic of t.network_interface as Array<Record<string, unknown>>) expect(nic.access_config ?? null).toBeNull();
      expect(t.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
      expect(t.metadata).toMatchObject({ 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE', 'google-logging-enabled': 'true' });
    }
  });

  it('keeps secrets out of metadata: the broker URL is read from Secret Manager at boot', () => {
    for (const t of templates) {
      const metadata = JSON.stringify(t.metadata);
      expect(metadata).not.toMatch(/(rediss?|amqps?):\/\//);
      expect(metadata).not.toMatch(/terraform_data/);
    }
    const worker = templates.find((t) => t.name_prefix === `${id}-${stack.spec.pools[0]!.name}-`)!;
    expect(String((worker.metadata as Record<string, string>)['startup-script'])).toMatch(
      /\nvalue=\$\(secret '\$\{google_secret_manager_secret\.[^}]+\.secret_id\}'\)\nprintf '%s=%s\\n' 'CELERY_BROKER_URL' "\$value" >> \/run\/celerykit\/env\n/,
    );
  });

  it('gives each pool a dedicated service account that reads exactly its secrets', () => {
    const accounts = Object.values(resourcesOf(stack.json, 'google_service_account')).map((a) => a.account_id as string);
    expect(new Set(accounts).size).toBe(accounts.length);
    for (const pool of stack.spec.pools) expect(accounts.some((a) => a.startsWith(`${id}-${pool.name}`.slice(0, 23)))).toBe(true);
    // Project roles: logs and metrics for the VMs; reading metrics only for Grafana's account.
    const bindings = Object.values(resourcesOf(stack.json, 'google_project_iam_member'));
    expect(new Set(bindings.map((m) => m.role))).toEqual(
      new Set(['roles/logging.logWriter', 'roles/monitoring.metricWriter', ...(stack.spec.monitoring ? ['roles/monitoring.viewer'] : [])]),
    );
    for (const viewer of bindings.filter((m) => m.role === 'roles/monitoring.viewer')) expect(String(viewer.member)).toMatch(/grafana/);
    // Workers write logs but no metrics: only the exporter and the RabbitMQ nodes hold metricWriter.
    for (const writer of bindings.filter((m) => m.role === 'roles/monitoring.metricWriter')) expect(String(writer.member)).toMatch(/_(exporter|rabbitmq)_service-account_/);
  });

  it('lets a graceful stop run when a VM goes away, within 30 s on Spot VMs', () => {
    for (const pool of stack.spec.pools) {
      const template = templates.find((t) => t.name_prefix === `${id}-${pool.name}-`)!;
      expect((template.metadata as Record<string, string>)['shutdown-script']).toContain(`docker stop --time ${pool.spot ? 25 : 80} worker`);
    }
  });
});
