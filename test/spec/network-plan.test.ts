/**
 * The subnet plan: for every range and zone count it accepts, subnets never overlap, stay inside
 * the range and are at least /28; up to three zones it is the layout deployed stacks already have.
 */
import { describe, expect, it } from 'vitest';
import {
  blockSize,
  contains,
  formatCidr,
  isPrivateRange,
  MAX_PLANNED_ZONES,
  overlaps,
  parseCidr,
  planSubnets,
  prefixHolding,
  requiredPrivateAddresses,
  smallestRangeFor,
  subnet,
  usableAddresses,
  type Cidr,
} from '../../spec/network-plan';

/** A deterministic pseudo-random generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random aligned private ranges of /16 to /26, from all three RFC 1918 blocks. */
function randomRanges(count: number): string[] {
  const rand = random(15);
  const blocks = [parseCidr('10.0.0.0/8')!, parseCidr('172.16.0.0/12')!, parseCidr('192.168.0.0/16')!];
  return Array.from({ length: count }, () => {
    const block = blocks[Math.floor(rand() * blocks.length)]!;
    const prefix = Math.max(block.prefix, 16) + Math.floor(rand() * (26 - Math.max(block.prefix, 16) + 1));
    const slots = blockSize(block.prefix) / blockSize(prefix);
    return formatCidr({ base: block.base + Math.floor(rand() * slots) * blockSize(prefix), prefix });
  });
}

const RANGES = ['10.40.0.0/16', '10.9.0.0/20', '192.168.0.0/16', '172.31.255.0/24', '10.255.255.192/26', ...randomRanges(400)];

describe('the subnet plan', () => {
  it('never overlaps, stays inside the range and keeps every subnet at /28 or larger, for every range and zone count it accepts', () => {
    let planned = 0;
    for (const cidr of RANGES) {
      const range = parseCidr(cidr)!;
      for (let zones = 1; zones <= MAX_PLANNED_ZONES; zones++) {
        const plan = planSubnets(cidr, zones);
        if (range.prefix > smallestRangeFor(zones)) {
          expect(plan, `${zones} zones in ${cidr}`).toBeUndefined();
          continue;
        }
        expect(plan, `${zones} zones in ${cidr}`).toBeDefined();
        planned++;
        const subnets = [...plan!.private, ...plan!.public].map((s) => parseCidr(s)!);
        expect(subnets).toHaveLength(2 * zones);
        subnets.forEach((a, i) => {
          expect(contains(range, a), `${formatCidr(a)} inside ${cidr}`).toBe(true);
          expect(a.prefix).toBeLessThanOrEqual(28);
          expect(a.base % blockSize(a.prefix), `${formatCidr(a)} is aligned`).toBe(0);
          subnets.slice(i + 1).forEach((b) => expect(overlaps(a, b), `${formatCidr(a)} and ${formatCidr(b)} in ${cidr}`).toBe(false));
        });
        // Private subnets are the big ones: every one is larger than every public one.
        expect(plan!.privatePrefix).toBeLessThan(plan!.publicPrefix);
      }
    }
    expect(planned).toBeGreaterThan(1000);
  });

  it('keeps, up to three zones, the layout deployed stacks have: private quarters 0-2, public sixteenths 12-14', () => {
    for (const cidr of RANGES.filter((c) => parseCidr(c)!.prefix <= 24)) {
      const range = parseCidr(cidr)!;
      for (const zones of [1, 2, 3]) {
        const plan = planSubnets(cidr, zones)!;
        const old = (bits: number, index: number) => formatCidr(subnet(range, bits, index));
        expect(plan.private).toEqual(Array.from({ length: zones }, (_, i) => old(2, i)));
        expect(plan.public).toEqual(Array.from({ length: zones }, (_, i) => old(4, 12 + i)));
      }
    }
    expect(planSubnets('10.40.0.0/16', 3)).toMatchObject({ private: ['10.40.0.0/18', '10.40.64.0/18', '10.40.128.0/18'], public: ['10.40.192.0/20', '10.40.208.0/20', '10.40.224.0/20'] });
  });

  it('lays out four to six zones (the old quarter layout put the fourth private subnet over the public ones)', () => {
    const range = parseCidr('10.40.0.0/16')!;
    // The old layout: private cidrsubnet(cidr, 2, i), public cidrsubnet(cidr, 4, 12 + i).
    const oldPrivate = [0, 1, 2, 3].map((i) => subnet(range, 2, i));
    const oldPublic = [0, 1, 2, 3].map((i) => subnet(range, 4, 12 + i));
    expect(oldPublic.some((p) => overlaps(p, oldPrivate[3]!))).toBe(true);

    expect(planSubnets('10.40.0.0/16', 4)).toMatchObject({
      private: ['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19', '10.40.96.0/19'],
      public: ['10.40.224.0/22', '10.40.228.0/22', '10.40.232.0/22', '10.40.236.0/22'],
    });
    expect(planSubnets('10.40.0.0/16', 6)!.private).toHaveLength(6);
  });

  it('refuses what it cannot lay out', () => {
    expect(planSubnets('10.0.0.0/25', 3)).toBeUndefined(); // public /29
    expect(planSubnets('10.0.0.0/23', 4)).toBeUndefined(); // public /29
    expect(planSubnets('10.0.0.0/16', 8)).toBeUndefined();
    expect(planSubnets('10.0.0.0/16', 0)).toBeUndefined();
    expect(planSubnets('not a range', 3)).toBeUndefined();
    expect(smallestRangeFor(3)).toBe(24);
    expect(smallestRangeFor(6)).toBe(22);
  });
});

