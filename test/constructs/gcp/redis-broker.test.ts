/**
 * Memorystore for Valkey as the broker: a single-shard instance Celery can use, AOF every second,
 * never evicting, TLS, protected, and reachable only by the kit's broker clients.
 */
import { describe, expect, it } from 'vitest';
import { onlyResource, resourcesOf, synthesizeDir } from '../../helpers/synth';

const initech = synthesizeDir().find((s) => s.spec.stackId === 'initech-prod')!.json;
const instance = onlyResource(initech, 'google_memorystore_instance');

describe('the GCP redis broker', () => {
  it('runs cluster-disabled (Celery cannot use Redis Cluster) with a replica across zones', () => {
    expect(instance).toMatchObject({ mode: 'CLUSTER_DISABLED', shard_count: 1, replica_count: 1, zone_distribution_config: { mode: 'MULTI_ZONE' } });
    expect(instance.engine_version).toBe('VALKEY_8_0');
  });

  it('persists with AOF, fsync every second, and never evicts', () => {
    expect(instance.persistence_config).toEqual({ mode: 'AOF', aof_config: { append_fsync: 'EVERY_SEC' } });
    expect(instance.engine_configs).toEqual({ 'maxmemory-policy': 'noeviction' });
  });

  it('encrypts in transit and is protected from deletion twice over', () => {
    expect(instance).toMatchObject({ transit_encryption_mode: 'SERVER_AUTHENTICATION', deletion_protection_enabled: true, lifecycle: { prevent_destroy: true } });
  });

  it('gets a private endpoint through a Memorystore service connection policy on the subnetwork', () => {
    const policy = onlyResource(initech, 'google_network_connectivity_service_connection_policy');
    expect(policy).toMatchObject({ service_class: 'gcp-memorystore', location: 'europe-west1' });
    expect((policy.psc_config as { subnetworks: string[] }).subnetworks).toEqual([expect.stringMatching(/^\$\{google_compute_subnetwork\.[^.]+\.id\}$/)]);
    expect(instance.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_network_connectivity_service_connection_policy\./)]));
  });

  it('lets only the broker-client tags send to the endpoint and denies everyone else', () => {
    const rules = Object.values(resourcesOf(initech, 'google_compute_firewall')).filter((r) => String(r.name).startsWith('initech-prod-broker'));
    const allow = rules.find((r) => r.allow)!;
    const deny = rules.find((r) => r.deny)!;
    expect(allow).toMatchObject({ direction: 'EGRESS', priority: 900, allow: [{ protocol: 'tcp', ports: ['6379'] }] });
    expect(allow.target_tags).toEqual(['initech-prod-workers', 'initech-prod-exporter', 'initech-prod-flower', 'initech-prod-scheduled-tasks']);
    expect(deny).toMatchObject({ direction: 'EGRESS', priority: 1000, deny: [{ protocol: 'all' }] });
    expect(deny.target_tags ?? null).toBeNull();
    expect(deny.destination_ranges).toEqual(allow.destination_ranges);
    // Which endpoints these are is evaluated in redis-broker-fence.test.ts.
    expect(String(allow.destination_ranges)).toMatch(/^\$\{\[for c in flatten\(google_memorystore_instance\.[^.]+\.endpoints\[\*\]\.connections\)/);
  });

  it('publishes the instance CA so clients can verify the server', () => {
    const ca = Object.values(resourcesOf(initech, 'google_secret_manager_secret')).find((s) => s.secret_id === 'initech-prod-broker-ca');
    expect(ca).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true } });
  });
});
