/**
 * Minimal ElastiCache RBAC stacks for CK-BROKER-USERS-SEPARATE: a replication group whose user
 * group holds a user per component and a `default` user, URL secrets built from the users'
 * generated passwords, and ECS services that read them.
 */
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import type { TerraformStack } from 'cdktf';
import { GeneratedSecretValue } from '../../../constructs/celery/generated-secret-value';

export interface RedisUsersOptions {
  /** The exporter also reads the app's URL. */
  readonly exporterReadsApp?: boolean;
  /** The default user's access string. */
  readonly defaultAccess?: string;
  /** A secret holding the old AUTH-token URL (no user name), read by nothing. */
  readonly tokenUrl?: boolean;
}

export function redisUsersStack(stack: TerraformStack, options: RedisUsersOptions = {}): void {
  const user = (id: string, name: string, access: string) => {
    const password = new GeneratedSecretValue(stack, `${id}-password`).value;
    return { password, user: new ElasticacheUser(stack, id, { userId: id, userName: name, engine: 'redis', accessString: access, authenticationMode: { type: 'password', passwords: [password] } }) };
  };
  const app = user('user-app', 'celery-app', 'on ~* &* -@all +lpush');
  const exporter = user('user-exporter', 'celery-exporter', 'on %R~q* &* -@all +llen');
  const none = user('user-default', 'default', options.defaultAccess ?? 'off -@all');
  const group = new ElasticacheUserGroup(stack, 'users', { userGroupId: 'g', engine: 'redis', userIds: [none.user.userId, app.user.userId, exporter.user.userId] });
  const redis = new ElasticacheReplicationGroup(stack, 'redis', {
    replicationGroupId: 'r',
    description: 'd',
    engine: 'valkey',
    transitEncryptionEnabled: true,
    atRestEncryptionEnabled: 'true',
    userGroupIds: [group.userGroupId],
    lifecycle: { preventDestroy: true },
  });
  const secret = (id: string, value: string) => {
    const s = new SecretsmanagerSecret(stack, id, { name: id, lifecycle: { preventDestroy: true } });
    return new SecretsmanagerSecretVersion(stack, `${id}-value`, { secretId: s.id, secretString: value });
  };
  const url = (u: { user: ElasticacheUser; password: string }) => `rediss://${u.user.userName}:${u.password}@${redis.primaryEndpointAddress}:6379/0`;
  const appUrl = secret('broker-url', url(app));
  const exporterUrl = secret('broker-url-exporter', url(exporter));
  if (options.tokenUrl) secret('broker-url-token', `rediss://:${new GeneratedSecretValue(stack, 'token').value}@${redis.primaryEndpointAddress}:6379/0`);
  const service = (id: string, secrets: SecretsmanagerSecretVersion[]) => {
    const task = new EcsTaskDefinition(stack, `${id}-task`, {
      family: id,
      containerDefinitions: JSON.stringify([{ name: 'c', image: 'i:1', essential: true, secrets: secrets.map((v, i) => ({ name: `S${i}`, valueFrom: v.secretId })) }]),
    });
    new EcsService(stack, id, { name: id, cluster: 'arn:cluster', taskDefinition: task.arn, launchType: 'FARGATE', dependsOn: secrets });
  };
  service('workers', [appUrl]);
  service('exporter', options.exporterReadsApp ? [exporterUrl, appUrl] : [exporterUrl]);
}
