/**
 * VPC endpoints: the S3 gateway on every network the kit creates, interface endpoints with private
 * DNS in the private subnets as the file (or its default) asks, admitting only the kit's task
 * groups; and the tasks' egress that goes with them.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../../helpers/parameter-files';
import { resourcesOf, synthesizeYaml, type ResourceBody, type TerraformJson } from '../../helpers/synth';

const ECR_IMAGE = '  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:1.0.0';
const json = (edits: Record<number, string>): TerraformJson => synthesizeYaml(editBase(edits)).json;
const endpoints = (j: TerraformJson) => Object.values(resourcesOf(j, 'aws_vpc_endpoint'));
const interfaceServices = (j: TerraformJson) =>
  endpoints(j)
    .filter((e) => e.vpc_endpoint_type === 'Interface')
    .map((e) => String(e.service_name).replace('com.amazonaws.eu-west-1.', ''))
    .sort();
const groupNamed = (j: TerraformJson, suffix: string) => Object.entries(resourcesOf(j, 'aws_security_group')).find(([, g]) => String(g.name).endsWith(suffix));
const ref = (name: string) => `\${aws_security_group.${name}.id}`;
const rulesOf = (j: TerraformJson, type: string, group: string): ResourceBody[] => Object.values(resourcesOf(j, type)).filter((r) => r.security_group_id === ref(group));

/** Security groups ECS tasks run in: services and the scheduler's tasks. */
function taskGroups(j: TerraformJson): Set<string> {
  const services = Object.values(resourcesOf(j, 'aws_ecs_service')).flatMap((s) => (s.network_configuration as { security_groups: string[] }).security_groups);
  const scheduled = Object.values(resourcesOf(j, 'aws_scheduler_schedule')).flatMap(
    (s) => (s.target as { ecs_parameters: { network_configuration: { security_groups: string[] } } }).ecs_parameters.network_configuration.security_groups,
  );
  return new Set([...services, ...scheduled]);
}

describe('endpoints of a production stack on a network the kit creates', () => {
  const prod = json({ 6: ECR_IMAGE });

  it('routes S3 through a gateway endpoint on each private route table', () => {
    const [s3, ...others] = endpoints(prod).filter((e) => e.vpc_endpoint_type === 'Gateway');
    expect(others).toEqual([]);
    expect(s3!.service_name).toBe('com.amazonaws.eu-west-1.s3');
    const privateTables = Object.entries(resourcesOf(prod, 'aws_route_table')).filter(([, t]) => String((t.tags as Record<string, string>).Name).includes('-private-'));
    expect(new Set(s3!.route_table_ids as string[])).toEqual(new Set(privateTables.map(([name]) => `\${aws_route_table.${name}.id}`)));
  });

  it('reaches ECR, logs and Secrets Manager through interface endpoints by default', () => {
    expect(interfaceServices(prod)).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']);
  });

  it('puts each interface endpoint in the private subnets, with private DNS and only the endpoints group', () => {
    const [sg] = groupNamed(prod, '-endpoints')!;
    const privateSubnets = Object.entries(resourcesOf(prod, 'aws_subnet'))
      .filter(([, s]) => (s.tags as Record<string, string>).tier === 'private')
      .map(([name]) => `\${aws_subnet.${name}.id}`);
    for (const e of endpoints(prod).filter((x) => x.vpc_endpoint_type === 'Interface')) {
      expect(e.private_dns_enabled).toBe(true);
      expect(new Set(e.subnet_ids as string[])).toEqual(new Set(privateSubnets));
      expect(e.security_group_ids).toEqual([ref(sg)]);
    }
  });

  it('admits every task group on 443 and nothing else, and opens no egress of its own', () => {
    const [sg] = groupNamed(prod, '-endpoints')!;
    const ingress = rulesOf(prod, 'aws_vpc_security_group_ingress_rule', sg);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 443, to_port: 443 });
      expect(rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? null).toBeNull();
    }
    // Flower's group is admitted before any Flower runs (this file has no monitoring), like the broker does.
    const [flower] = groupNamed(prod, '-flower')!;
    expect(new Set(ingress.map((r) => r.referenced_security_group_id))).toEqual(new Set([...taskGroups(prod), ref(flower)]));
    expect(rulesOf(prod, 'aws_vpc_security_group_egress_rule', sg)).toEqual([]);
  });

  it('gives workers egress to the broker, the endpoints, S3 and HTTPS only, never all traffic', () => {
    const [workers] = groupNamed(prod, '-workers')!;
    const [broker] = groupNamed(prod, '-broker')!;
    const [sg] = groupNamed(prod, '-endpoints')!;
    const egress = rulesOf(prod, 'aws_vpc_security_group_egress_rule', workers);
    expect(egress.every((r) => r.ip_protocol === 'tcp' && r.from_port === r.to_port)).toBe(true);
    const targets = egress.map((r) => `${String(r.from_port)} ${String(r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.prefix_list_id)}`).sort();
    expect(targets).toEqual([`443 ${ref(sg)}`, expect.stringMatching(/^443 \$\{aws_vpc_endpoint\..*\.prefix_list_id\}$/), '443 0.0.0.0/0', `6379 ${ref(broker)}`]);
  });

  it('narrows the former all-traffic rule in place only after the broker rule exists', () => {
    const [name, rule] = Object.entries(resourcesOf(prod, 'aws_vpc_security_group_egress_rule')).find(([n]) => n.includes('security-groups_workers-egress'))!;
    expect(name).toMatch(/workers-egress/);
    expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 443, cidr_ipv4: '0.0.0.0/0' });
    expect(rule.depends_on).toEqual([expect.stringMatching(/workers-to-broker-6379/)]);
  });

  it('adds Managed Prometheus with monitoring, and skips ECR when the image lives elsewhere', () => {
    expect(interfaceServices(json({}))).toEqual(['logs', 'secretsmanager']);
  });
});

