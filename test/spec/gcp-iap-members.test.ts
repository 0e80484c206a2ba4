/**
 * IAP with its Google-managed OAuth client lets in only users of the organization: a consumer
 * Google account in monitoring.sso.allowedMembers would be granted access it can never use.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../helpers/parameter-files';

const gcpWithMembers = (members: string[]) =>
  problemLines(
    editBase({
      3: 'cloud: gcp',
      4: 'region: europe-west1\nproject: acme-celery-prod',
      27: '  backend: gcs',
      29: ['monitoring:', '  domain: celery.example.com', '  sso:', `    allowedMembers: [${members.map((m) => JSON.stringify(m)).join(', ')}]`].join('\n'),
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
});
