/**
 * Reachability (AWS): security groups let each component reach what it must reach, and no more.
 *
 * Security groups are stateful, so one direction of a path needs one rule on each side: the target
 * group's ingress and the source group's egress. A path with only one of the two is either broken
 * at run time (the component cannot connect) or dead weight that hides what really talks to what.
 * The rule reads the whole stack:
 *
 * - every ingress that admits another group has that group's matching egress (broker clients to
 *   the broker, the load balancer to Flower and Grafana, tasks to the interface endpoints);
 * - every egress to a group of the stack is admitted by that group;
 * - an interface endpoint with private DNS captures the service's name for the whole VPC, so every
 *   ECS task group must be admitted by the endpoint's group on 443, or its calls to that service
 *   time out although NAT is there
 *   (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/-create-vpc-endpoint-request/private-dns-enabled.html);
 * - every ECS task group reaches AWS APIs on 443, through NAT (443 to anywhere) or the endpoints;
 * - whatever starts tasks that read a broker's URL (a secret whose value names the broker) is
 *   admitted by the broker's group on the URL's port: rediss to the replication group's port, amqps
 *   to 5671, https (the RabbitMQ management API) to 443; the RabbitMQ users bootstrap, which reads
 *   the users' URLs only for their passwords, on 443. With the pairing above, its egress then
 *   allows that port too. A client with neither half would otherwise pass, and fail at run time;
 * - a load balancer that authenticates with OIDC has 443 out to an address range, because it calls
 *   the IdP's token and user-info endpoints itself
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html);
 * - no egress allows all protocols or a port range to an address range, and nothing but 443 goes
 *   to anywhere.
 */
import { blocks, block, type CheckedResource, type PolicyRule } from '../policy-rule';
import { referencesIn, typeOf } from '../resource-graph';
import { ecsSecretReads, rabbitmqCredentialReads } from './apply-order';

const ANYWHERE = ['0.0.0.0/0', '::/0'];
const HTTPS = 443;

interface Rule {
  readonly resource: CheckedResource;
  /** The group the rule belongs to: an address (`aws_security_group.x`) or a literal id. */
  readonly group: string;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  /** The other side: a group, an address range or a prefix list. */
  readonly peerGroup?: string;
  readonly cidr?: string;
  readonly prefixList?: string;
}

/** `${aws_security_group.x.id}` -> `aws_security_group.x`; anything else as written. */
function groupOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\$\{(aws_security_group\.[^.}]+)\.id\}$/.exec(value)?.[1] ?? value;
}

function ruleOf(resource: CheckedResource): Rule {
  const c = resource.config;
  const protocol = String(c.ip_protocol ?? '-1');
  const all = protocol === '-1';
  return {
    resource,
    group: groupOf(c.security_group_id) ?? '',
    protocol,
    from: all ? 0 : Number(c.from_port ?? 0),
    to: all ? 65535 : Number(c.to_port ?? 65535),
    ...(c.referenced_security_group_id === undefined ? {} : { peerGroup: groupOf(c.referenced_security_group_id)! }),
    ...(c.cidr_ipv4 !== undefined || c.cidr_ipv6 !== undefined ? { cidr: String(c.cidr_ipv4 ?? c.cidr_ipv6) } : {}),
    ...(c.prefix_list_id === undefined ? {} : { prefixList: String(c.prefix_list_id) }),
  };
}

/** True when `rule` lets TCP `port` through to (egress) or from (ingress) `peer`. */
function admits(rule: Rule, peer: string, port: number): boolean {
  const protocolOk = rule.protocol === '-1' || rule.protocol === 'tcp' || rule.protocol === '6';
  const portOk = rule.from <= port && port <= rule.to;
  const peerOk = rule.peerGroup === peer || (rule.cidr !== undefined && ANYWHERE.includes(rule.cidr));
  return protocolOk && portOk && peerOk;
}

/** Security groups of ECS tasks: services, and tasks the scheduler starts. */
function taskGroups(resources: readonly CheckedResource[]): Map<string, CheckedResource> {
  const groups = new Map<string, CheckedResource>();
  for (const r of resources) {
    const network =
      r.type === 'aws_ecs_service'
        ? block(r.config, 'network_configuration')
        : r.type === 'aws_scheduler_schedule'
          ? block(block(block(r.config, 'target') ?? {}, 'ecs_parameters') ?? {}, 'network_configuration')
          : undefined;
    for (const g of (network?.security_groups as unknown[] | undefined) ?? []) {
      const group = groupOf(g);
      if (group !== undefined && !groups.has(group)) groups.set(group, r);
    }
  }
  return groups;
}

