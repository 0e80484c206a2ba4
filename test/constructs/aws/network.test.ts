/**
 * The AWS network: private subnets per zone with NAT egress, nothing public on them, or an
 * existing VPC used as is.
 */
import { describe, expect, it } from 'vitest';
import { editBase, writeParameterFiles } from '../../helpers/parameter-files';
import { synthesizeDir, type TerraformJson } from '../../helpers/synth';
import { formatCidr, overlaps, parseCidr, subnet } from '../../../spec/network-plan';

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

describe('the subnets of a created AWS network', () => {
  // Addresses, not their spelling: a `${cidrsubnet(...)}` expression is evaluated like Terraform does.
  const evaluate = (text: string) => {
    const m = /^\$\{cidrsubnet\("([^"]+)", (\d+), (\d+)\)\}$/.exec(text);
    return m === null ? text : formatCidr(subnet(parseCidr(m[1]!)!, Number(m[2]), Number(m[3])));
  };
  const cidrs = (json: TerraformJson) => resources(json, 'aws_subnet').map((s) => evaluate(String(s.cidr_block)));

  it('keep the addresses stacks deployed with three zones already have', () => {
    expect(cidrs(synth({})).sort()).toEqual(['10.40.0.0/18', '10.40.128.0/18', '10.40.192.0/20', '10.40.208.0/20', '10.40.224.0/20', '10.40.64.0/18']);
  });

  it('never overlap with more than three zones (four used to put a private subnet over the public ones)', () => {
    const json = synth({ 4: 'region: us-east-1', 26: 'network:\n  zones: [us-east-1a, us-east-1b, us-east-1c, us-east-1d]\nstate:' });
    const blocks = cidrs(json).map((c) => parseCidr(c));
    expect(blocks).toHaveLength(8);
    blocks.forEach((a, i) => blocks.slice(i + 1).forEach((b) => expect(overlaps(a!, b!), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(false)));
    expect(resources(json, 'aws_nat_gateway')).toHaveLength(4);
  });
});

describe('an existing AWS network', () => {
  it('creates no network resources', () => {
    const json = synth({ 26: 'network:\n  existing:\n    vpcId: vpc-0abc\n    subnetIds: [subnet-0a, subnet-0b]\nstate:' });
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_nat_gateway', 'aws_internet_gateway']) expect(resources(json, type)).toEqual([]);
  });
});