describe('subnet sizes', () => {
  it('leave 5 addresses of every subnet to AWS', () => {
    expect(usableAddresses(24)).toBe(251);
    expect(usableAddresses(28)).toBe(11);
  });

  it('grow until they hold what is needed, up to /16', () => {
    for (let needed = 1; needed <= 70000; needed = Math.ceil(needed * 1.7)) {
      const prefix = prefixHolding(needed);
      if (needed > usableAddresses(16)) {
        expect(prefix).toBeUndefined();
        continue;
      }
      expect(usableAddresses(prefix!)).toBeGreaterThanOrEqual(needed);
      if (prefix! < 28) expect(usableAddresses(prefix! + 1)).toBeLessThan(needed);
    }
  });

  it('hold twice the pools at their maximum in the zones left after losing one, plus the other tasks', () => {
    expect(requiredPrivateAddresses(20, 3, 4)).toBe(24);
    expect(requiredPrivateAddresses(21, 3, 0)).toBe(21);
    expect(requiredPrivateAddresses(20, 2, 4)).toBe(44);
  });
});

describe('an address range', () => {
  it.each<[string, boolean]>([
    ['10.0.0.0/8', true],
    ['10.40.0.0/16', true],
    ['172.16.0.0/12', true],
    ['172.31.0.0/16', true],
    ['172.32.0.0/16', false],
    ['192.168.10.0/24', true],
    ['192.169.0.0/16', false],
    ['100.64.0.0/16', false],
    ['8.8.0.0/16', false],
  ])('%s is private: %s', (cidr, expected) => {
    expect(isPrivateRange(parseCidr(cidr) as Cidr)).toBe(expected);
  });

  it('parses only IPv4 CIDR blocks', () => {
    expect(parseCidr('10.40.0.0/16')).toEqual({ base: 10 * 2 ** 24 + 40 * 2 ** 16, prefix: 16 });
    for (const bad of ['10.40.0.0', '10.256.0.0/16', '10.0.0.0/33', 'ten/8']) expect(parseCidr(bad)).toBeUndefined();
    expect(formatCidr(parseCidr('172.31.255.192/26')!)).toBe('172.31.255.192/26');
  });
});