describe('endpoints the file turns off or changes', () => {
  it('keeps only the free S3 gateway with interfaceEndpoints: []', () => {
    const j = json({ 26: 'network:\n  interfaceEndpoints: []\nstate:' });
    expect(interfaceServices(j)).toEqual([]);
    expect(groupNamed(j, '-endpoints')).toBeUndefined();
    expect(endpoints(j).map((e) => e.vpc_endpoint_type)).toEqual(['Gateway']);
  });

  it('creates no interface endpoint in non-production by default', () => {
    const j = json({ 6: ECR_IMAGE, 26: 'nonProduction: true\nstate:' });
    expect(interfaceServices(j)).toEqual([]);
    expect(endpoints(j)).toHaveLength(1);
  });

  it('creates nothing in an existing VPC unless listed, and then only interface endpoints in its subnets', () => {
    const existing = 'network:\n  existing:\n    vpcId: vpc-0abc\n    subnetIds: [subnet-0a, subnet-0b]\n';
    expect(endpoints(json({ 26: `${existing}state:` }))).toEqual([]);
    const listed = json({ 26: `${existing}  interfaceEndpoints: [sts, logs]\nstate:` });
    expect(interfaceServices(listed)).toEqual(['logs', 'sts']);
    for (const e of endpoints(listed)) expect(e.subnet_ids).toEqual(['subnet-0a', 'subnet-0b']);
  });

  it('opens appEgress for workers and scheduled tasks only', () => {
    const j = json({ 26: 'network:\n  appEgress: [{port: 5432, cidr: 10.20.0.0/16}]\nstate:' });
    const withPort = (suffix: string) => rulesOf(j, 'aws_vpc_security_group_egress_rule', groupNamed(j, suffix)![0]).filter((r) => r.from_port === 5432);
    expect(withPort('-workers')).toEqual([expect.objectContaining({ cidr_ipv4: '10.20.0.0/16', to_port: 5432 })]);
    expect(withPort('-scheduled-tasks')).toHaveLength(1);
    expect(withPort('-exporter')).toEqual([]);
  });
});

describe('endpoint parameters that cannot work', () => {
  it('names an unknown service with the allowed list', () => {
    expect(problemLines(editBase({ 26: 'network:\n  interfaceEndpoints: [ecs]\nstate:' }))).toEqual([
      expect.stringMatching(/^FILE:27: error: network\.interfaceEndpoints\[0\]: is not a service the kit can reach through an interface endpoint\. Fix: use one of ecr\.api, ecr\.dkr, logs/),
    ]);
  });

  it('refuses interface endpoints and appEgress on GCP', () => {
    const gcp = editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-prod', 26: 'network:\n  interfaceEndpoints: [logs]\n  appEgress: [{port: 5432, cidr: 10.0.0.0/8}]\nstate:', 27: '  backend: gcs', 29: '' });
    const lines = problemLines(gcp);
    expect(lines.some((l) => /network\.interfaceEndpoints: interface endpoints are AWS VPC endpoints\. Fix: remove network\.interfaceEndpoints/.test(l))).toBe(true);
    expect(lines.some((l) => /network\.appEgress: appEgress opens AWS security groups/.test(l))).toBe(true);
  });
});
