/**
 * Checks of the network keys: zones against the region (spec/aws-zones.ts, spec/gcp-zones.ts), the address range
 * against the subnet plan (spec/network-plan.ts), and an existing network's keys. A file that passes
 * gets a network whose subnets exist, never overlap and hold every pool at its maximum.
 */
import { awsZoneNames, defaultAwsZones } from './aws-zones';
import { gcpZoneProblem } from './gcp-zones';
import { DEFAULTS } from './defaults';
import {
  formatCidr,
  hasHostBits,
  isPrivateRange,
  LARGEST_NETWORK_PREFIX,
  MAX_PLANNED_ZONES,
  parseCidr,
  planSubnets,
  prefixHolding,
  PRIVATE_RANGES,
  privateBits,
  requiredPrivateAddresses,
  smallestRangeFor,
  usableAddresses,
} from './network-plan';
import type { ProblemCollector } from './problems';
import type { ParameterFile } from './schema';

/** Largest GCP range prefix: the kit's GCP network is one regional subnetwork of the whole range. */
const GCP_SMALLEST_RANGE = 22;

/** The zones a file deploys to: its own list, or the region's defaults (none for GCP, which is regional). */
export function zonesOfFile(file: ParameterFile): string[] {
  return file.network?.zones ?? (file.cloud === 'aws' ? defaultAwsZones(file.region) : []);
}

export function checkNetwork(file: ParameterFile, out: ProblemCollector): void {
  const n = file.network;
  const zonesOk = checkZones(file, out);
  if (n?.cidr !== undefined && n.existing !== undefined) out.error(['network', 'cidr'], 'cidr applies to a network the kit creates, but existing is also set', 'remove cidr or existing');
  if (n?.existing === undefined) checkAddressPlan(file, zonesOk, out);
  if (n?.existing !== undefined) checkExisting(file, n.existing, n.zones, out);
  if (file.cloud !== 'aws') {
    if (n?.interfaceEndpoints !== undefined) out.error(['network', 'interfaceEndpoints'], 'interface endpoints are AWS VPC endpoints', 'remove network.interfaceEndpoints (GCP reaches Google APIs through Private Google Access)');
    if (n?.appEgress !== undefined) out.error(['network', 'appEgress'], 'appEgress opens AWS security groups', 'remove network.appEgress and use GCP firewall rules of your own');
  }
}

/** Reports zone problems; true when the zones can be laid out. */
function checkZones(file: ParameterFile, out: ProblemCollector): boolean {
  const given = file.network?.zones;
  const { region } = file;
  const known = file.cloud === 'aws' ? awsZoneNames(region) : undefined;
  let ok = true;
  if (given === undefined) {
    if (file.cloud === 'aws' && defaultAwsZones(region).length === 0) {
      const why = known === undefined ? `the kit has no zone table for ${region}` : `in ${region} each account sees its own subset of the zones ${known.join(', ')}`;
      out.error(['region'], `${why}, so it cannot pick zones that exist in your account`, `list 2 or 3 zones under network.zones, from \`aws ec2 describe-availability-zones --region ${region}\``);
      return false;
    }
    return true;
  }
  const seen = new Set<string>();
  given.forEach((zone, index) => {
    const path = ['network', 'zones', index];
    if (seen.has(zone)) {
      out.error(path, `"${zone}" is listed twice; each zone gets one private and one public subnet`, `remove the second "${zone}"`);
      ok = false;
    }
    seen.add(zone);
    if (file.cloud === 'gcp') {
      const wrong = gcpZoneProblem(region, zone);
      if (wrong !== undefined) {
        out.error(path, wrong.problem, wrong.fix);
        ok = false;
      }
    } else if (known !== undefined) {
      if (!known.includes(zone)) {
        out.error(path, `"${zone}" is not a zone of ${region}`, `use one of ${known.join(', ')}`);
        ok = false;
      }
    } else if (!new RegExp(`^${region}[a-z]$`).test(zone)) {
      out.error(path, `"${zone}" is not a zone of ${region}`, `write e.g. ${region}a`);
      ok = false;
    }
  });
  if (given.length < 2) {
    out.error(['network', 'zones'], 'one zone cannot survive a zone outage; the broker needs a replica in another zone', 'list 2 or 3 zones');
    ok = false;
  }
  return ok;
}

