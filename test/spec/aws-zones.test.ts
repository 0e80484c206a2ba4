/**
 * The zone table the kit ships: well formed, defaults that exist, and every AWS example and
 * generated file placed in zones of its region.
 */
import { describe, expect, it } from 'vitest';
import { randomParameterFile } from '../../scripts/parameter-file-generator';
import { AWS_ZONES, awsZoneNames, defaultAwsZones } from '../../spec/aws-zones';
import { loadDeploymentsFromDir } from '../../spec/load';
import { specFromYaml } from '../helpers/parameter-files';

/** Regions whose letters are mapped per account: those opened before November 2012 (AZ IDs page). */
const PER_ACCOUNT = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1'];

describe('the AWS zone table', () => {
  it('names commercial regions, with distinct letters in order and defaults among them', () => {
    for (const [region, entry] of Object.entries(AWS_ZONES)) {
      expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      expect(entry.letters, region).toMatch(/^[a-f]{2,6}$/);
      expect([...entry.letters].sort().join(''), region).toBe(entry.letters);
      expect(new Set(entry.letters).size, region).toBe(entry.letters.length);
      for (const l of entry.defaults) expect(entry.letters, region).toContain(l);
      // A default list is three zones (the broker's replicas and the pools spread over them) or none.
      expect([0, 3], region).toContain(entry.defaults.length);
    }
  });

  it('marks exactly the regions opened before November 2012 as mapped per account', () => {
    expect(Object.keys(AWS_ZONES).filter((r) => AWS_ZONES[r]!.perAccount).sort()).toEqual([...PER_ACCOUNT].sort());
  });

  it('has no defaults where accounts are known to lack letters, and a/b/c wherever a/b/c worked', () => {
    expect(defaultAwsZones('us-west-1')).toEqual([]);
    expect(defaultAwsZones('ap-northeast-1')).toEqual([]);
    expect(defaultAwsZones('sa-east-1')).toEqual([]);
    expect(defaultAwsZones('ca-central-1')).toEqual(['ca-central-1a', 'ca-central-1b', 'ca-central-1d']);
    for (const [region, entry] of Object.entries(AWS_ZONES)) {
      if (entry.letters.startsWith('abc') && entry.defaults !== '') expect(entry.defaults, region).toBe('abc');
    }
    expect(awsZoneNames('us-east-1')).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
  });

  it('knows nothing about regions it has no entry for, including Object.prototype names', () => {
    expect(awsZoneNames('xx-north-9')).toBeUndefined();
    expect(awsZoneNames('constructor')).toBeUndefined();
    expect(defaultAwsZones('toString')).toEqual([]);
  });
});

describe('zones of deployments', () => {
  it('are zones of their region in every AWS example', () => {
    const aws = loadDeploymentsFromDir('customers').specs.filter((s) => s.cloud === 'aws');
    expect(aws.length).toBeGreaterThan(0);
    for (const spec of aws) {
      expect(spec.network.zones.length, spec.stackId).toBeGreaterThanOrEqual(2);
      for (const zone of spec.network.zones) expect(awsZoneNames(spec.region), spec.stackId).toContain(zone);
    }
  });

  it('are zones of their region in generated AWS files', () => {
    let aws = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { text } = randomParameterFile(seed);
      if (!/^cloud: aws$/m.test(text) && !/"cloud":\s*"aws"/.test(text)) continue;
      const spec = specFromYaml(text);
      aws++;
      for (const zone of spec.network.zones) expect(awsZoneNames(spec.region)).toContain(zone);
    }
    expect(aws).toBeGreaterThan(10);
  });
});
