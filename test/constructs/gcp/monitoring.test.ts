/**
 * GCP monitoring: one alert policy per kit rule on Managed Prometheus, and Flower and Grafana
 * reachable only through an HTTPS load balancer whose backends require IAP.
 */
import { describe, expect, it } from 'vitest';
import { alertRules } from '../../../constructs/celery/alert-rules';
import { onlyResource, resourcesOf, synthesizeDir } from '../../helpers/synth';

const initech = synthesizeDir().find((s) => s.spec.stackId === 'initech-prod')!;
const json = initech.json;

describe('GCP alert policies', () => {
  const policies = Object.values(resourcesOf(json, 'google_monitoring_alert_policy'));
  const rules = alertRules(initech.spec, { selector: 'cluster="initech-prod"' });

  it('exist once per kit rule, with its PromQL on this stack series, its duration and severity', () => {
    expect(policies).toHaveLength(rules.length);
    rules.forEach((rule, i) => {
      const condition = (policies[i]!.conditions as Array<{ condition_prometheus_query_language: Record<string, unknown> }>)[0]!.condition_prometheus_query_language;
      expect(condition.query).toBe(rule.expr);
      expect(condition.query).toContain('cluster="initech-prod"');
      expect(condition.alert_rule).toBe(rule.alert);
      expect(policies[i]!.severity).toBe(rule.labels.severity === 'page' ? 'CRITICAL' : 'WARNING');
    });
    const queue = policies.find((p) => String(p.display_name).endsWith('CeleryQueueTooLong'))!;
    expect((queue.conditions as Array<{ condition_prometheus_query_language: { duration: string } }>)[0]!.condition_prometheus_query_language.duration).toBe('300s');
  });

  it('notify the file email addresses', () => {
    const channels = Object.values(resourcesOf(json, 'google_monitoring_notification_channel'));
    expect(channels.map((c) => [c.type, (c.labels as Record<string, string>).email_address])).toEqual([['email', 'platform-oncall@initech.example.org']]);
    for (const p of policies) expect(p.notification_channels).toEqual([expect.stringMatching(/^\$\{google_monitoring_notification_channel\.[^.]+\.name\}$/)]);
  });

  it('turn label templates into Cloud Monitoring variables, escaped for Terraform', () => {
    const queue = policies.find((p) => String(p.display_name).endsWith('CeleryQueueTooLong'))!;
    // No "has the value waiting tasks": the subject names the threshold the queue crossed.
    expect((queue.documentation as { subject: string }).subject).toBe('Queue $${metric.label.queue_name} has more than 500 waiting tasks');
    const workers = policies.find((p) => String(p.display_name).includes('CeleryWorkersBelowExpected'))!;
    expect((workers.documentation as { subject: string }).subject).toMatch(/^Pool \w+ has fewer than \d+ live workers, expected at least \d+$/);
    for (const p of policies) expect((p.documentation as { subject: string }).subject).not.toMatch(/the value|\{\{/);
  });
});

describe('the GCP monitoring front door', () => {
  const services = Object.values(resourcesOf(json, 'google_cloud_run_v2_service'));

  it('runs Flower and Grafana on Cloud Run reachable only from the load balancer', () => {
    expect(services.map((s) => s.name).sort()).toEqual(['initech-prod-flower', 'initech-prod-grafana']);
    for (const s of services) expect(s).toMatchObject({ ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER' });
  });

  it('keeps invoker IAM on and lets only the IAP service agent invoke, so VMs in the network cannot skip the sign-in', () => {
    // Internal-load-balancer ingress also admits VPC networks of the project; only IAM keeps a worker VM out.
    for (const s of services) expect(s.invoker_iam_disabled ?? false).toBe(false);
    const invokers = Object.values(resourcesOf(json, 'google_cloud_run_v2_service_iam_member'));
    expect(invokers.map((i) => i.role)).toEqual(['roles/run.invoker', 'roles/run.invoker']);
    const serviceNames = Object.keys(resourcesOf(json, 'google_cloud_run_v2_service')).map((id) => `\${google_cloud_run_v2_service.${id}.name}`);
    expect(invokers.map((i) => String(i.name)).sort()).toEqual(serviceNames.sort());
    for (const i of invokers) expect(i.member).toMatch(/^serviceAccount:service-\$\{data\.google_project\.[^.]+\.number\}@gcp-sa-iap\.iam\.gserviceaccount\.com$/);
  });

  it('requires IAP on every backend, Flower open to the Flower groups only and Grafana to the allowed members', () => {
    const backends = resourcesOf(json, 'google_compute_backend_service');
    expect(Object.values(backends)).toHaveLength(2);
    for (const b of Object.values(backends)) expect(b).toMatchObject({ load_balancing_scheme: 'EXTERNAL_MANAGED', iap: { enabled: true } });
    const access = Object.values(resourcesOf(json, 'google_iap_web_backend_service_iam_member'));
    const backendName = (ref: unknown) => backends[/google_compute_backend_service\.([^.]+)\.name/.exec(String(ref))![1]!]!.name;
    expect(access.map((a) => [backendName(a.web_backend_service), a.role, a.member])).toEqual([
      ['initech-prod-flower', 'roles/iap.httpsResourceAccessor', 'group:celery-operators@initech.example.org'],
      ['initech-prod-grafana', 'roles/iap.httpsResourceAccessor', 'group:platform@initech.example.org'],
    ]);
  });

  it('serves HTTPS with a managed certificate and a MODERN TLS policy, and HTTP only redirects', () => {
    expect(onlyResource(json, 'google_compute_managed_ssl_certificate').managed).toEqual({ domains: ['celery.initech.example.org'] });
    expect(onlyResource(json, 'google_compute_ssl_policy')).toMatchObject({ profile: 'MODERN', min_tls_version: 'TLS_1_2' });
    const maps = Object.values(resourcesOf(json, 'google_compute_url_map'));
    const redirect = maps.find((m) => String(m.name).endsWith('-http'))!;
    expect(redirect.default_url_redirect).toMatchObject({ https_redirect: true });
    expect(redirect.path_matcher ?? null).toBeNull();
    const routes = maps.find((m) => m.name === 'initech-prod-ops')!;
    const rules = (routes.path_matcher as Array<{ path_rule: Array<{ paths: string[] }> }>)[0]!.path_rule.map((r) => r.paths);
    expect(rules).toEqual([
      ['/flower', '/flower/*'],
      ['/grafana', '/grafana/*'],
    ]);
  });

  it('has Grafana verify the IAP-signed identity and read Managed Prometheus through the query frontend', () => {
    const grafana = services.find((s) => s.name === 'initech-prod-grafana')!;
    const containers = (grafana.template as { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }>; args?: string[] }> }).containers;
    const env = Object.fromEntries((containers[0]!.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      GF_AUTH_JWT_ENABLED: 'true',
      GF_AUTH_JWT_HEADER_NAME: 'X-Goog-IAP-JWT-Assertion',
      GF_AUTH_JWT_JWK_SET_URL: 'https://www.gstatic.com/iap/verify/public_key-jwk',
      GF_AUTH_DISABLE_LOGIN_FORM: 'true',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
    });
    expect(env.DATASOURCES).toContain('url: http://localhost:9090');
    // A token IAP signed for another backend (Flower, or another app in the project) is refused.
    const grafanaBackend = Object.entries(resourcesOf(json, 'google_compute_backend_service')).find(([, b]) => b.name === 'initech-prod-grafana')![0];
    expect(JSON.parse(env.GF_AUTH_JWT_EXPECT_CLAIMS!)).toEqual({
      iss: 'https://cloud.google.com/iap',
      aud: expect.stringMatching(new RegExp(`^/projects/\\$\\{data\\.google_project\\.[^.]+\\.number\\}/global/backendServices/\\$\\{google_compute_backend_service\\.${grafanaBackend}\\.generated_id\\}$`)),
    });
    expect(containers[1]!.args).toEqual(['--web.listen-address=:9090', '--query.project-id=initech-celery-prod']);
  });
});
