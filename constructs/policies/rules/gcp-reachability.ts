/**
 * Reachability (GCP): the firewall rules admit every component that must reach the broker, on
 * the broker's port, and nobody else. Computed from the stack's own references:
 *
 * - the broker endpoint is the address of an internal forwarding rule (RabbitMQ behind its load
 *   balancer) or a Memorystore instance;
 * - its clients are the VM templates, Cloud Run services and jobs that read a secret whose value
 *   refers to that endpoint (the broker URL), and they are known to the firewall by their network
 *   tags (a template's `tags`, a Cloud Run revision's Direct VPC egress tags);
 * - RabbitMQ is fenced by ingress rules on its nodes' tags, Memorystore (a Private Service
 *   Connect endpoint, which ingress rules do not reach) by egress rules towards its endpoints.
 *
 * Every client must carry a tag the rule admits, and every tag the rule admits must be carried
 * by a client: an admitted tag nothing carries lets in whatever VM someone gives that tag.
 */
import { block, blocks, type CheckedResource, type PolicyRule } from '../policy-rule';
import { referencesIn, type ResourceAddress } from '../resource-graph';
import { GCP_STARTERS, refsOfType } from './apply-order';

const MEMORYSTORE_PORT = 6379;

interface BrokerEndpoint {
  /** What a broker URL refers to: the load balancer's address or the Memorystore instance. */
  readonly endpoint: ResourceAddress;
  readonly port: number;
  /** RabbitMQ: the tags of the nodes behind the load balancer; undefined for Memorystore. */
  readonly nodeTags?: readonly string[];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function allowsPort(rule: CheckedResource, port: number): boolean {
  return blocks(rule.config, 'allow').some((a) => {
    if (a.protocol === 'all') return true;
    if (a.protocol !== 'tcp') return false;
    const ports = strings(a.ports);
    return ports.length === 0 || ports.some((p) => (p.includes('-') ? Number(p.split('-')[0]) <= port && port <= Number(p.split('-')[1]) : Number(p) === port));
  });
}

class GcpNetworkView {
  private readonly byAddress: Map<ResourceAddress, CheckedResource>;

  constructor(private readonly resources: readonly CheckedResource[]) {
    this.byAddress = new Map(resources.map((r) => [r.address, r]));
  }

  ofType(type: string): CheckedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  brokers(): BrokerEndpoint[] {
    const rabbit = this.ofType('google_compute_forwarding_rule')
      .filter((f) => f.config.load_balancing_scheme === 'INTERNAL')
      .flatMap((f) =>
        refsOfType(f.config.ip_address, 'google_compute_address').flatMap((endpoint) =>
          strings(f.config.ports).map((port) => ({ endpoint, port: Number(port), nodeTags: this.nodeTagsBehind(f) })),
        ),
      );
    const valkey = this.ofType('google_memorystore_instance').map((i) => ({ endpoint: i.address, port: MEMORYSTORE_PORT }));
    return [...rabbit, ...valkey];
  }

  /** Forwarding rule -> backend service -> instance groups -> their templates' tags. */
  private nodeTagsBehind(forwarding: CheckedResource): string[] {
    const backends = refsOfType(forwarding.config.backend_service, 'google_compute_region_backend_service').flatMap((b) => (this.byAddress.has(b) ? [this.byAddress.get(b)!] : []));
    const groups = backends.flatMap((b) => blocks(b.config, 'backend').flatMap((be) => refsOfType(be.group, 'google_compute_region_instance_group_manager')));
    const templates = groups.flatMap((g) => blocks(this.byAddress.get(g)?.config ?? {}, 'version').flatMap((v) => refsOfType(v.instance_template, 'google_compute_instance_template')));
    return templates.flatMap((t) => strings(this.byAddress.get(t)?.config.tags));
  }

  /** The starters reading a secret whose value refers to `endpoint`. */
  clientsOf(endpoint: ResourceAddress): CheckedResource[] {
    const urlSecrets = this.ofType('google_secret_manager_secret_version')
      .filter((v) => referencesIn(String(v.config.secret_data ?? '')).some((r) => r === endpoint))
      .flatMap((v) => refsOfType(v.config.secret, 'google_secret_manager_secret'));
    return this.resources.filter((r) => GCP_STARTERS.includes(r.type) && refsOfType(r.config, 'google_secret_manager_secret').some((s) => urlSecrets.includes(s)));
  }

  /** The firewall rules that let traffic to `broker` through, and the tags each admits. */
  admitting(broker: BrokerEndpoint): Array<{ rule: CheckedResource; tags: string[] }> {
    return this.ofType('google_compute_firewall')
      .filter((f) => blocks(f.config, 'allow').length > 0 && allowsPort(f, broker.port))
      .flatMap((f) => {
        const egress = f.config.direction === 'EGRESS';
        if (broker.nodeTags === undefined) {
          return egress && referencesIn(JSON.stringify(f.config.destination_ranges ?? '')).includes(broker.endpoint) ? [{ rule: f, tags: strings(f.config.target_tags) }] : [];
        }
        return !egress && strings(f.config.target_tags).some((t) => broker.nodeTags!.includes(t)) ? [{ rule: f, tags: strings(f.config.source_tags) }] : [];
      });
  }
}

/** A client's network tags. */
export function networkTagsOf(starter: CheckedResource): string[] {
  if (starter.type === 'google_compute_instance_template') return strings(starter.config.tags);
  const template = block(starter.config, 'template');
  const inner = starter.type === 'google_cloud_run_v2_job' ? block(template ?? {}, 'template') : template;
  return blocks(block(inner ?? {}, 'vpc_access') ?? {}, 'network_interfaces').flatMap((n) => strings(n.tags));
}

export const gcpReachability: PolicyRule = {
  id: 'CK-NET-REACH-GCP',
  title: 'the firewall admits every broker client on the broker port, and nobody else',
  rationale: 'a client the firewall does not admit cannot connect; a tag it admits that no client carries lets in any VM given that tag',
  fix: 'admit exactly the network tags of the components that read the broker URL (constructs/gcp/network-tags.ts gcpBrokerClients), on the broker port',
  resourceTypes: ['google_compute_firewall', ...GCP_STARTERS],
  check: () => undefined,
  checkStack: (resources) => {
    const view = new GcpNetworkView(resources);
    return view.brokers().flatMap((broker) => {
      const clients = view.clientsOf(broker.endpoint);
      const admitting = view.admitting(broker);
      const admitted = new Set(admitting.flatMap((a) => a.tags));
      const carried = new Set(clients.flatMap(networkTagsOf));
      const unreached = clients
        .filter((c) => !networkTagsOf(c).some((t) => admitted.has(t)))
        .map((c) => ({ resource: c, problem: `it reads the URL of ${broker.endpoint} but no firewall rule admits its tags (${networkTagsOf(c).join(', ') || 'none'}) to port ${broker.port}` }));
      const extra = admitting.flatMap(({ rule, tags }) =>
        tags.filter((t) => !carried.has(t)).map((t) => ({ resource: rule, problem: `it admits tag ${t} to ${broker.endpoint} on port ${broker.port}, but no broker client of the stack carries it` })),
      );
      return [...unreached, ...extra];
    });
  },
};
