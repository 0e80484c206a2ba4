/**
 * A service behind a load balancer is reached through it and nothing else: every ingress rule of
 * its security groups admits only a group of a load balancer of the stack, on a port the service
 * registers with that load balancer. That is what makes headers the load balancer adds (its signed
 * `x-amzn-oidc-data` among them) arrive from the load balancer alone; the ALB guide asks for exactly
 * this when targets are plain HTTP
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding:
 * "be sure to restrict the traffic to your load balancer using security groups"). The other way in,
 * a public IP, is left to CK-COMPUTE-NO-PUBLIC-IP, which reads every ECS service, so one address is
 * reported once.
 */
import { block, blocks, isTrue, type CheckedResource, type PolicyRule } from '../policy-rule';
import { referencesIn } from '../resource-graph';

/** A security group as rules name it: `aws_security_group.x` for a reference, else the literal. */
function groupOf(value: unknown): string {
  const refs = typeof value === 'string' ? referencesIn(value) : [];
  return refs.length === 1 && refs[0]!.startsWith('aws_security_group.') ? refs[0]! : String(value);
}

interface Ingress {
  readonly resource: CheckedResource;
  readonly group: string;
  readonly from: number;
  readonly to: number;
  /** A peer group, or undefined for address ranges and prefix lists. */
  readonly peer?: string;
  readonly what: string;
}

function ingressRules(resources: readonly CheckedResource[]): Ingress[] {
  return resources.flatMap((r): Ingress[] => {
    const c = r.config;
    const range = (x: Record<string, unknown>, protocol: unknown) =>
      String(protocol) === '-1' ? { from: 0, to: 65535 } : { from: Number(x.from_port ?? 0), to: Number(x.to_port ?? 65535) };
    if (r.type === 'aws_vpc_security_group_ingress_rule') {
      const peer = c.referenced_security_group_id === undefined ? undefined : groupOf(c.referenced_security_group_id);
      return [{ resource: r, group: groupOf(c.security_group_id), ...range(c, c.ip_protocol), ...(peer === undefined ? {} : { peer }), what: peer ?? String(c.cidr_ipv4 ?? c.cidr_ipv6 ?? c.prefix_list_id) }];
    }
    if (r.type === 'aws_security_group_rule' && c.type === 'ingress') {
      const peer = c.source_security_group_id === undefined ? (isTrue(c.self) ? groupOf(c.security_group_id) : undefined) : groupOf(c.source_security_group_id);
      return [{ resource: r, group: groupOf(c.security_group_id), ...range(c, c.protocol), ...(peer === undefined ? {} : { peer }), what: peer ?? 'an address range' }];
    }
    if (r.type === 'aws_security_group') {
      return blocks(c, 'ingress').flatMap((i) => {
        const peers = ((i.security_groups as string[] | undefined) ?? []).map(groupOf);
        const ranges = [...((i.cidr_blocks as string[]) ?? []), ...((i.ipv6_cidr_blocks as string[]) ?? []), ...((i.prefix_list_ids as string[]) ?? [])];
        const self = isTrue(i.self) ? [r.address] : [];
        return [
          ...[...peers, ...self].map((peer) => ({ resource: r, group: r.address, ...range(i, i.protocol), peer, what: peer })),
          ...ranges.map((cidr) => ({ resource: r, group: r.address, ...range(i, i.protocol), what: cidr })),
        ];
      });
    }
    return [];
  });
}

export const uiIngressLoadBalancerOnly: PolicyRule = {
  id: 'CK-UI-LB-ONLY',
  title: 'a service behind a load balancer is reachable from that load balancer only',
  rationale: 'the identity the load balancer vouches for means nothing if anything else can reach the target',
  fix: 'admit only the load balancer security group into the service groups, on the target port',
  // Listed for the docs; the rule reads services, groups and load balancers together (checkStack).
  resourceTypes: ['aws_ecs_service', 'aws_vpc_security_group_ingress_rule', 'aws_security_group_rule', 'aws_security_group'],
  check: () => undefined,
  checkStack: (resources) => {
    const problems: Array<{ resource: CheckedResource; problem: string }> = [];
    const lbGroups = new Set(resources.filter((r) => r.type === 'aws_lb').flatMap((lb) => ((lb.config.security_groups as string[] | undefined) ?? []).map(groupOf)));
    const ingress = ingressRules(resources);
    for (const service of resources.filter((r) => r.type === 'aws_ecs_service' && blocks(r.config, 'load_balancer').length > 0)) {
      const network = block(service.config, 'network_configuration');
      const ports = new Set(blocks(service.config, 'load_balancer').map((l) => Number(l.container_port)));
      for (const group of ((network?.security_groups as string[] | undefined) ?? []).map(groupOf)) {
        for (const rule of ingress.filter((i) => i.group === group)) {
          const name = `${group.replace(/^aws_security_group\./, '')} (group of ${service.address})`;
          if (rule.peer === undefined || !lbGroups.has(rule.peer)) problems.push({ resource: rule.resource, problem: `admits ${rule.what.replace(/^aws_security_group\./, '')} into ${name}, which is not a load balancer's group` });
          else if (rule.from !== rule.to || !ports.has(rule.from)) problems.push({ resource: rule.resource, problem: `admits the load balancer into ${name} on ${rule.from}-${rule.to}, not only the target port ${[...ports].join(', ')}` });
        }
      }
    }
    return problems;
  },
};
