/**
 * The regions a parameter file may name, per cloud, so that `eu-moon-7` is refused at load time
 * with a did-you-mean instead of failing in terraform plan.
 *
 * AWS: every region the pinned aws provider (5.100.0) knows. The provider refuses a region outside
 * its partition data unless skip_region_validation is set (its guide: "Until the provider is aware
 * of the new region, automatic region validation will fail", hashicorp/terraform-provider-aws,
 * docs/add-a-new-region.md); test/spec/regions.test.ts reads the list out of the provider binary
 * in the offline mirror and compares. Regions opened after that release (ap-east-2, ap-southeast-6)
 * need a newer provider first.
 *
 * GCP: the regions Google documents (https://cloud.google.com/memorystore/docs/redis/regions,
 * https://cloud.google.com/workload-manager/docs/evaluate/locations; geography:
 * https://cloud.google.com/docs/geography-and-regions). The google provider takes any string and
 * leaves the check to the API, so this table is the only check before apply.
 */
import { closestMatch } from './problems';

export const AWS_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  // Other partitions: ARNs there start arn:aws-cn / arn:aws-us-gov / arn:aws-iso*.
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-iso-east-1',
  'us-iso-west-1',
  'us-isob-east-1',
  'us-isof-east-1',
  'us-isof-south-1',
  'eu-isoe-west-1',
];

export const GCP_REGIONS: readonly string[] = [
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
];

const REGIONS = { aws: new Set(AWS_REGIONS), gcp: new Set(GCP_REGIONS) } as const;
const EXAMPLE = { aws: 'eu-west-1', gcp: 'europe-west1' } as const;
/** The cloud's name with its article, as the problems use it. */
const A_NAME = { aws: 'an AWS', gcp: 'a GCP' } as const;

/** Why `region` is not a region of `cloud`, with a fix (a did-you-mean when one is close); undefined when it is one. */
export function regionProblem(cloud: 'aws' | 'gcp', region: string): { problem: string; fix: string } | undefined {
  if (REGIONS[cloud].has(region)) return undefined;
  const other = cloud === 'aws' ? 'gcp' : 'aws';
  const problem = REGIONS[other].has(region) ? `"${region}" is ${A_NAME[other]} region, not ${A_NAME[cloud]} one` : `"${region}" is not ${A_NAME[cloud]} region`;
  const guess = closestMatch(region, [...REGIONS[cloud]]);
  return {
    problem,
    fix: guess !== undefined ? `did you mean "${guess}"?` : `write ${A_NAME[cloud]} region such as "${EXAMPLE[cloud]}" (the kit's list: spec/regions.ts)`,
  };
}
