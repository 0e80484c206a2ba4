/**
 * The AWS network: private subnets per zone with NAT egress, nothing public on them, or an
 * existing VPC used as is.
 */
import { describe, expect, it } from 'vitest';
import { editBase, writeParameterFiles } from '../../helpers/parameter-files';
import { synthesizeDir, type TerraformJson } from '../../helpers/synth';

function synth(edits: Record<number, string>): TerraformJson {
  return synthesizeDir(writeParameterFiles({ 'f.yaml': editBase(edits) }))[0]!.json;
}
const resources = (json: TerraformJson, type: string) => Object.values(json.resource?.[type] ?? {}) as Array<Record<string, unknown>>;

describe('a created AWS network', () => {
  const prod = synth({});

  it('has one private and one NAT-carrying public subnet in each of three zones, none mapping public IPs', () => {
    const subnets = resources(prod, 'aws_subnet');
    expect(subnets).toHaveLength(6);
    expect(subnets.map((s) => s.availability_zone).sort()).toEqual(['eu-west-1a', 'eu-west-1a', 'eu-west-1b', 'eu-west-1b', 'eu-west-1c', 'eu-west-1c']);
    for (const s of subnets) expect(s.map_public_ip_on_launch).toBe(false);
  });

  it('routes each private subnet to a NAT gateway in production, one per zone, never straight to the internet', () => {
    expect(resources(prod, 'aws_nat_gateway')).toHaveLength(3);
    const privateTables = resources(prod, 'aws_route_table').filter((t) => String((t.tags as Record<string, string>).Name).includes('-private-'));
    expect(privateTables).toHaveLength(3);
    for (const t of privateTables) {
      const routes = t.route as Array<Record<string, unknown>>;
      expect(routes).toHaveLength(1);
      expect(String(routes[0]!.nat_gateway_id)).toMatch(/^\$\{aws_nat_gateway\./);
      expect(routes[0]!.gateway_id ?? null).toBeNull();
    }
  });

  it('shares one NAT gateway outside production', () => {
    const dev = synth({ 26: 'nonProduction: true\nstate:' });
    expect(resources(dev, 'aws_nat_gateway')).toHaveLength(1);
  });

  it('locks the default security group down to no rules', () => {
    expect(resources(prod, 'aws_default_security_group')[0]).toMatchObject({ ingress: [], egress: [] });
  });

  it('takes its address range and zones from the file', () => {
    const json = synth({ 26: 'network:\n  cidr: 10.9.0.0/20\n  zones: [eu-west-1b, eu-west-1c]\nstate:' });
    expect(resources(json, 'aws_vpc')[0]!.cidr_block).toBe('10.9.0.0/20');
    expect(resources(json, 'aws_subnet')).toHaveLength(4);
  });
});

describe('an existing AWS network', () => {
  it('creates no network resources', () => {
    const json = synth({ 26: 'network:\n  existing:\n    vpcId: vpc-0abc\n    subnetIds: [subnet-0a, subnet-0b]\nstate:' });
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_nat_gateway', 'aws_internet_gateway']) expect(resources(json, type)).toEqual([]);
  });
});
