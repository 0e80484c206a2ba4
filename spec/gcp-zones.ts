/**
 * Zone names of the GCP regions the kit knows, so that `europe-west1-a` (europe-west1 has b, c and
 * d) is refused at load time instead of by the Compute API at apply time, when the instance group
 * or broker VM asks for it.
 *
 * A GCP zone is its region, a hyphen and a letter; unlike AWS, the letters are the same in every
 * project. Two sources, compared region by region (December 2026):
 * - Google's Compute Engine page "Regions and zones", table "Available regions and zones"
 *   (https://cloud.google.com/compute/docs/regions-zones), read from a stored copy of the version
 *   that lists the A4X Max machines (late 2025): every region of GCP_REGIONS, with a/b/c except
 *   europe-west1 (b/c/d), us-central1 (a/b/c/f) and us-east1 (b/c/d).
 * - infracost's zone list for the google_compute_zones data source (github.com/infracost/infracost,
 *   internal/hcl/zones_gcp.go, commit baa9cce7e68b061af8c159ca80014e28cf89e88b): 37 of the 42 regions,
 *   the same letters for each. It lacks africa-south1, europe-north2, europe-west10, me-central2 and
 *   northamerica-south1, which are newer; those rest on Google's page alone.
 * Where two sources disagree on a region, the entry holds the union of their letters, so that a zone
 * that exists is never refused; none disagree today.
 *
 * Google's page also lists AI zones (`us-west4-ai2b`), for GPU and TPU machines; the kit's workers
 * and brokers run on ordinary machine types, so those are not in the table.
 *
 * A table can go stale, and a real new zone must never be blocked: a region of GCP_REGIONS without
 * an entry here (listed in GCP_PATTERN_ONLY_REGIONS) gets the pattern check only. GCP files get no
 * default zones from this table: regional services pick their own (spec/network-checks.ts).
 */
import { closestMatch } from './problems';

export const GCP_ZONES: Readonly<Record<string, string>> = {
  'africa-south1': 'abc',
  'asia-east1': 'abc',
  'asia-east2': 'abc',
  'asia-northeast1': 'abc',
  'asia-northeast2': 'abc',
  'asia-northeast3': 'abc',
  'asia-south1': 'abc',
  'asia-south2': 'abc',
  'asia-southeast1': 'abc',
  'asia-southeast2': 'abc',
  'australia-southeast1': 'abc',
  'australia-southeast2': 'abc',
  'europe-central2': 'abc',
  'europe-north1': 'abc',
  'europe-north2': 'abc',
  'europe-southwest1': 'abc',
  'europe-west1': 'bcd',
  'europe-west2': 'abc',
  'europe-west3': 'abc',
  'europe-west4': 'abc',
  'europe-west6': 'abc',
  'europe-west8': 'abc',
  'europe-west9': 'abc',
  'europe-west10': 'abc',
  'europe-west12': 'abc',
  'me-central1': 'abc',
  'me-central2': 'abc',
  'me-west1': 'abc',
  'northamerica-northeast1': 'abc',
  'northamerica-northeast2': 'abc',
  'northamerica-south1': 'abc',
  'southamerica-east1': 'abc',
  'southamerica-west1': 'abc',
  'us-central1': 'abcf',
  'us-east1': 'bcd',
  'us-east4': 'abc',
  'us-east5': 'abc',
  'us-south1': 'abc',
  'us-west1': 'abc',
  'us-west2': 'abc',
  'us-west3': 'abc',
  'us-west4': 'abc',
};

/**
 * Regions of GCP_REGIONS that have no entry on purpose, checked by pattern only: a region added to
 * GCP_REGIONS before two sources list its zones goes here. None today.
 */
export const GCP_PATTERN_ONLY_REGIONS: readonly string[] = [];

/** Zone names of a region in the table, or undefined for a region the kit has no table for. */
export function gcpZoneNames(region: string): string[] | undefined {
  // Own keys only: a region named "constructor" must not find Object.prototype.
  return Object.hasOwn(GCP_ZONES, region) ? [...GCP_ZONES[region]!].map((letter) => `${region}-${letter}`) : undefined;
}

/** Why `zone` is not a zone of the GCP region `region`, with a fix; undefined when it is one (or, without a table, looks like one). */
export function gcpZoneProblem(region: string, zone: string): { problem: string; fix: string } | undefined {
  const known = gcpZoneNames(region);
  const list = `\`gcloud compute zones list --filter=region:${region}\``;
  if (known === undefined) {
    // No table for this region: the shape is all that can be checked.
    if (new RegExp(`^${region}-[a-z]$`).test(zone)) return undefined;
    return { problem: `"${zone}" is not a zone of ${region}`, fix: `write a zone such as ${region}-b; ${list} lists them` };
  }
  if (known.includes(zone)) return undefined;
  const guess = closestMatch(zone, known);
  const zones = `${known.join(', ')} (${list})`;
  return { problem: `"${zone}" is not a zone of ${region}`, fix: guess !== undefined ? `did you mean "${guess}"? ${region} has ${zones}` : `use one of ${zones}` };
}
