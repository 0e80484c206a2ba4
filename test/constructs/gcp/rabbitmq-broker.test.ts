/**
 * RabbitMQ on Compute Engine: three nodes with disks and addresses that survive recreation,
 * forming a quorum-queue cluster by themselves, behind an internal load balancer.
 */
import { describe, expect, it } from 'vitest';
import { editBase } from '../../helpers/parameter-files';
import { onlyResource, resourcesOf, synthesizeYaml, type TerraformJson } from '../../helpers/synth';

const GCP_RABBITMQ = editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-celery-prod', 9: '  kind: rabbitmq', 27: '  backend: gcs', 29: '' });
const prod = synthesizeYaml(GCP_RABBITMQ).json;
const group = (json: TerraformJson) => Object.values(resourcesOf(json, 'google_compute_region_instance_group_manager')).find((g) => g.name === 'acme-prod-rabbitmq')!;
const template = (json: TerraformJson) => Object.values(resourcesOf(json, 'google_compute_instance_template')).find((t) => t.name_prefix === 'acme-prod-rabbitmq-')!;
const startup = (json: TerraformJson) => String((template(json).metadata as Record<string, string>)['startup-script']);

describe('the GCP rabbitmq broker', () => {
  it('runs three nodes whose data disks and addresses survive recreation', () => {
    expect(group(prod)).toMatchObject({ stateful_disk: [{ device_name: 'rabbitmq-data', delete_rule: 'NEVER' }], lifecycle: { prevent_destroy: true } });
    const disks = template(prod).disk as Array<Record<string, unknown>>;
    expect(disks.find((d) => d.device_name === 'rabbitmq-data')).toMatchObject({ auto_delete: false, disk_size_gb: 50, disk_type: 'pd-ssd' });
    const configs = Object.values(resourcesOf(prod, 'google_compute_region_per_instance_config'));
    expect(configs.map((c) => c.name)).toEqual(['acme-prod-rabbitmq-0', 'acme-prod-rabbitmq-1', 'acme-prod-rabbitmq-2']);
    for (const c of configs) {
      expect((c.preserved_state as { internal_ip: Array<Record<string, unknown>> }).internal_ip[0]).toMatchObject({ interface_name: 'nic0', auto_delete: 'NEVER' });
    }
  });

  it('lets the named per-instance configs alone decide how many nodes the group holds', () => {
    // A target_size beside the per-instance configs starts unnamed VMs outside the cluster's node list.
    const g = group(prod);
    expect(g).not.toHaveProperty('target_size');
    expect((g.lifecycle as { ignore_changes: string[] }).ignore_changes).toContain('target_size');
    expect(Object.values(resourcesOf(prod, 'google_compute_region_autoscaler')).filter((a) => String(a.target).includes('rabbitmq'))).toEqual([]);
    // Updates never add or rename a VM: no surge, names kept, nothing redistributed across zones.
    expect(g.update_policy).toMatchObject({ type: 'OPPORTUNISTIC', max_surge_fixed: 0, replacement_method: 'RECREATE', instance_redistribution_type: 'NONE' });
    const configs = Object.values(resourcesOf(prod, 'google_compute_region_per_instance_config'));
    expect(configs).toHaveLength(3);
    for (const c of configs) {
      expect(String(c.region_instance_group_manager)).toMatch(/^\$\{google_compute_region_instance_group_manager\.[^.]+\.name\}$/);
      // A changed config waits for the node's next recreation instead of replacing all three at once:
      // minimal_action is a floor, so only a ceiling of NONE keeps the apply from restarting nodes.
      expect(c.minimal_action).toBe('NONE');
      expect(c.most_disruptive_allowed_action).toBe('NONE');
    }
  });

  it('tells every node to expect the whole cluster and grows each quorum queue to all nodes', () => {
    const script = startup(prod);
    expect(script).toContain('cluster_formation.target_cluster_size_hint = 3');
    expect(script).toContain('quorum_queue.continuous_membership_reconciliation.enabled = true');
    expect(script).toContain('quorum_queue.continuous_membership_reconciliation.target_group_size = 3');
    expect(script).toContain('quorum_queue.continuous_membership_reconciliation.auto_remove = false');
  });

  it('runs a pinned RabbitMQ 3.13 that forms its cluster alone, with quorum queues and pause_minority', () => {
    const script = startup(prod);
    expect(script).toContain("'rabbitmq:3.13.7-management'");
    expect(script).toContain('cluster_formation.peer_discovery_backend = classic_config');
    expect(script.match(/cluster_formation\.classic_config\.nodes\.\d = rabbit@\$\{google_compute_address\.[^.]+\.address\}/g)).toHaveLength(3);
    expect(script).toContain('cluster_partition_handling = pause_minority');
    expect(script).toContain('default_queue_type = quorum');
    expect(script).toContain('update_vhost_metadata / --default-queue-type quorum');
  });

  it('keeps the Erlang cookie and the password in Secret Manager, never in metadata', () => {
    const ids = Object.values(resourcesOf(prod, 'google_secret_manager_secret')).map((s) => s.secret_id);
    expect(ids).toEqual(expect.arrayContaining(['acme-prod-rabbitmq-password', 'acme-prod-rabbitmq-erlang-cookie', 'acme-prod-broker-url']));
    expect(startup(prod)).not.toMatch(/terraform_data/);
    expect(startup(prod)).toContain('value=$(secret acme-prod-rabbitmq-erlang-cookie)\ninstall -m 600 /dev/null /mnt/disks/rabbitmq/.erlang.cookie');
    expect(startup(prod)).toContain("install -m 600 -o 999 -g 999 /dev/null /run/celerykit/rabbitmq/conf.d/80-user.conf");
  });

  it('serves AMQP through an internal TCP load balancer with health checks and autohealing', () => {
    expect(onlyResource(prod, 'google_compute_forwarding_rule')).toMatchObject({ load_balancing_scheme: 'INTERNAL', ip_protocol: 'TCP', ports: ['5672'] });
    expect(onlyResource(prod, 'google_compute_region_backend_service')).toMatchObject({ load_balancing_scheme: 'INTERNAL', protocol: 'TCP' });
    expect(onlyResource(prod, 'google_compute_region_health_check').tcp_health_check).toEqual({ port: 5672 });
    expect(group(prod).auto_healing_policies).toMatchObject({ initial_delay_sec: 600 });
  });

  it('has no external IP and admits only the kit components, its peers and Google health checks', () => {
    expect(template(prod).network_interface).toEqual([{ subnetwork: expect.any(String) }]);
    const rules = Object.values(resourcesOf(prod, 'google_compute_firewall')).filter((r) => String(r.name).startsWith('acme-prod-rabbitmq-'));
    for (const r of rules) {
      expect(r.direction).toBe('INGRESS');
      expect(r.target_tags).toEqual(['acme-prod-rabbitmq']);
      expect(r.source_ranges ?? []).not.toContain('0.0.0.0/0');
    }
    const amqp = rules.find((r) => r.name === 'acme-prod-rabbitmq-amqp')!;
    // No Flower in this file, so no Flower tag: an admitted tag nothing carries would let in any VM given it.
    expect(amqp.source_tags).toEqual(['acme-prod-workers', 'acme-prod-exporter', 'acme-prod-scheduled-tasks']);
  });

  it('runs one node for a non-production file', () => {
    const dev = synthesizeYaml(GCP_RABBITMQ.replace('customer: acme', 'customer: acme\nnonProduction: true')).json;
    expect(group(dev)).not.toHaveProperty('target_size');
    expect(Object.values(resourcesOf(dev, 'google_compute_region_per_instance_config'))).toHaveLength(1);
    expect(startup(dev)).toContain('cluster_formation.target_cluster_size_hint = 1');
    expect(startup(dev)).not.toContain('continuous_membership_reconciliation');
  });
});