interface BrokerUrl {
  readonly broker: string;
  readonly brokerGroups: readonly string[];
  readonly scheme: string;
  readonly port: number;
}

/** Secret (address) -> the broker URLs its versions hold: a value naming an ElastiCache group or an Amazon MQ broker. */
function brokerUrls(resources: readonly CheckedResource[]): Map<string, BrokerUrl[]> {
  const brokers = resources.filter((r) => r.type === 'aws_elasticache_replication_group' || r.type === 'aws_mq_broker');
  const urls = new Map<string, BrokerUrl[]>();
  for (const version of resources.filter((r) => r.type === 'aws_secretsmanager_secret_version')) {
    const value = String(version.config.secret_string ?? '');
    const named = new Set(referencesIn(value));
    for (const broker of brokers.filter((b) => named.has(b.address))) {
      const redis = broker.type === 'aws_elasticache_replication_group';
      // ElastiCache listens on its port (6379 unless set); Amazon MQ for RabbitMQ on 5671 (AMQPS) and 443 (management).
      const scheme = ['rediss', 'redis', 'amqps', 'https'].find((s) => value.includes(`${s}://`));
      const port = scheme === undefined ? undefined : redis ? (scheme.startsWith('redis') ? Number(broker.config.port ?? 6379) : undefined) : scheme === 'amqps' ? 5671 : scheme === 'https' ? 443 : undefined;
      if (scheme === undefined || port === undefined) continue;
      const brokerGroups = (((redis ? broker.config.security_group_ids : broker.config.security_groups) as unknown[] | undefined) ?? []).map(groupOf).filter((g): g is string => g !== undefined);
      for (const secret of referencesIn(String(version.config.secret_id ?? '')).filter((a) => typeOf(a) === 'aws_secretsmanager_secret')) {
        urls.set(secret, [...(urls.get(secret) ?? []), { broker: broker.address, brokerGroups, scheme, port }]);
      }
    }
  }
  return urls;
}

const portText = (r: Rule) => (r.protocol === '-1' ? 'all traffic' : r.from === r.to ? `${r.protocol.toUpperCase()} ${r.from}` : `${r.protocol.toUpperCase()} ${r.from}-${r.to}`);

