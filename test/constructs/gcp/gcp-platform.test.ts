/**
 * GCP platform wiring: one broker URL secret per stack, with the right scheme, and the outputs.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'gcp');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the GCP platform of %s', (id, stack) => {
  const secrets = Object.entries(resourcesOf(stack.json, 'google_secret_manager_secret')).filter(([, s]) => s.secret_id === `${id}-broker-url`);

  it('keeps one protected broker URL secret with the broker scheme', () => {
    expect(secrets).toHaveLength(1);
    expect(secrets[0]![1]).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true } });
    const version = Object.values(resourcesOf(stack.json, 'google_secret_manager_secret_version')).find((v) => v.secret === `\${google_secret_manager_secret.${secrets[0]![0]}.id}`)!;
    const url = String(version.secret_data);
    if (stack.spec.broker.kind === 'redis') expect(url).toMatch(/^rediss:\/\/\$\{one\(.*\)\.ip_address\}:\$\{one\(.*\)\.port\}\/0\?ssl_cert_reqs=required&ssl_ca_certs=\/etc\/celerykit\/broker-ca\.pem$/);
    else expect(url).toMatch(/^amqp:\/\/celery:\$\{terraform_data\.[^}]+\}@\$\{google_compute_address\.[^}]+\.address\}:5672\/\/$/);
  });

  it('outputs the broker secret and one instance group per pool', () => {
    expect(stack.json.output?.broker_url_secret_id?.value).toBe(`\${google_secret_manager_secret.${secrets[0]![0]}.secret_id}`);
    const groups = stack.json.output?.worker_instance_groups?.value as Record<string, string>;
    expect(Object.keys(groups).sort()).toEqual(stack.spec.pools.map((p) => p.name).sort());
  });
});
