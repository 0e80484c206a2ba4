import { blocks, type PolicyRule } from '../policy-rule';

const ANYWHERE = ['0.0.0.0/0', '::/0'];
/** The SSO load balancer answers the internet on these ports only; nothing else may. */
const FRONT_DOOR_PORTS = [80, 443];

export const noOpenIngress: PolicyRule = {
  id: 'CK-NET-NO-OPEN-INGRESS',
  title: 'no ingress from anywhere, except the SSO load balancer on 80/443',
  rationale: 'every other component is reached from inside the network only',
  fix: 'admit a security group or network tag instead of an address range',
  resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_security_group', 'google_compute_firewall'],
  check: ({ type, config }) => {
    if (type === 'aws_vpc_security_group_ingress_rule') {
      const open = ANYWHERE.includes(String(config.cidr_ipv4)) || ANYWHERE.includes(String(config.cidr_ipv6));
      const frontDoor = FRONT_DOOR_PORTS.includes(Number(config.from_port)) && config.from_port === config.to_port && config.ip_protocol === 'tcp';
      return open && !frontDoor ? `admits ${String(config.cidr_ipv4 ?? config.cidr_ipv6)} on ${String(config.from_port)}-${String(config.to_port)}` : undefined;
    }
    if (type === 'aws_security_group') {
      const open = blocks(config, 'ingress').find((r) => [...((r.cidr_blocks as string[]) ?? []), ...((r.ipv6_cidr_blocks as string[]) ?? [])].some((c) => ANYWHERE.includes(c)));
      return open ? 'an inline ingress rule admits any address' : undefined;
    }
    if (config.direction !== 'EGRESS' && ((config.source_ranges as string[] | undefined) ?? []).some((c) => ANYWHERE.includes(c))) return 'admits any address';
    return undefined;
  },
};
