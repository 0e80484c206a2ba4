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
    const flower = containersOf(task).find((c) => c.name === 'flower');
    expect(flower).toMatchObject({ image: 'mher/flower:2.0.1' });
    expect(flower!.command).toContain('--url_prefix=flower');
    // On loopback, behind the gate: no port the load balancer (or anything else) could reach.
    expect(flower!.command).toContain('--address=127.0.0.1');
    expect(flower!.portMappings).toBeUndefined();
    const secrets = (flower!.secrets as Array<{ name: string }>).map((s) => s.name);
    expect(secrets).toEqual(stack.spec.broker.kind === 'rabbitmq' ? ['CELERY_BROKER_URL', 'FLOWER_BROKER_API'] : ['CELERY_BROKER_URL']);
    expect(flower!.environment ?? []).toEqual([]);
  });

  it('runs Grafana on loopback, trusting only the gate headers from 127.0.0.1, with the workspace as a SigV4 data source and the kit dashboard', () => {
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-grafana`)!;
    const [provision, grafana] = ['provision', 'grafana'].map((name) => containersOf(task).find((c) => c.name === name));
    const env = Object.fromEntries((grafana!.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(grafana!.portMappings).toBeUndefined();
    expect(env).toMatchObject({
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_AUTH_PROXY_ENABLED: 'true',
      // The gate's headers, from the gate's address only; never the load balancer's unverified ones.
      GF_AUTH_PROXY_HEADER_NAME: 'X-WEBAUTH-USER',
      GF_AUTH_PROXY_HEADERS: 'Email:X-WEBAUTH-EMAIL Role:X-WEBAUTH-ROLE',
      GF_AUTH_PROXY_WHITELIST: '127.0.0.1',
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

  it.each([
    ['flower', 5555, 5556, '/flower/healthcheck'],
    ['grafana', 3000, 3001, '/grafana/api/health'],
  ] as const)('sends %s traffic only through the identity gate, which checks the signed token and the groups of the file', (ui, port, local, health) => {
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-${ui}`)!;
    const gate = containersOf(task).find((c) => c.name === 'gate')!;
    const env = Object.fromEntries((gate.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    const m = stack.spec.monitoring!;
    const lb = Object.keys(resourcesOf(json, 'aws_lb'))[0]!;
    expect(gate).toMatchObject({ essential: true, user: 'node', readonlyRootFilesystem: true, portMappings: [{ containerPort: port, protocol: 'tcp' }] });
    expect(env).toEqual({
      GATE_PORT: String(port),
      GATE_UPSTREAM_PORT: String(local),
      GATE_SIGNER: `\${aws_lb.${lb}.arn}`,
      GATE_ISSUER: m.oidc!.issuer,
      GATE_CLIENT_ID: m.oidc!.clientId,
      GATE_KEY_URL: `https://public-keys.auth.elb.${stack.spec.region}.amazonaws.com`,
      GATE_GROUPS_CLAIM: 'groups',
      GATE_ALLOWED_GROUPS: JSON.stringify(ui === 'flower' ? m.access.flower : (m.access.grafanaViewers ?? null)),
      GATE_ADMIN_GROUPS: JSON.stringify(ui === 'flower' ? [] : m.access.grafanaAdmins),
      GATE_HEALTH_PATH: health,
    });
    // The examples restrict Flower to named groups and name Grafana admins.
    if (ui === 'flower') expect(JSON.parse(env.GATE_ALLOWED_GROUPS!)).not.toEqual([]);
    else expect(m.access.grafanaAdmins.length).toBeGreaterThan(0);
    const service = Object.values(resourcesOf(json, 'aws_ecs_service')).find((s) => s.name === ui)!;
    expect(service.load_balancer).toEqual([expect.objectContaining({ container_name: 'gate', container_port: port })]);
    const targets = Object.values(resourcesOf(json, 'aws_lb_target_group')).find((t) => t.port === port)!;
    expect((targets.health_check as { path: string }).path).toBe(health);
  });

  it('asks the IdP for the scopes of the file, so the groups claim reaches the gate', () => {
    for (const rule of rules) {
      const [authenticate] = rule.action as Array<{ authenticate_oidc?: { scope?: string } }>;
      expect(authenticate!.authenticate_oidc!.scope).toBe(stack.spec.monitoring!.oidc!.scope);
    }
    expect(stack.spec.monitoring!.oidc!.scope.split(' ')).toContain('groups');
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
