/**
 * CK-NET-REACH-GCP on the GCP examples: the firewall admits exactly the broker clients, on the
 * broker port. Each example is checked as synthesized, then with one firewall rule changed the way
 * a mistake would change it (a client left out, a stray tag admitted), which the rule must name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resourcesOfSynthesizedStack } from '../../../constructs/policies/resource-graph';
import { gcpReachability, networkTagsOf } from '../../../constructs/policies/rules/gcp-reachability';
import { resourcesOf, synthesizeYaml, type TerraformJson } from '../../helpers/synth';

const umbrella = synthesizeYaml(readFileSync('customers/umbrella-staging.yaml', 'utf8')).json; // RabbitMQ, no monitoring
const initech = synthesizeYaml(readFileSync('customers/initech-prod.yaml', 'utf8')).json; // Memorystore, Flower

function problems(json: TerraformJson): string[] {
  return gcpReachability.checkStack!(resourcesOfSynthesizedStack(json as Record<string, unknown>)).map((v) => `${v.resource.address}: ${v.problem}`);
}

/** A deep copy of the stack with one firewall rule (by name) edited. */
function withFirewall(json: TerraformJson, name: string, edit: (rule: Record<string, unknown>) => void): TerraformJson {
  const copy = structuredClone(json);
  edit(Object.values(resourcesOf(copy, 'google_compute_firewall')).find((r) => r.name === name)!);
  return copy;
}

describe('CK-NET-REACH-GCP', () => {
  it('finds the broker clients of both examples and no problem', () => {
    for (const json of [umbrella, initech]) {
      const clients = resourcesOfSynthesizedStack(json as Record<string, unknown>).filter((r) => networkTagsOf(r).length > 0);
      expect(clients.length).toBeGreaterThan(3);
      expect(problems(json)).toEqual([]);
    }
  });

  it('names a client the RabbitMQ ingress rule leaves out', () => {
    const json = withFirewall(umbrella, 'umbrella-staging-rabbitmq-amqp', (r) => {
      r.source_tags = (r.source_tags as string[]).filter((t) => t !== 'umbrella-staging-exporter');
    });
    expect(problems(json)).toEqual([expect.stringMatching(/^google_compute_instance_template\.gcp_exporter_vms_template_\w+: it reads the URL of google_compute_address\.\S+ but no firewall rule admits its tags \(umbrella-staging-exporter\) to port 5672$/)]);
  });

  it('names a tag the RabbitMQ ingress rule admits but nothing carries, such as Flower in a stack without Flower', () => {
    const json = withFirewall(umbrella, 'umbrella-staging-rabbitmq-amqp', (r) => {
      r.source_tags = [...(r.source_tags as string[]), 'umbrella-staging-flower'];
    });
    expect(problems(json)).toEqual([expect.stringMatching(/^google_compute_firewall\.\S+: it admits tag umbrella-staging-flower to google_compute_address\.\S+ on port 5672, but no broker client of the stack carries it$/)]);
  });

  it('names a client the Memorystore egress rule leaves out', () => {
    const json = withFirewall(initech, 'initech-prod-broker-clients', (r) => {
      r.target_tags = (r.target_tags as string[]).filter((t) => t !== 'initech-prod-flower');
    });
    expect(problems(json)).toEqual([expect.stringMatching(/^google_cloud_run_v2_service\.\S+: it reads the URL of google_memorystore_instance\.\S+ but no firewall rule admits its tags \(initech-prod-flower\) to port 6379$/)]);
  });
});
