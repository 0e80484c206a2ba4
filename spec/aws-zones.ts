/**
 * Availability Zone names of the AWS regions the kit knows, so that a file's zones are checked at
 * synth time instead of failing at apply time (CreateSubnet refuses a zone the account lacks).
 *
 * A zone name is its region code and a letter (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html).
 * In the regions opened before November 2012 the letters are mapped to physical zones per account,
 * and accounts may see different letters: an account's us-west-1 has two of a/b/c, its ap-northeast-1
 * three of a/b/c/d, and older accounts' sa-east-1 lacks b
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html). Later regions map
 * letters the same way in every account. The letters below are those seen in describe-availability-zones
 * output as recorded by moto (github.com/getmoto/moto, moto/ec2/models/availability_zones_and_regions.py,
 * two versions), checked against the AWS page's AZ counts.
 *
 * `defaults` are the zones a file gets when it names none: three letters every account has. A region
 * where no three letters are certain has none, and its files must list their zones (the fix names
 * `aws ec2 describe-availability-zones`). For every region whose old default a/b/c worked, it is
 * still a/b/c, so deployed stacks keep their subnets.
 */
export interface AwsRegionZones {
  /** Every letter that names a zone of the region in some account. */
  readonly letters: string;
  /** Letters used when the file names no zones; empty when they differ per account. */
  readonly defaults: string;
  /** Letters map to physical zones per account (regions before November 2012). */
  readonly perAccount: boolean;
}

const uniform = (letters: string, defaults = letters.slice(0, 3)): AwsRegionZones => ({ letters, defaults, perAccount: false });
const perAccount = (letters: string, defaults: string): AwsRegionZones => ({ letters, defaults, perAccount: true });

export const AWS_ZONES: Readonly<Record<string, AwsRegionZones>> = {
  'us-east-1': perAccount('abcdef', 'abc'),
  'us-east-2': uniform('abc'),
  'us-west-1': perAccount('abc', ''),
  'us-west-2': perAccount('abcd', 'abc'),
  'ca-central-1': uniform('abd'),
  'sa-east-1': perAccount('abc', ''),
  'eu-west-1': perAccount('abc', 'abc'),
  'eu-west-2': uniform('abc'),
  'eu-west-3': uniform('abc'),
  'eu-central-1': uniform('abc'),
  'eu-central-2': uniform('abc'),
  'eu-north-1': uniform('abc'),
  'eu-south-1': uniform('abc'),
  'af-south-1': uniform('abc'),
  'me-south-1': uniform('abc'),
  'ap-east-1': uniform('abc'),
  'ap-south-1': uniform('abc'),
  'ap-northeast-1': perAccount('abcd', ''),
  'ap-northeast-2': uniform('abcd'),
  'ap-northeast-3': uniform('abc'),
  'ap-southeast-1': perAccount('abc', 'abc'),
  'ap-southeast-2': perAccount('abc', 'abc'),
  'ap-southeast-3': uniform('abc'),
};

/** Zone names of a region in the table, or undefined for a region the kit has no table for. */
export function awsZoneNames(region: string): string[] | undefined {
  const entry = zonesOf(region);
  return entry === undefined ? undefined : [...entry.letters].map((l) => `${region}${l}`);
}

/** The zones a file that names none gets; empty when the region's zones must be listed. */
export function defaultAwsZones(region: string): string[] {
  const entry = zonesOf(region);
  return entry === undefined ? [] : [...entry.defaults].map((l) => `${region}${l}`);
}

// Own keys only: a region named "constructor" must not find Object.prototype.
function zonesOf(region: string): AwsRegionZones | undefined {
  return Object.hasOwn(AWS_ZONES, region) ? AWS_ZONES[region] : undefined;
}
