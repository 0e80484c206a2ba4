/**
 * Who may use Flower and Grafana: the SSO access parameters, their secure default (no Flower
 * without named groups) and their per-cloud meaning.
 */
import { describe, expect, it } from 'vitest';
import { AWS_MONITORING_LINES, editBase, problemLines, specFromYaml } from '../helpers/parameter-files';

const awsMonitoring = (...sso: string[]) =>
  editBase({
    29: ['accountId: "123456789012"', ...AWS_MONITORING_LINES, ...sso].join('\n'),
  });

const gcpMonitoring = (...sso: string[]) =>
  editBase({
    3: 'cloud: gcp',
    4: 'region: europe-west1',
    27: '  backend: gcs',
    29: ['project: acme-celery', 'monitoring:', '  domain: celery.acme.example.com', '  sso:', '    allowedMembers: ["group:ops@acme.example.com"]', ...sso].join('\n'),
  });

describe('access to Flower and Grafana on AWS', () => {
  it('refuses a file with SSO but no Flower groups, naming the key and the fix', () => {
    expect(problemLines(awsMonitoring())).toEqual([
      'FILE:33: error: monitoring.sso.flowerGroups: is required with sso.oidc: Flower can revoke tasks and shut workers down, and without this anyone the IdP signs in could. Fix: list the IdP groups allowed to use Flower, e.g. flowerGroups: [celery-operators] (values of the groupsClaim claim, default "groups").',
    ]);
  });

  it('resolves the groups, the claim and the scope, with Grafana admins none and viewers anyone signed in by default', () => {
    const spec = specFromYaml(awsMonitoring('    flowerGroups: [celery-ops]'));
    expect(spec.monitoring!.access).toEqual({ groupsClaim: 'groups', flower: ['celery-ops'], grafanaAdmins: [] });
    expect(spec.monitoring!.oidc!.scope).toBe('openid email profile');
  });

  it('takes a custom claim, scope, admins and viewers', () => {
    const spec = specFromYaml(
      awsMonitoring('      scope: openid email groups', '    groupsClaim: cognito:groups', '    flowerGroups: [ops]', '    grafanaAdminGroups: [sre]', '    grafanaViewerGroups: [staff, ops]'),
    );
    expect(spec.monitoring!.access).toEqual({ groupsClaim: 'cognito:groups', flower: ['ops'], grafanaAdmins: ['sre'], grafanaViewers: ['staff', 'ops'] });
    expect(spec.monitoring!.oidc!.scope).toBe('openid email groups');
  });

  it('refuses a scope without openid and an empty group list', () => {
    const lines = problemLines(awsMonitoring('      scope: email groups', '    flowerGroups: []'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/monitoring\.sso\.oidc\.scope: must start with "openid"/);
    expect(lines[1]).toMatch(/monitoring\.sso\.flowerGroups: /);
  });
});

describe('access to Flower on GCP', () => {
  it('defaults Flower to the members Identity-Aware Proxy admits', () => {
    expect(specFromYaml(gcpMonitoring()).monitoring!.access.flower).toEqual(['group:ops@acme.example.com']);
    expect(specFromYaml(gcpMonitoring('    flowerGroups: ["group:celery-ops@acme.example.com"]')).monitoring!.access.flower).toEqual(['group:celery-ops@acme.example.com']);
  });

  it('wants IAM members for Flower and refuses the AWS-only keys', () => {
    expect(problemLines(gcpMonitoring('    flowerGroups: [celery-ops]', '    grafanaAdminGroups: [sre]'))).toEqual([
      'FILE:34: error: monitoring.sso.flowerGroups[0]: on GCP, Flower access is an Identity-Aware Proxy binding and needs an IAM member. Fix: write e.g. "group:celery-operators@example.com".',
      "FILE:35: error: monitoring.sso.grafanaAdminGroups: grafanaAdminGroups reads the AWS load balancer's signed token; GCP admits users with Identity-Aware Proxy. Fix: remove it; grant Grafana roles in Grafana.",
    ]);
  });
});
