/**
 * The address plan of a network the kit creates: one private and one public subnet per zone, cut
 * from the network's range. Pure and cloud-neutral: it knows IPv4 arithmetic and the sizes it must
 * reach, nothing about Terraform; spec/checks.ts refuses what it cannot fit, and the AWS network
 * construct creates exactly the subnets it returns.
 *
 * Layout: with b = max(2, ceil(log2(zones + 1))) bits, the range splits into 2^b equal blocks; private
 * subnet i is block i, and the last block, never used by a private subnet, splits again into 2^b
 * public subnets. Up to 3 zones this is the layout the kit always had (private: quarters 0-2,
 * public: sixteenths 12-14), so stacks already deployed keep their subnets; 4-7 zones use eighths
 * and sixty-fourths. No two subnets overlap and all stay inside the range, by construction.
 */

/** AWS keeps the first four and the last address of every subnet for itself. https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html */
export const AWS_RESERVED_PER_SUBNET = 5;
/**
 * The smallest and largest IPv4 subnet AWS creates, /28 to /16 (CreateSubnet,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html), and the same for a VPC
 * (CreateVpc, https://docs.aws.amazon.com/sdkfornet/latest/apidocs/items/TEC2CreateVpcRequestNET45.html).
 */
export const SMALLEST_SUBNET_PREFIX = 28;
export const LARGEST_NETWORK_PREFIX = 16;
/** Most zones the plan lays out (7 = 2^3 - 1); no AWS region has more than 6. */
export const MAX_PLANNED_ZONES = 7;

/** RFC 1918 private ranges (https://datatracker.ietf.org/doc/html/rfc1918#section-3). */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

export interface SubnetPlan {
  /** One per zone, in zone order. */
  readonly private: readonly string[];
  /** One per zone, in zone order. */
  readonly public: readonly string[];
  readonly privatePrefix: number;
  readonly publicPrefix: number;
}

/** Parses "a.b.c.d/p"; undefined when it is not a well-formed IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${o.join('.')}/${c.prefix}`;
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** True when the address has bits set below the prefix (AWS would silently round it down). */
export function hasHostBits(c: Cidr): boolean {
  return c.base % blockSize(c.prefix) !== 0;
}

/** `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

export function isPrivateRange(c: Cidr): boolean {
  return PRIVATE_RANGES.some((r) => contains(parseCidr(r)!, c));
}

/** Addresses a subnet of this prefix leaves for tasks on AWS. */
export function usableAddresses(prefix: number): number {
  return blockSize(prefix) - AWS_RESERVED_PER_SUBNET;
}

/** Terraform's cidrsubnet(): the `index`-th block of `newBits` more bits inside `c`. */
export function subnet(c: Cidr, newBits: number, index: number): Cidr {
  return { base: c.base + index * blockSize(c.prefix + newBits), prefix: c.prefix + newBits };
}

/** Bits the plan adds to the range for a private subnet (at least 2: the kit's layout up to 3 zones). */
export function privateBits(zoneCount: number): number {
  return Math.max(2, Math.ceil(Math.log2(zoneCount + 1)));
}

/** The subnets for `zoneCount` zones; undefined when the public subnets would be below /28. */
export function planSubnets(cidr: string, zoneCount: number): SubnetPlan | undefined {
  const range = parseCidr(cidr);
  if (range === undefined || zoneCount < 1 || zoneCount > MAX_PLANNED_ZONES) return undefined;
  const bits = privateBits(zoneCount);
  const privatePrefix = range.prefix + bits;
  const publicPrefix = range.prefix + 2 * bits;
  if (publicPrefix > SMALLEST_SUBNET_PREFIX) return undefined;
  const lastBlock = 2 ** bits - 1;
  const zones = Array.from({ length: zoneCount }, (_, i) => i);
  return {
    private: zones.map((i) => formatCidr(subnet(range, bits, i))),
    public: zones.map((i) => formatCidr(subnet(range, 2 * bits, lastBlock * 2 ** bits + i))),
    privatePrefix,
    publicPrefix,
  };
}

/** The largest prefix (smallest range) whose plan for `zoneCount` zones has public subnets of at least /28. */
export function smallestRangeFor(zoneCount: number): number {
  return SMALLEST_SUBNET_PREFIX - 2 * privateBits(zoneCount);
}

/**
 * Addresses each private subnet must hold. Fargate's awsvpc mode gives every task its own network
 * interface and address (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
 * A rolling deployment starts new tasks before it stops old ones (up to maximumPercent 200 % of the
 * pools), and after losing a zone every task runs in the others: so the zones but one must hold twice
 * every pool at autoscale.max, plus the kit's other tasks and broker nodes (`others`) in any one zone.
 */
export function requiredPrivateAddresses(totalMaxTasks: number, zoneCount: number, others: number): number {
  return Math.ceil((2 * totalMaxTasks) / Math.max(1, zoneCount - 1)) + others;
}

/** The largest private-subnet prefix whose usable addresses reach `needed`, or undefined above /16. */
export function prefixHolding(needed: number): number | undefined {
  for (let prefix = SMALLEST_SUBNET_PREFIX; prefix >= LARGEST_NETWORK_PREFIX; prefix--) if (usableAddresses(prefix) >= needed) return prefix;
  return undefined;
}
