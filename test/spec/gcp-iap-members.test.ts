/**
 * IAP with its Google-managed OAuth client lets in only users of the organization: a consumer
 * Google account in monitoring.sso.allowedMembers would be granted access it can never use.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../helpers/parameter-files';

const list = (members: string[]) => `[${members.map((m) => JSON.stringify(m)).join(', ')}]`;
const gcpWithMembers = (members: string[], flowerGroups?: string[]) =>
  problemLines(
    editBase({
      3: 'cloud: gcp',
      4: 'region: europe-west1\nproject: acme-celery-prod',
      27: '  backend: gcs',
      29: [
        'monitoring:',
        '  domain: celery.example.com',
        '  sso:',
        `    allowedMembers: ${list(members)}`,
        ...(flowerGroups === undefined ? [] : [`    flowerGroups: ${list(flowerGroups)}`]),
      ].join('\n'),
    }),
  );

describe('the IAP members of a GCP file', () => {
  it('accepts users and groups of an organization', () => {
    expect(gcpWithMembers(['group:ops@example.com', 'user:ana@example.com', 'domain:example.com'])).toEqual([]);
  });

  it('refuses a consumer Google account with a line naming the member and the fix', () => {
    expect(gcpWithMembers(['group:ops@example.com', 'user:someone@gmail.com'])).toEqual([
      expect.stringMatching(
        /^FILE:\d+: error: monitoring\.sso\.allowedMembers\[1\]: user:someone@gmail\.com is a consumer Google account, outside any organization, and IAP's Google-managed OAuth client lets in only users of your organization\. Fix: list users or groups of your Google Workspace or Cloud Identity organization \(e\.g\. "group:ops@example\.com"\)\.$/,
      ),
    ]);
    expect(gcpWithMembers(['domain:googlemail.com'])).toHaveLength(1);
  });

  it('refuses a consumer Google account among the Flower groups too, which are IAP bindings on the Flower backend', () => {
    expect(gcpWithMembers(['group:ops@example.com'], ['group:operators@example.com', 'user:someone@gmail.com'])).toEqual([
      expect.stringMatching(/^FILE:\d+: error: monitoring\.sso\.flowerGroups\[1\]: user:someone@gmail\.com is a consumer Google account, outside any organization, .* Fix: list users or groups of your Google Workspace or Cloud Identity organization/),
    ]);
    expect(gcpWithMembers(['group:ops@example.com'], ['group:operators@example.com'])).toEqual([]);
  });
});