export const reachability: PolicyRule = {
  id: 'CK-NET-REACHABILITY',
  title: 'each component can reach what it needs, and its egress allows no more',
  rationale: 'a missing egress or endpoint admission fails at run time (tasks cannot pull, log or reach the broker); an open egress lets a compromised task talk to anything',
  fix: 'pair every ingress from a group with that group\'s egress, admit every task group to the interface endpoints on 443, and limit egress to the broker port, 443 and named ranges',
  resourceTypes: ['aws_vpc_security_group_egress_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_endpoint', 'aws_ecs_service', 'aws_scheduler_schedule', 'aws_lb'],
  check: () => undefined,
  checkStack: (resources) => {
    const problems: Array<{ resource: CheckedResource; problem: string }> = [];
    const byAddress = new Map(resources.map((r) => [r.address, r]));
    const name = (group: string) => String(byAddress.get(group)?.config.name ?? group);
    const egress = resources.filter((r) => r.type === 'aws_vpc_security_group_egress_rule').map(ruleOf);
    const ingress = resources.filter((r) => r.type === 'aws_vpc_security_group_ingress_rule').map(ruleOf);
    const egressOf = (group: string) => egress.filter((r) => r.group === group);
    const ingressOf = (group: string) => ingress.filter((r) => r.group === group);

    // Both sides of every path between two groups.
    for (const rule of ingress) {
      if (rule.peerGroup === undefined || !byAddress.has(rule.peerGroup)) continue;
      for (const port of new Set([rule.from, rule.to])) {
        if (!egressOf(rule.peerGroup).some((e) => admits(e, rule.group, port))) {
          problems.push({ resource: rule.resource, problem: `admits ${name(rule.peerGroup)} on ${port}, but that group's egress does not allow ${port} to ${name(rule.group)}` });
        }
      }
    }
    for (const rule of egress) {
      if (rule.peerGroup !== undefined && byAddress.has(rule.peerGroup) && !ingressOf(rule.peerGroup).some((i) => admits(i, rule.group, rule.from))) {
        problems.push({ resource: rule.resource, problem: `allows ${portText(rule)} to ${name(rule.peerGroup)}, which does not admit ${name(rule.group)}` });
      }
      // No more: address ranges get single ports, and anywhere gets 443 only.
      if (rule.cidr !== undefined && (rule.protocol === '-1' || rule.from !== rule.to)) {
        problems.push({ resource: rule.resource, problem: `allows ${portText(rule)} to ${rule.cidr}` });
      } else if (rule.cidr !== undefined && ANYWHERE.includes(rule.cidr) && rule.from !== HTTPS) {
        problems.push({ resource: rule.resource, problem: `allows ${portText(rule)} to anywhere; only 443 may go to the internet` });
      }
    }

    // Tasks reach AWS APIs, and every private-DNS endpoint admits every task.
    const endpoints = resources.filter((r) => r.type === 'aws_vpc_endpoint' && r.config.vpc_endpoint_type === 'Interface');
    for (const [group, user] of taskGroups(resources)) {
      const out = egressOf(group);
      const viaNat = out.some((e) => e.cidr !== undefined && ANYWHERE.includes(e.cidr) && admits(e, '', HTTPS));
      for (const endpoint of endpoints.filter((e) => e.config.private_dns_enabled === true)) {
        const endpointGroups = ((endpoint.config.security_group_ids as unknown[] | undefined) ?? []).map(groupOf).filter((g): g is string => g !== undefined);
        if (!endpointGroups.some((eg) => ingressOf(eg).some((i) => admits(i, group, HTTPS)))) {
          problems.push({ resource: endpoint, problem: `resolves ${String(endpoint.config.service_name)} for the whole VPC but does not admit ${name(group)} (used by ${user.address}) on 443` });
        }
      }
      const viaEndpoints = endpoints.length > 0 && endpoints.every((endpoint) => ((endpoint.config.security_group_ids as unknown[] | undefined) ?? []).some((eg) => out.some((e) => admits(e, groupOf(eg)!, HTTPS))));
      if (!viaNat && !viaEndpoints) {
        problems.push({ resource: user, problem: `its group ${name(group)} has no egress on 443 to AWS APIs (through NAT or the interface endpoints)` });
      }
    }

    // Broker clients reach the broker on the port of the URL they read.
    const urls = brokerUrls(resources);
    if (urls.size > 0) {
      const taskGroupsOf = (starter: CheckedResource) => [...taskGroups([starter]).keys()];
      // The users bootstrap (it alone reads the administrator's credentials) reads the users' URLs
      // for their passwords and talks to the management API only: it needs 443, not their ports.
      const bootstraps = new Set(rabbitmqCredentialReads(resources).filter((r) => r.admin.length > 0).map((r) => r.starter.address));
      for (const { starter, secrets } of ecsSecretReads(resources)) {
        for (const secret of secrets) {
          for (const read of urls.get(secret) ?? []) {
            const url = bootstraps.has(starter.address) ? { ...read, scheme: 'https (management API)', port: HTTPS } : read;
            const groups = taskGroupsOf(starter);
            if (!url.brokerGroups.some((bg) => ingressOf(bg).some((i) => groups.some((g) => admits(i, g, url.port))))) {
              problems.push({ resource: starter, problem: `its tasks read ${secret}, a ${url.scheme} URL of ${url.broker}, but the broker's group admits none of its groups (${groups.map(name).join(', ') || 'none'}) on ${url.port}` });
            }
          }
        }
      }
    }

    // The OIDC load balancer calls the IdP.
    for (const lb of resources.filter((r) => r.type === 'aws_lb')) {
      const listeners = new Set(resources.filter((r) => r.type === 'aws_lb_listener' && r.config.load_balancer_arn === `\${${lb.address}.arn}`).map((r) => `\${${r.address}.arn}`));
      const oidc = resources.some(
        (r) =>
          (r.type === 'aws_lb_listener_rule' && listeners.has(String(r.config.listener_arn)) && blocks(r.config, 'action').some((a) => a.type === 'authenticate-oidc')) ||
          (r.type === 'aws_lb_listener' && listeners.has(`\${${r.address}.arn}`) && blocks(r.config, 'default_action').some((a) => a.type === 'authenticate-oidc')),
      );
      const groups = ((lb.config.security_groups as unknown[] | undefined) ?? []).map(groupOf);
      if (oidc && !groups.some((g) => egress.some((e) => e.group === g && e.cidr !== undefined && e.from <= HTTPS && HTTPS <= e.to))) {
        problems.push({ resource: lb, problem: 'authenticates with OIDC but its groups allow no 443 out to the IdP' });
      }
    }
    return problems;
  },
};
