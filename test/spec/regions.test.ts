/**
 * Regions are checked against the kit's tables: every region the pinned aws provider knows (read
 * out of the provider binary in the offline mirror), and the GCP regions Google documents.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AWS_REGIONS, GCP_REGIONS, regionProblem } from '../../spec/regions';
import { editBase, problemLines } from '../helpers/parameter-files';
import { IN_CI } from '../helpers/tools';
import { yieldToRunner } from '../helpers/synth';

const MIRROR = process.env.CELERYKIT_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const AWS_PROVIDER = `${MIRROR}/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5`;
/** A region code as the provider's partition data spells it, in any partition. */
const AWS_REGION_CODE = /(?<![a-z0-9-])(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov|-iso[a-z]?)?-(?:central|east|west|north|south|northeast|southeast|northwest|southwest)-\d(?![0-9a-z])/g;

/** Every region code in the provider binary, read in chunks so the event loop keeps turning. */
async function regionsInProviderBinary(): Promise<string[]> {
  const file = await open(AWS_PROVIDER, 'r');
  const found = new Set<string>();
  const buffer = Buffer.alloc(32 << 20);
  let carry = '';
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const text = carry + buffer.toString('latin1', 0, bytesRead);
      for (const m of text.matchAll(AWS_REGION_CODE)) found.add(m[0]);
      carry = text.slice(-32);
      await yieldToRunner();
    }
  } finally {
    await file.close();
  }
  return [...found].sort();
}

describe('the AWS region table', () => {
  it('holds exactly the regions of the pinned aws provider 5.100.0', async (ctx) => {
    if (!existsSync(AWS_PROVIDER)) {
      const reason = `the aws provider is not in the mirror at ${AWS_PROVIDER} (scripts/install-test-tools.sh puts it there)`;
      if (IN_CI) throw new Error(`CI must run this check, but ${reason}`);
      console.warn(`[skipped] ${reason}`);
      ctx.skip();
    }
    expect([...AWS_REGIONS].sort()).toEqual(await regionsInProviderBinary());
  }, 60_000);

  it.each([
    ['eu-moon-7', '"eu-moon-7" is not an AWS region. Fix: write an AWS region such as "eu-west-1" (the kit\'s list: spec/regions.ts).'],
    ['eu-wset-1', '"eu-wset-1" is not an AWS region. Fix: did you mean "eu-west-1"?'],
    ['europe-west1', '"europe-west1" is a GCP region, not an AWS one. Fix: write an AWS region such as "eu-west-1" (the kit\'s list: spec/regions.ts).'],
  ])('refuses %s in one line', (region, expected) => {
    expect(problemLines(editBase({ 4: `region: ${region}` }))).toEqual([`FILE:4: error: region: ${expected}`]);
  });

  it('accepts a region outside the zone table once its zones are listed', () => {
    expect(problemLines(editBase({ 4: 'region: mx-central-1\nnetwork:\n  zones: [mx-central-1a, mx-central-1b, mx-central-1c]' }))).toEqual([]);
  });
});

describe('the GCP region table', () => {
  const gcp = (region: string) => problemLines(editBase({ 3: 'cloud: gcp', 4: `region: ${region}\nproject: acme-celery-prod`, 27: '  backend: gcs', 29: '' }));

  it.each([
    ['mars-north9', '"mars-north9" is not a GCP region. Fix: write a GCP region such as "europe-west1" (the kit\'s list: spec/regions.ts).'],
    ['europe-wset1', '"europe-wset1" is not a GCP region. Fix: did you mean "europe-west1"?'],
    ['eu-west-1', '"eu-west-1" is an AWS region, not a GCP one. Fix: write a GCP region such as "europe-west1" (the kit\'s list: spec/regions.ts).'],
  ])('refuses %s in one line', (region, expected) => {
    expect(gcp(region)).toEqual([`FILE:4: error: region: ${expected}`]);
  });

  it('accepts every region in the table', () => {
    for (const region of GCP_REGIONS) expect(regionProblem('gcp', region), region).toBeUndefined();
    expect(gcp('northamerica-south1')).toEqual([]);
  });

  it('has no region twice, and every one shaped like a GCP region', () => {
    expect(new Set(GCP_REGIONS).size).toBe(GCP_REGIONS.length);
    for (const region of GCP_REGIONS) expect(region).toMatch(/^[a-z]+-[a-z]+\d+$/);
  });
});
