/**
 * A network the kit cannot lay out, or zones the region does not have, are refused at synth time
 * with file, line, key path, problem and fix, instead of failing at apply time.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines, specFromYaml } from '../helpers/parameter-files';

const network = (lines: string) => ({ 26: `network:\n${lines}\nstate:` });

describe('zones', () => {
  it('must exist in the region, naming the ones that do', () => {
    expect(problemLines(editBase(network('  zones: [eu-west-1a, eu-west-1d]')))).toEqual([
      'FILE:27: error: network.zones[1]: "eu-west-1d" is not a zone of eu-west-1. Fix: use one of eu-west-1a, eu-west-1b, eu-west-1c.',
    ]);
    expect(problemLines(editBase({ 4: 'region: ca-central-1', ...network('  zones: [ca-central-1a, ca-central-1c]') }))).toEqual([
      'FILE:27: error: network.zones[1]: "ca-central-1c" is not a zone of ca-central-1. Fix: use one of ca-central-1a, ca-central-1b, ca-central-1d.',
    ]);
  });

  it('are listed once each', () => {
    expect(problemLines(editBase(network('  zones: [eu-west-1a, eu-west-1a]')))).toEqual([
      'FILE:27: error: network.zones[1]: "eu-west-1a" is listed twice; each zone gets one private and one public subnet. Fix: remove the second "eu-west-1a".',
    ]);
  });

  it('must be listed where accounts see different letters, or the kit has no table', () => {
    expect(problemLines(editBase({ 4: 'region: us-west-1' }))).toEqual([
      'FILE:4: error: region: in us-west-1 each account sees its own subset of the zones us-west-1a, us-west-1b, us-west-1c, so it cannot pick zones that exist in your account. Fix: list 2 or 3 zones under network.zones, from `aws ec2 describe-availability-zones --region us-west-1`.',
    ]);
    expect(problemLines(editBase({ 4: 'region: ap-south-2' }))).toEqual([
      'FILE:4: error: region: the kit has no zone table for ap-south-2, so it cannot pick zones that exist in your account. Fix: list 2 or 3 zones under network.zones, from `aws ec2 describe-availability-zones --region ap-south-2`.',
    ]);
  });

  it('of a region without a table are taken as listed', () => {
    const spec = specFromYaml(editBase({ 4: 'region: ap-south-2', ...network('  zones: [ap-south-2a, ap-south-2c]') }));
    expect(spec.network.zones).toEqual(['ap-south-2a', 'ap-south-2c']);
    expect(problemLines(editBase({ 4: 'region: ap-south-2', ...network('  zones: [ap-south-2a, eu-west-1b]') }))).toEqual([
      'FILE:27: error: network.zones[1]: "eu-west-1b" is not a zone of ap-south-2. Fix: write e.g. ap-south-2a.',
    ]);
  });

  it('default to the region table, a/b/c where that worked before', () => {
    expect(specFromYaml(editBase({ 4: 'region: ca-central-1' })).network.zones).toEqual(['ca-central-1a', 'ca-central-1b', 'ca-central-1d']);
    expect(specFromYaml(editBase({ 4: 'region: us-east-1' })).network.zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});

describe('the address range', () => {
  it('is a private (RFC 1918) range', () => {
    expect(problemLines(editBase(network('  cidr: 100.64.0.0/16')))).toEqual([
      'FILE:27: error: network.cidr: "100.64.0.0/16" is not a private range (RFC 1918), so its addresses may belong to someone on the internet. Fix: use a range inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, e.g. "10.40.0.0/16".',
    ]);
  });

  it('starts where it says', () => {
    expect(problemLines(editBase(network('  cidr: 10.40.1.0/16')))).toEqual([
      'FILE:27: error: network.cidr: "10.40.1.0/16" has address bits set beyond /16, so the network would start at 10.40.0.0, not where the file says. Fix: write "10.40.0.0/16".',
    ]);
  });

  it('is /16 or smaller, the largest VPC AWS creates', () => {
    expect(problemLines(editBase(network('  cidr: 10.0.0.0/15')))).toEqual(['FILE:27: error: network.cidr: "10.0.0.0/15" is not a usable range (octets 0-255, prefix /16 to /24). Fix: write e.g. "10.40.0.0/16".']);
  });

  it('fits a private and a public subnet of at least /28 per zone', () => {
    expect(problemLines(editBase({ 4: 'region: us-east-1', ...network('  cidr: 10.9.0.0/23\n  zones: [us-east-1a, us-east-1b, us-east-1c, us-east-1d]') }))).toEqual([
      'FILE:28: error: network.zones: 4 zones do not fit 10.9.0.0/23: each zone needs a private and a public subnet, and the public ones would be smaller than the /28 AWS allows. Fix: use a network.cidr of /22 or larger, or list fewer zones.',
    ]);
    // A real region without a zone table (spec/regions.ts refuses an invented one), so its zones are taken as written.
    const eight = Array.from({ length: 8 }, (_, i) => `mx-central-1${'abcdefgh'[i]}`).join(', ');
    expect(problemLines(editBase({ 4: 'region: mx-central-1', ...network(`  zones: [${eight}]`) }))).toEqual([
      'FILE:27: error: network.zones: the kit lays out at most 7 zones, and no AWS region has more than 6. Fix: list 7 or fewer zones.',
    ]);
    expect(problemLines(editBase(network('  cidr: 10.9.0.0/25')))).toEqual([
      'FILE:27: error: network.cidr: 3 zones do not fit 10.9.0.0/25: each zone needs a private and a public subnet, and the public ones would be smaller than the /28 AWS allows. Fix: use a network.cidr of /24 or larger, or list fewer zones.',
    ]);
  });

  it('holds every pool at autoscale.max, twice, in the zones left after losing one', () => {
    const bigPools = { 17: '    timeLimit: 60\n    autoscale: {max: 1000}', 20: '    timeLimit: 3600\n    autoscale: {max: 1000}' };
    expect(problemLines(editBase({ ...bigPools, ...network('  cidr: 10.9.0.0/24\n  zones: [eu-west-1a, eu-west-1b]') }))).toEqual([
      "FILE:29: error: network.cidr: the private subnets of 10.9.0.0/24 are /26 with 59 usable addresses each, but each needs 4004: twice the pools' 2000 tasks at autoscale.max (a rolling deployment starts new tasks before it stops old ones) over 1 of the 2 zones (one may fail), plus 4 for the kit's other tasks and broker nodes. Fix: use a network.cidr of /18 or larger, or lower autoscale.max.",
    ]);
    // The default /16 holds them.
    expect(problemLines(editBase(bigPools))).toEqual([]);
  });
});
