/**
 * Amazon MQ least privilege, on the bundled RabbitMQ examples and on generated files: the
 * administrator's credentials reach only the users bootstrap, each component injects the broker
 * URL of its own user, the bootstrap creates exactly the users of rabbitmqUsers(spec), and every
 * other starter waits for it.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapUsersJson, rabbitmqUsers } from '../../../constructs/celery/rabbitmq-users';
import { BROKER_USERS_CONTAINER } from '../../../constructs/aws/rabbitmq-users-bootstrap';
import { randomParameterFile } from '../../../scripts/parameter-file-generator';
import { writeParameterFiles } from '../../helpers/parameter-files';
import { containersOf, resourcesOf, synthesizeDir, synthesizeDirInChunks, type SynthesizedStack } from '../../helpers/synth';

/** What one stack's task definitions inject, by family, as secret names. */
function injectedByFamily(stack: SynthesizedStack): Map<string, string[]> {
  const secretNames = new Map(Object.entries(resourcesOf(stack.json, 'aws_secretsmanager_secret')).map(([key, s]) => [`\${aws_secretsmanager_secret.${key}.arn}`, String(s.name)]));
  return new Map(
    Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).map((t) => [
      String(t.family),
      containersOf(t).flatMap((c) => ((c.secrets ?? []) as Array<{ valueFrom: string }>).map((s) => secretNames.get(s.valueFrom) ?? s.valueFrom)),
    ]),
  );
}

/** The value expression of the kit secret named `name`. */
function secretValue(stack: SynthesizedStack, name: string): string {
  const [key] = Object.entries(resourcesOf(stack.json, 'aws_secretsmanager_secret')).find(([, s]) => s.name === name) ?? [];
  const version = Object.values(resourcesOf(stack.json, 'aws_secretsmanager_secret_version')).find((v) => v.secret_id === `\${aws_secretsmanager_secret.${key}.id}`);
  if (version === undefined) throw new Error(`no value for ${name}`);
  return String(version.secret_string);
}

function checkLeastPrivilege(stack: SynthesizedStack): void {
  const id = stack.spec.stackId;
  const s = (suffix: string) => `celerykit/${id}/${suffix}`;
  const injected = injectedByFamily(stack);
  const admin = s('rabbitmq-credentials');
  const [brokerUser] = Object.values(resourcesOf(stack.json, 'aws_mq_broker'))[0]!.user as Array<{ password: string }>;
  // `${terraform_data.<name>.output.value}`: the generated value, however an expression quotes it.
  const adminPassword = /^\$\{(terraform_data\.[^.]+\.)output\.value\}$/.exec(brokerUser!.password)![1]!;

  // The administrator's password is in its own secret and nowhere else.
  const secretsWithAdmin = Object.values(resourcesOf(stack.json, 'aws_secretsmanager_secret_version')).filter((v) => String(v.secret_string).includes(adminPassword));
  expect(secretsWithAdmin).toHaveLength(1);
  expect(secretValue(stack, admin)).toContain(adminPassword);
  const readers = [...injected].filter(([, secrets]) => secrets.includes(admin)).map(([family]) => family);
  expect(readers).toEqual([`${id}-broker-users`]);

  // Each component injects its own user's URL, and only that broker credential.
  const brokerSecrets = [s('broker-url'), s('broker-url-exporter'), s('broker-url-flower'), s('flower-broker-api'), admin];
  const brokerCredentialsOf = (family: string) => (injected.get(family) ?? []).filter((n) => brokerSecrets.includes(n)).sort();
  for (const pool of stack.spec.pools) expect(brokerCredentialsOf(`${id}-${pool.name}`), pool.name).toEqual([s('broker-url')]);
  const periodic = stack.spec.periodicTasks === 'beat-singleton' ? `${id}-beat` : `${id}-scheduled-call`;
  expect(brokerCredentialsOf(periodic)).toEqual([s('broker-url')]);
  expect(brokerCredentialsOf(`${id}-exporter`)).toEqual([s('broker-url-exporter')]);
  if (stack.spec.monitoring !== undefined) expect(brokerCredentialsOf(`${id}-flower`)).toEqual([s('broker-url-flower'), s('flower-broker-api')].sort());
  for (const [role, secret] of [['app', 'broker-url'], ['exporter', 'broker-url-exporter'], ['flower', 'broker-url-flower']] as const) {
    expect(secretValue(stack, s(secret))).toContain(`amqps://celery-${role}:`);
  }
  if (stack.spec.monitoring !== undefined) expect(secretValue(stack, s('flower-broker-api'))).toMatch(/^https:\/\/celery-flower:\$\{terraform_data\.[^}]+\}@/);

  // The bootstrap creates exactly the spec's users, reading each password from that user's URL.
  const bootstrap = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-broker-users`)!;
  const create = containersOf(bootstrap).find((c) => c.name === BROKER_USERS_CONTAINER)!;
  const env = Object.fromEntries((create.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
  expect(env.RABBITMQ_USERS).toBe(bootstrapUsersJson(rabbitmqUsers(stack.spec)));
  expect(Object.keys(env)).not.toContain('RABBITMQ_API');
  expect((create.secrets as Array<{ name: string }>).map((x) => x.name).sort()).toEqual(['BROKER_URL_APP', 'BROKER_URL_EXPORTER', 'BROKER_URL_FLOWER', 'RABBITMQ_ADMIN']);

  // Everything else that starts tasks is created after the bootstrap service.
  const [bootstrapKey] = Object.entries(resourcesOf(stack.json, 'aws_ecs_service')).find(([, svc]) => svc.name === 'broker-users')!;
  const starters = [...Object.entries(resourcesOf(stack.json, 'aws_ecs_service')), ...Object.entries(resourcesOf(stack.json, 'aws_scheduler_schedule'))].filter(([key]) => key !== bootstrapKey);
  expect(starters.length).toBeGreaterThan(1);
  for (const [key, starter] of starters) expect(starter.depends_on ?? [], key).toContain(`aws_ecs_service.${bootstrapKey}`);
}

describe('Amazon MQ users on the bundled examples', () => {
  const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');
  const rabbit = stacks.filter((s) => s.spec.broker.kind === 'rabbitmq');

  it.each(rabbit.map((s) => [s.spec.stackId, s] as const))('%s: the administrator reaches only the bootstrap, each component has its own user', (_, stack) => {
    checkLeastPrivilege(stack);
  });

  it('covers at least one RabbitMQ example, and Redis stacks have no users bootstrap', () => {
    expect(rabbit.length).toBeGreaterThan(0);
    for (const stack of stacks.filter((s) => s.spec.broker.kind === 'redis')) {
      expect(Object.values(resourcesOf(stack.json, 'aws_ecs_service')).map((svc) => svc.name)).not.toContain('broker-users');
      expect(rabbitmqUsers(stack.spec)).toEqual([]);
    }
  });
});

describe('Amazon MQ users on generated files', () => {
  it('holds on every generated AWS RabbitMQ file, with and without monitoring, beat or schedules', async () => {
    const files = Array.from({ length: 40 }, (_, i) => randomParameterFile(300 + i));
    const all = await synthesizeDirInChunks(writeParameterFiles(Object.fromEntries(files.map((f) => [f.name, f.text]))));
    const rabbit = all.filter((s) => s.spec.cloud === 'aws' && s.spec.broker.kind === 'rabbitmq');
    expect(rabbit.length).toBeGreaterThan(3);
    expect(new Set(rabbit.map((s) => s.spec.monitoring !== undefined)).size).toBe(2);
    for (const stack of rabbit) checkLeastPrivilege(stack);
  }, 120_000);
});