function checkAddressPlan(file: ParameterFile, zonesOk: boolean, out: ProblemCollector): void {
  const cidrText = file.network?.cidr ?? DEFAULTS.networkCidr;
  const path = ['network', 'cidr'];
  const range = parseCidr(cidrText);
  const smallest = file.cloud === 'aws' ? smallestRangeFor(Math.max(2, zonesOfFile(file).length)) : GCP_SMALLEST_RANGE;
  if (range === undefined || range.prefix < LARGEST_NETWORK_PREFIX || (file.cloud === 'gcp' && range.prefix > GCP_SMALLEST_RANGE)) {
    out.error(path, `"${cidrText}" is not a usable range (octets 0-255, prefix /${LARGEST_NETWORK_PREFIX} to /${smallest})`, 'write e.g. "10.40.0.0/16"');
    return;
  }
  if (hasHostBits(range)) {
    const base = formatCidr({ base: range.base - (range.base % 2 ** (32 - range.prefix)), prefix: range.prefix });
    out.error(path, `"${cidrText}" has address bits set beyond /${range.prefix}, so the network would start at ${base.split('/')[0]}, not where the file says`, `write "${base}"`);
    return;
  }
  if (!isPrivateRange(range)) {
    out.error(path, `"${cidrText}" is not a private range (RFC 1918), so its addresses may belong to someone on the internet`, `use a range inside ${PRIVATE_RANGES.join(', ')}, e.g. "10.40.0.0/16"`);
    return;
  }
  if (file.cloud !== 'aws' || !zonesOk) return;

  const zones = zonesOfFile(file);
  if (zones.length > MAX_PLANNED_ZONES) {
    out.error(['network', 'zones'], `the kit lays out at most ${MAX_PLANNED_ZONES} zones, and no AWS region has more than 6`, `list ${MAX_PLANNED_ZONES} or fewer zones`);
    return;
  }
  const plan = planSubnets(cidrText, zones.length);
  if (plan === undefined) {
    out.error(
      file.network?.zones === undefined ? path : ['network', 'zones'],
      `${zones.length} zones do not fit ${cidrText}: each zone needs a private and a public subnet, and the public ones would be smaller than the /28 AWS allows`,
      `use a network.cidr of /${smallest} or larger, or list fewer zones`,
    );
    return;
  }
  const totalMax = Object.values(file.workers).reduce((sum, pool) => sum + (pool.autoscale?.max ?? DEFAULTS.autoscaleMax), 0);
  const others = otherPrivateAddresses(file);
  const needed = requiredPrivateAddresses(totalMax, zones.length, others);
  const available = usableAddresses(plan.privatePrefix);
  if (available >= needed) return;
  const subnetPrefix = prefixHolding(needed);
  const rangePrefix = subnetPrefix === undefined ? undefined : subnetPrefix - privateBits(zones.length);
  const survivors = Math.max(1, zones.length - 1);
  out.error(
    file.network?.cidr === undefined ? ['workers'] : path,
    `the private subnets of ${cidrText} are /${plan.privatePrefix} with ${available} usable addresses each, but each needs ${needed}: twice the pools' ${totalMax} tasks at autoscale.max (a rolling deployment starts new tasks before it stops old ones) over ${survivors} of the ${zones.length} zones (one may fail), plus ${others} for the kit's other tasks and broker nodes`,
    rangePrefix !== undefined && rangePrefix >= LARGEST_NETWORK_PREFIX
      ? `use a network.cidr of /${rangePrefix} or larger, or lower autoscale.max`
      : 'lower autoscale.max of the pools, or list more zones',
  );
}

/**
 * Addresses in one private subnet that are not worker tasks: the queue exporter, the beat
 * singleton, Flower and Grafana, one per schedule (each run is a task), and the broker's nodes
 * (ElastiCache nodes and Amazon MQ brokers take an address in the subnets they are placed in).
 */
function otherPrivateAddresses(file: ParameterFile): number {
  const broker = file.broker.kind === 'redis' ? (file.broker.replicas ?? DEFAULTS.redisReplicas) + 1 : file.nonProduction ? 1 : 3;
  return 1 + (file.beat === 'singleton' ? 1 : 0) + (file.monitoring === undefined ? 0 : 2) + Object.keys(file.schedules ?? {}).length + broker;
}

type Existing = NonNullable<NonNullable<ParameterFile['network']>['existing']>;

function checkExisting(file: ParameterFile, e: Existing, zones: readonly string[] | undefined, out: ProblemCollector): void {
  if (file.cloud === 'aws') {
    if (e.vpcId === undefined) out.error(['network', 'existing', 'vpcId'], 'an existing AWS network needs its VPC id', 'add vpcId: vpc-…');
    if (e.subnetIds === undefined || e.subnetIds.length < 2) out.error(['network', 'existing', 'subnetIds'], 'an existing AWS network needs private subnets in 2 or more zones', 'list the private subnet ids (with NAT egress)');
    if (e.network !== undefined || e.subnetwork !== undefined) out.error(['network', 'existing'], 'network/subnetwork are GCP keys', 'use vpcId and subnetIds on AWS');
    if (file.monitoring !== undefined && (e.publicSubnetIds === undefined || e.publicSubnetIds.length < 2)) {
      out.error(['network', 'existing', 'publicSubnetIds'], 'the monitoring load balancer needs public subnets in 2 or more zones', 'list them under network.existing.publicSubnetIds, or remove monitoring');
    }
    if (e.subnetIds !== undefined && zones !== undefined && zones.length !== e.subnetIds.length) {
      out.error(['network', 'zones'], 'zones must list the zone of each existing subnet, in the same order', `list ${e.subnetIds.length} zones`);
    }
  } else {
    if (e.network === undefined) out.error(['network', 'existing', 'network'], 'an existing GCP network needs its name', 'add network: <vpc network name>');
    if (e.subnetwork === undefined) out.error(['network', 'existing', 'subnetwork'], 'an existing GCP network needs the regional subnetwork', 'add subnetwork: <subnetwork name>');
    if (e.vpcId !== undefined || e.subnetIds !== undefined) out.error(['network', 'existing'], 'vpcId/subnetIds are AWS keys', 'use network and subnetwork on GCP');
  }
}
