/**
 * The GCP network: a custom-mode VPC, one regional subnet with Private Google Access, Cloud NAT
 * for egress; nothing created for an existing network.
 */
import { describe, expect, it } from 'vitest';
import { editBase } from '../../helpers/parameter-files';
import { onlyResource, resourcesOf, synthesizeDir, synthesizeYaml } from '../../helpers/synth';

const umbrella = synthesizeDir().find((s) => s.spec.stackId === 'umbrella-staging')!.json;

describe('a created GCP network', () => {
  it('is custom mode with one subnet from the file range, Private Google Access and flow logs', () => {
    expect(onlyResource(umbrella, 'google_compute_network')).toMatchObject({ auto_create_subnetworks: false, routing_mode: 'REGIONAL' });
    expect(onlyResource(umbrella, 'google_compute_subnetwork')).toMatchObject({ ip_cidr_range: '10.60.0.0/16', region: 'us-central1', private_ip_google_access: true });
  });

  it('gives VMs egress through Cloud NAT only', () => {
    expect(onlyResource(umbrella, 'google_compute_router_nat')).toMatchObject({ nat_ip_allocate_option: 'AUTO_ONLY', source_subnetwork_ip_ranges_to_nat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' });
  });

  it('has no ingress rule open to the internet', () => {
    for (const rule of Object.values(resourcesOf(umbrella, 'google_compute_firewall'))) expect(rule.source_ranges ?? []).not.toContain('0.0.0.0/0');
  });
});

describe('an existing GCP network', () => {
  it('creates no network, subnet or NAT', () => {
    const json = synthesizeYaml(
      editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-celery-prod', 26: 'network:\n  existing:\n    network: shared-vpc\n    subnetwork: projects/acme-celery-prod/regions/europe-west1/subnetworks/celery\nstate:', 27: '  backend: gcs', 29: '' }),
    ).json;
    for (const type of ['google_compute_network', 'google_compute_subnetwork', 'google_compute_router_nat']) expect(resourcesOf(json, type)).toEqual({});
    const template = Object.values(resourcesOf(json, 'google_compute_instance_template'))[0]!;
    expect(template.network_interface).toEqual([{ subnetwork: 'projects/acme-celery-prod/regions/europe-west1/subnetworks/celery' }]);
  });
});
