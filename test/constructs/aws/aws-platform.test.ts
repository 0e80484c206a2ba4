/**
 * The AWS platform wiring: one broker URL secret per stack, with the right scheme, and its ARN
 * as an output.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the broker URL secret of %s', (id, stack) => {
  const secrets = Object.entries(resourcesOf(stack.json, 'aws_secretsmanager_secret')).filter(([, s]) => s.name === `celerykit/${id}/broker-url`);
  const [secretName] = secrets[0]!;
  const version = Object.values(resourcesOf(stack.json, 'aws_secretsmanager_secret_version')).find((v) => v.secret_id === `\${aws_secretsmanager_secret.${secretName}.id}`)!;

  it('exists once per stack and is protected from destroy', () => {
    expect(secrets).toHaveLength(1);
    expect(secrets[0]![1]).toMatchObject({ recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });

  it('holds a TLS broker URL built from the generated credential (the app user, never the administrator or the default user)', () => {
    const url = String(version.secret_string);
    if (stack.spec.broker.kind === 'redis') {
      expect(url).toMatch(/^rediss:\/\/\$\{aws_elasticache_user\.[^}]*user-app[^}]*\.user_name\}:\$\{terraform_data\.[^}]*app-password[^}]*\}@\$\{aws_elasticache_replication_group\.[^}]+\.primary_endpoint_address\}:6379\/0\?ssl_cert_reqs=required$/);
    } else {
      expect(url).toMatch(/^\$\{replace\(element\(aws_mq_broker\.[^,]+\.instances\[0\]\.endpoints, 0\), "amqps:\/\/", "amqps:\/\/celery-app:\$\{terraform_data\.[^}]+\}@"\)\}\/\/$/);
    }
  });

  it('is published as the broker_url_secret_arn output', () => {
    expect(stack.json.output?.broker_url_secret_arn?.value).toBe(`\${aws_secretsmanager_secret.${secretName}.arn}`);
  });
});

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the outputs of %s', (id, stack) => {
  it('name the cluster and the service of every worker pool', () => {
    expect(stack.json.output?.cluster_name?.value).toMatch(/^\$\{aws_ecs_cluster\.[^.]+\.name\}$/);
    const services = stack.json.output?.worker_services?.value as Record<string, string>;
    expect(Object.keys(services).sort()).toEqual(stack.spec.pools.map((p) => p.name).sort());
    for (const value of Object.values(services)) expect(value).toMatch(/^\$\{aws_ecs_service\.[^.]+\.name\}$/);
    expect(id).toBe(stack.spec.stackId);
  });
});
