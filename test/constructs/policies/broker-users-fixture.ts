/**
 * Minimal Amazon MQ stacks for CK-BROKER-ADMIN-ISOLATED and CK-ORDER-BROKER-USERS: a RabbitMQ
 * broker whose administrator password is generated, and ECS services that read either a URL with
 * the administrator's password (the old kit) or a URL of a user of their own.
 */
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Fn, type TerraformStack } from 'cdktf';
import { GeneratedSecretValue } from '../../../constructs/celery/generated-secret-value';

function broker(stack: TerraformStack): { endpoint: string; adminPassword: string } {
  const adminPassword = new GeneratedSecretValue(stack, 'admin-password').value;
  const mq = new MqBroker(stack, 'mq', {
    brokerName: 'b',
    engineType: 'RabbitMQ',
    engineVersion: '3.13',
    hostInstanceType: 'mq.m5.large',
    publiclyAccessible: false,
    user: [{ username: 'admin', password: adminPassword }],
    lifecycle: { preventDestroy: true },
  });
  return { endpoint: Fn.element(mq.instances.get(0).endpoints, 0), adminPassword };
}

function secret(stack: TerraformStack, id: string, value: string): SecretsmanagerSecretVersion {
  const s = new SecretsmanagerSecret(stack, id, { name: id, lifecycle: { preventDestroy: true } });
  return new SecretsmanagerSecretVersion(stack, `${id}-value`, { secretId: s.id, secretString: value });
}

function service(stack: TerraformStack, id: string, secrets: readonly SecretsmanagerSecretVersion[], dependsOn: EcsService[] = []): EcsService {
  const task = new EcsTaskDefinition(stack, `${id}-task`, {
    family: id,
    containerDefinitions: JSON.stringify([{ name: 'c', image: 'i:1', essential: true, secrets: secrets.map((v, i) => ({ name: `S${i}`, valueFrom: v.secretId })) }]),
  });
  // valueFrom above is the secret's id, an ARN; depends_on on the versions keeps CK-ORDER-SECRETS quiet.
  return new EcsService(stack, id, { name: id, cluster: 'arn:cluster', taskDefinition: task.arn, launchType: 'FARGATE', dependsOn: [...secrets, ...dependsOn] });
}

/** The old kit: workers and exporter both read one URL that holds the administrator's password. */
export function sharedAdminStack(stack: TerraformStack): void {
  const { endpoint, adminPassword } = broker(stack);
  const url = secret(stack, 'broker-url', `${Fn.replace(endpoint, 'amqps://', `amqps://admin:${adminPassword}@`)}//`);
  service(stack, 'workers', [url]);
  service(stack, 'exporter', [url]);
}

/**
 * The kit now: a bootstrap reads the administrator's secret and the users' URLs; workers read only
 * their user's URL, after the bootstrap unless `workersFirst`, and with no bootstrap at all when
 * `noBootstrap`.
 */
export function ownUsersStack(stack: TerraformStack, options: { workersFirst?: boolean; noBootstrap?: boolean } = {}): void {
  const { endpoint, adminPassword } = broker(stack);
  const admin = secret(stack, 'admin', Fn.jsonencode({ username: 'admin', password: adminPassword }));
  const appPassword = new GeneratedSecretValue(stack, 'app-password').value;
  const url = secret(stack, 'broker-url', `${Fn.replace(endpoint, 'amqps://', `amqps://celery-app:${appPassword}@`)}//`);
  const bootstrap = options.noBootstrap ? undefined : service(stack, 'broker-users', [admin, url]);
  service(stack, 'workers', [url], bootstrap === undefined || options.workersFirst ? [] : [bootstrap]);
}
