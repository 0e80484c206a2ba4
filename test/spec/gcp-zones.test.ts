/**
 * The GCP zone table: one entry per region of the region table (or a reasoned pattern-only
 * listing), zones named after their region, and files refused in one line with a did-you-mean when
 * they name a zone their region lacks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { GCP_PATTERN_ONLY_REGIONS, GCP_ZONES, gcpZoneNames, gcpZoneProblem } from '../../spec/gcp-zones';
import { GCP_REGIONS } from '../../spec/regions';
import { editBase, problemLines, specFromYaml } from '../helpers/parameter-files';

const customers = resolve(__dirname, '../../customers');

/** BASE_FILE moved to GCP in `region`, with `zones` listed under network. */
const gcpFile = (region: string, zones: readonly string[]) =>
  editBase({ 3: 'cloud: gcp', 4: `region: ${region}\nproject: acme-celery-prod\nnetwork:\n  zones: [${zones.join(', ')}]`, 27: '  backend: gcs', 29: '' });

describe('the GCP zone table', () => {
  it('has an entry for every region of the region table, or lists the region as pattern-only', () => {
    for (const region of GCP_REGIONS) {
      const inTable = Object.hasOwn(GCP_ZONES, region);
      expect(inTable !== GCP_PATTERN_ONLY_REGIONS.includes(region), `${region}: in the zone table or pattern-only, exactly one`).toBe(true);
    }
    expect(Object.keys(GCP_ZONES).filter((r) => !GCP_REGIONS.includes(r))).toEqual([]);
    expect(GCP_PATTERN_ONLY_REGIONS.filter((r) => !GCP_REGIONS.includes(r))).toEqual([]);
  });

  it('names each zone after its region, with distinct letters in order and three or more per region', () => {
    for (const region of Object.keys(GCP_ZONES)) {
      const zones = gcpZoneNames(region)!;
      expect(zones.length, region).toBeGreaterThanOrEqual(3);
      for (const zone of zones) expect(zone, region).toMatch(new RegExp(`^${region}-[a-z]$`));
      expect([...zones].sort(), region).toEqual(zones);
      expect(new Set(zones).size, region).toBe(zones.length);
    }
    // The three regions whose letters do not start at a (Google's page and infracost agree).
    expect(gcpZoneNames('europe-west1')).toEqual(['europe-west1-b', 'europe-west1-c', 'europe-west1-d']);
    expect(gcpZoneNames('us-central1')).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f']);
    expect(gcpZoneNames('us-east1')).toEqual(['us-east1-b', 'us-east1-c', 'us-east1-d']);
  });

  it('knows nothing about regions it has no entry for, including Object.prototype names', () => {
    expect(gcpZoneNames('constructor')).toBeUndefined();
    expect(gcpZoneNames('__proto__')).toBeUndefined();
    expect(gcpZoneNames('toString')).toBeUndefined();
  });

  it('falls back to the pattern for a region without an entry, so that a real new zone is never blocked', () => {
    expect(gcpZoneProblem('asia-southeast9', 'asia-southeast9-a')).toBeUndefined();
    expect(gcpZoneProblem('asia-southeast9', 'asia-southeast9-q')).toBeUndefined();
    expect(gcpZoneProblem('asia-southeast9', 'asia-southeast9a')).toEqual({
      problem: '"asia-southeast9a" is not a zone of asia-southeast9',
      fix: 'write a zone such as asia-southeast9-b; `gcloud compute zones list --filter=region:asia-southeast9` lists them',
    });
  });
});

describe('zones in GCP parameter files', () => {
  it.each([
    ['europe-west1-a', 'a zone europe-west1 never had'],
    ['europe-west1-z', 'a letter no region has'],
  ])('refuses %s (%s) in one line, with a did-you-mean and the gcloud command', (zone) => {
    expect(problemLines(gcpFile('europe-west1', ['europe-west1-b', zone]))).toEqual([
      `FILE:7: error: network.zones[1]: "${zone}" is not a zone of europe-west1. Fix: did you mean "europe-west1-b"? europe-west1 has europe-west1-b, europe-west1-c, europe-west1-d (\`gcloud compute zones list --filter=region:europe-west1\`).`,
    ]);
  });

  it('refuses a zone of another region, naming the zones of its own', () => {
    expect(problemLines(gcpFile('us-east1', ['us-east1-b', 'us-central1-f']))).toEqual([
      'FILE:7: error: network.zones[1]: "us-central1-f" is not a zone of us-east1. Fix: use one of us-east1-b, us-east1-c, us-east1-d (`gcloud compute zones list --filter=region:us-east1`).',
    ]);
  });

  it('accepts every zone of the table in its region', () => {
    for (const region of Object.keys(GCP_ZONES)) expect(problemLines(gcpFile(region, gcpZoneNames(region)!)), region).toEqual([]);
  });

  it('accepts the GCP examples as they are and with every zone of their region listed', () => {
    const gcp = readdirSync(customers)
      .sort()
      .map((name) => ({ name, text: readFileSync(join(customers, name), 'utf8') }))
      .filter(({ text }) => /^cloud: gcp$/m.test(text));
    expect(gcp.map((f) => f.name)).toEqual(['initech-prod.yaml', 'umbrella-staging.yaml']);
    for (const { name, text } of gcp) {
      // As shipped: no zones, so the regional services pick theirs.
      expect(specFromYaml(text, name).network.zones, name).toEqual([]);
      const data = parse(text) as { region: string; network?: Record<string, unknown> };
      const zones = gcpZoneNames(data.region)!;
      data.network = { ...data.network, zones };
      expect(specFromYaml(stringify(data), name).network.zones, name).toEqual(zones);
    }
  });
});
