import { awsZoneNames } from '../../../spec/aws-zones';
import { contains, formatCidr, LARGEST_NETWORK_PREFIX, overlaps, parseCidr, SMALLEST_SUBNET_PREFIX, type Cidr } from '../../../spec/network-plan';
import type { CheckedResource, PolicyRule } from '../policy-rule';
import { referencesIn } from '../resource-graph';

/**
 * Every subnet of a stack is a literal block inside its VPC, /16 to /28, overlapping no other
 * subnet of that VPC, in a zone its region has. CreateSubnet refuses each of these at apply time
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html), after the VPC and
 * the subnets before it exist. Zones are checked against spec/aws-zones.ts for regions it lists.
 */
export const subnetsFit: PolicyRule = {
  id: 'CK-NET-SUBNETS-FIT',
  title: 'subnets lie inside their VPC, never overlap, and sit in zones of the region',
  rationale: 'AWS refuses such a subnet only at apply time, halfway through creating the network',
  fix: 'take the subnets from the kit address plan (spec/network-plan.ts) and the zones from spec/aws-zones.ts',
  // Subnets relate to their VPC and to each other, so the work is in checkStack.
  resourceTypes: ['aws_subnet'],
  check: () => undefined,
  checkStack: (resources) => {
    const vpcs = new Map(resources.filter((r) => r.type === 'aws_vpc').map((r) => [r.address, r]));
    const region = resources.find((r) => r.type === 'aws_provider')?.config.region;
    const zones = typeof region === 'string' ? awsZoneNames(region) : undefined;
    const placed: Array<{ resource: CheckedResource; vpc: string; cidr: Cidr }> = [];
    const problems: Array<{ resource: CheckedResource; problem: string }> = [];
    for (const resource of resources.filter((r) => r.type === 'aws_subnet')) {
      const { cidr_block: text, vpc_id: vpcId, availability_zone: zone } = resource.config;
      const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
      const report = (problem: string) => problems.push({ resource, problem });
      if (typeof zone === 'string' && zones !== undefined && !zones.includes(zone)) report(`zone ${zone} is not a zone of ${String(region)} (${zones.join(', ')})`);
      if (cidr === undefined) {
        report(`cidr_block ${String(text)} is not a literal IPv4 CIDR block, so its place in the VPC cannot be checked`);
        continue;
      }
      if (cidr.prefix < LARGEST_NETWORK_PREFIX || cidr.prefix > SMALLEST_SUBNET_PREFIX) report(`${text} is outside the /${LARGEST_NETWORK_PREFIX} to /${SMALLEST_SUBNET_PREFIX} AWS allows for a subnet`);
      const vpcAddress = typeof vpcId === 'string' ? referencesIn(vpcId)[0] : undefined;
      const vpcCidr = vpcAddress === undefined ? undefined : vpcs.get(vpcAddress)?.config.cidr_block;
      const range = typeof vpcCidr === 'string' ? parseCidr(vpcCidr) : undefined;
      if (range !== undefined && !contains(range, cidr)) report(`${text} is outside ${vpcAddress} (${formatCidr(range)})`);
      const other = placed.find((p) => p.vpc === String(vpcId) && overlaps(p.cidr, cidr));
      if (other !== undefined) report(`${text} overlaps ${other.resource.address} (${formatCidr(other.cidr)})`);
      placed.push({ resource, vpc: String(vpcId), cidr });
    }
    return problems;
  },
};
