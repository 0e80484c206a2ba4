/**
 * Flower and Grafana behind the OIDC load balancer: nothing reaches them without signing in,
 * HTTP only redirects, TLS is modern, and only the load balancer may talk to them.
 */
import { describe, expect, it } from 'vitest';
import { grafanaDashboard } from '../../../constructs/celery/dashboards';
import { containersOf, onlyResource, resourcesOf, synthesizeDir, type ResourceBody } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the monitoring front door of %s', (id, stack) => {
  const json = stack.json;
  const listeners = Object.values(resourcesOf(json, 'aws_lb_listener'));
  const rules = Object.values(resourcesOf(json, 'aws_lb_listener_rule'));

  it('is one internet-facing load balancer that drops malformed headers', () => {
    expect(onlyResource(json, 'aws_lb')).toMatchObject({ internal: false, load_balancer_type: 'application', drop_invalid_header_fields: true });
  });

  it('only redirects on HTTP', () => {
    const http = listeners.find((l) => l.protocol === 'HTTP')!;
    expect(http.default_action).toEqual([{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }]);
    expect(rules.filter((r) => r.listener_arn === `\${aws_lb_listener.${Object.keys(resourcesOf(json, 'aws_lb_listener')).find((k) => resourcesOf(json, 'aws_lb_listener')[k]!.protocol === 'HTTP')}.arn}`)).toEqual([]);
  });

  it('serves HTTPS with the file certificate and a TLS 1.3 policy, and forwards nothing by default', () => {
    const https = listeners.find((l) => l.protocol === 'HTTPS')!;
    expect(https).toMatchObject({ port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate_arn: stack.spec.monitoring!.certificateArn });
    expect((https.default_action as Array<{ type: string }>).map((a) => a.type)).toEqual(['fixed-response']);
  });

  it('authenticates with OIDC before every forward', () => {
    expect(rules.map((r) => (r.condition as Array<{ path_pattern: { values: string[] } }>)[0]!.path_pattern.values)).toEqual([
      ['/flower', '/flower/*'],
      ['/grafana', '/grafana/*'],
    ]);
    for (const rule of rules) {
      const actions = rule.action as Array<{ type: string; order: number; authenticate_oidc?: Record<string, unknown> }>;
      expect(actions.map((a) => [a.order, a.type])).toEqual([
        [1, 'authenticate-oidc'],
        [2, 'forward'],
      ]);
      expect(actions[0]!.authenticate_oidc).toMatchObject({ issuer: stack.spec.monitoring!.oidc!.issuer, client_id: stack.spec.monitoring!.oidc!.clientId, client_secret: '${var.oidc_client_secret}', on_unauthenticated_request: 'authenticate' });
    }
    expect((json as { variable?: Record<string, { sensitive?: boolean }> }).variable?.oidc_client_secret).toMatchObject({ sensitive: true });
  });

  it('lets only the load balancer reach Flower and Grafana', () => {
    const groups = resourcesOf(json, 'aws_security_group');
    const nameOf = (ref: unknown) => groups[/aws_security_group\.([^.]+)\.id/.exec(String(ref))![1]!]!.name;
    const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    for (const target of [`${id}-flower`, `${id}-grafana`]) {
      const into = ingress.filter((r) => nameOf(r.security_group_id) === target);
      expect(into.length).toBeGreaterThan(0);
      for (const r of into) {
        expect(r.cidr_ipv4 ?? null).toBeNull();
        expect(nameOf(r.referenced_security_group_id)).toBe(`${id}-alb`);
      }
    }
  });

  it('lets the load balancer reach the IdP token and user-info endpoints on 443, and nothing else outside', () => {
    const groups = resourcesOf(json, 'aws_security_group');
    const nameOf = (ref: unknown) => groups[/aws_security_group\.([^.]+)\.id/.exec(String(ref))![1]!]!.name;
    const outOfAlb = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule')).filter((r) => nameOf(r.security_group_id) === `${id}-alb`);
    const outside = outOfAlb.filter((r) => r.referenced_security_group_id === undefined);
    expect(outside.length).toBeGreaterThan(0);
    for (const r of outside) expect({ protocol: r.ip_protocol, from: r.from_port, to: r.to_port }).toEqual({ protocol: 'tcp', from: 443, to: 443 });
    // The load balancer is IPv4-only (no ip_address_type), so IPv4 egress is all it can use.
    expect(outside.map((r) => r.cidr_ipv4 ?? r.cidr_ipv6)).toEqual(['0.0.0.0/0']);
  });

  it('runs a pinned Flower under /flower that reads the broker URL from Secrets Manager', () => {
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-flower`)!;
    const [flower] = containersOf(task);
    expect(flower).toMatchObject({ image: 'mher/flower:2.0.1' });
    expect(flower!.command).toContain('--url_prefix=flower');
    const secrets = (flower!.secrets as Array<{ name: string }>).map((s) => s.name);
    expect(secrets).toEqual(stack.spec.broker.kind === 'rabbitmq' ? ['CELERY_BROKER_URL', 'FLOWER_BROKER_API'] : ['CELERY_BROKER_URL']);
    expect(flower!.environment ?? []).toEqual([]);
  });

  it('runs Grafana on the identity header only, with the workspace as a SigV4 data source and the kit dashboard', () => {
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-grafana`)!;
    const [provision, grafana] = containersOf(task);
    const env = Object.fromEntries((grafana!.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      GF_AUTH_PROXY_ENABLED: 'true',
      GF_AUTH_PROXY_HEADER_NAME: 'X-Amzn-Oidc-Identity',
      GF_AUTH_DISABLE_LOGIN_FORM: 'true',
      GF_AUTH_BASIC_ENABLED: 'false',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_SERVER_ROOT_URL: `https://${stack.spec.monitoring!.domain}/grafana/`,
    });
    const files = Object.fromEntries((provision!.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(files.DATASOURCES).toContain('sigV4Auth: true');
    // Terraform turns the escaped "$${" back into "${" when it applies.
    expect(files.DASHBOARD!.replace(/\$\$\{/g, '${')).toBe(JSON.stringify(grafanaDashboard(stack.spec)));
    expect(grafana!.dependsOn).toEqual([{ containerName: 'provision', condition: 'SUCCESS' }]);
  });

  it('outputs where Flower and Grafana are', () => {
    expect(json.output?.flower_url?.value).toBe(`https://${stack.spec.monitoring!.domain}/flower/`);
    expect(json.output?.grafana_url?.value).toBe(`https://${stack.spec.monitoring!.domain}/grafana/`);
  });
});

it('the services behind the front door are attached to its target groups', () => {
  const json = stacks[0]!.json;
  const services = Object.values(resourcesOf(json, 'aws_ecs_service')).filter((s) => s.name === 'flower' || s.name === 'grafana') as ResourceBody[];
  expect(services).toHaveLength(2);
  for (const s of services) expect((s.load_balancer as Array<{ target_group_arn: string }>)[0]!.target_group_arn).toMatch(/^\$\{aws_lb_target_group\./);
});
