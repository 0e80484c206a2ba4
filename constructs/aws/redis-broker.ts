/**
 * The Redis-protocol broker on ElastiCache: a Valkey (default) or Redis OSS replication group with
 * a replica in another zone, automatic failover, encryption at rest and in transit, one ACL user
 * per component (role-based access control, constructs/celery/redis-users.ts), `noeviction`,
 * daily snapshots and a final snapshot.
 *
 * RBAC instead of the AUTH token: with one token every worker, the exporter and Flower could
 * FLUSHALL or CONFIG SET. The provider refuses `auth_token` together with `user_group_ids`
 * (hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go, `ConflictsWith`),
 * and on an existing group sends `AuthTokenUpdateStrategy=DELETE` in the same ModifyReplicationGroup
 * that adds the user group when `auth_token_update_strategy` is DELETE and the token is gone, which
 * is AWS's documented migration from AUTH to RBAC
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html#Migrate-From-RBAC-to-Auth).
 * On a new group the strategy is accepted without a token and sent nowhere. Apply order: the users,
 * then the group (it names them), then the replication group (it names the group), all by reference.
 *
 * ElastiCache has no append-only file on current engines: a primary that fails loses what it had
 * not yet replicated (normally well under a second of enqueues), and a loss of every node falls
 * back to the last daily snapshot. See docs/aws.md.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { Construct } from 'constructs';
import type { RedisBrokerSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { DISABLED_DEFAULT_ACCESS_STRING, REDIS_USER_ROLES, type RedisUser, type RedisUserRole } from '../celery/redis-users';
import { ManagedSecret } from './managed-secret';

export const REDIS_PORT = 6379;

export interface AwsRedisBrokerProps {
  readonly stackId: string;
  readonly broker: RedisBrokerSpec;
  /** The components' users (constructs/celery/redis-users.ts `redisUsers`), one per role. */
  readonly users: readonly RedisUser[];
  readonly subnetIds: readonly string[];
  /** Zones of the subnets; nodes are spread over them in order. */
  readonly zones: readonly string[];
  readonly securityGroupId: string;
  /**
   * Days the broker's engine and slow logs are kept.
   * @default 30 — long enough to look back over a month of incidents.
   */
  readonly logRetentionDays?: number;
}

export class AwsRedisBroker extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  /**
   * The AUTH token of stacks made before RBAC, kept so that upgrading deletes no secret (the
   * change guard blocks that); no component and not the broker use it any more.
   */
  readonly authTokenSecret: ManagedSecret;
  /** The components' users, by role; `default` is off. */
  readonly users: Readonly<Record<RedisUserRole, ElasticacheUser>>;
  readonly defaultUser: ElasticacheUser;
  readonly userGroup: ElasticacheUserGroup;
  /** Each role's `rediss://<user>:<password>@...` URL; sensitive, goes only into Secrets Manager. */
  readonly userUrls: Readonly<Record<RedisUserRole, string>>;
  /** The app's URL (workers, beat, scheduled calls). */
  readonly brokerUrl: string;

  constructor(scope: Construct, id: string, props: AwsRedisBrokerProps) {
    super(scope, id);
    const { stackId, broker } = props;
    const name = `${stackId}-broker`;

    const parameters = new ElasticacheParameterGroup(this, 'parameters', {
      name,
      family: parameterGroupFamily(broker.engine, broker.engineVersion),
      description: `celerykit ${stackId}: a broker must refuse writes rather than evict queued tasks`,
      parameter: [{ name: 'maxmemory-policy', value: 'noeviction' }],
    });
    const subnets = new ElasticacheSubnetGroup(this, 'subnets', { name, subnetIds: [...props.subnetIds], description: `celerykit ${stackId} broker` });
    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/celerykit/${stackId}/broker`, retentionInDays: props.logRetentionDays ?? 30 });

    const authToken = new GeneratedSecretValue(this, 'auth-token');
    this.authTokenSecret = new ManagedSecret(this, 'auth-token-secret', {
      name: `celerykit/${stackId}/redis-auth-token`,
      description: `Former AUTH token of the celerykit ${stackId} broker (unused since per-component users)`,
      value: authToken.value,
    });

    // User ids are per account and region, so they carry the stack id; CreateUser takes
    // `[a-zA-Z][a-zA-Z0-9-]*` and stores it lower case, as stack ids already are
    // (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUser.html).
    // Passwords: 16-128 characters (the provider's check); the generated ones are 64 hex digits.
    // Engine "redis" for users and group: ElastiCache takes such a group on Valkey and on Redis
    // OSS replication groups alike; it must contain a user named "default" (Clusters.RBAC.html).
    const engine = 'redis';
    const users = props.users;
    const missing = REDIS_USER_ROLES.filter((role) => !users.some((u) => u.role === role));
    if (missing.length > 0) throw new Error(`AwsRedisBroker: props.users has no user for ${missing.join(', ')}; pass redisUsers(spec)`);
    const passwords = Object.fromEntries(REDIS_USER_ROLES.map((role) => [role, new GeneratedSecretValue(this, `${role}-password`).value])) as Record<RedisUserRole, string>;
    this.users = Object.fromEntries(
      users.map((u) => [
        u.role,
        new ElasticacheUser(this, `user-${u.role}`, {
          userId: `${name}-${u.role}`,
          userName: u.name,
          engine,
          accessString: u.accessString,
          authenticationMode: { type: 'password', passwords: [passwords[u.role]] },
        }),
      ]),
    ) as Record<RedisUserRole, ElasticacheUser>;
    this.defaultUser = new ElasticacheUser(this, 'user-default', {
      userId: `${name}-default`,
      userName: 'default',
      engine,
      accessString: DISABLED_DEFAULT_ACCESS_STRING,
      // A password nobody holds: the user is off anyway, and "no password" is the weaker setting.
      authenticationMode: { type: 'password', passwords: [new GeneratedSecretValue(this, 'default-password').value] },
    });
    this.userGroup = new ElasticacheUserGroup(this, 'user-group', {
      userGroupId: name,
      engine,
      userIds: [this.defaultUser.userId, ...REDIS_USER_ROLES.map((role) => this.users[role].userId)],
    });

    const nodes = 1 + broker.replicas;
    this.replicationGroup = new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: name,
      description: `celerykit ${stackId} Celery broker`,
      engine: broker.engine,
      engineVersion: broker.engineVersion,
      nodeType: broker.nodeType,
      port: REDIS_PORT,
      parameterGroupName: parameters.name,
      subnetGroupName: subnets.name,
      securityGroupIds: [props.securityGroupId],
      numCacheClusters: nodes,
      preferredCacheClusterAzs: props.zones.length > 0 ? Array.from({ length: nodes }, (_, i) => props.zones[i % props.zones.length]!) : undefined,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: 'true',
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      userGroupIds: [this.userGroup.userGroupId],
      // Upgrading a stack made with an AUTH token: remove the token in the same change.
      authTokenUpdateStrategy: 'DELETE',
      snapshotRetentionLimit: broker.snapshotRetentionDays,
      snapshotWindow: '03:00-04:00',
      maintenanceWindow: 'sun:05:00-sun:06:00',
      finalSnapshotIdentifier: `${name}-final`,
      autoMinorVersionUpgrade: 'true',
      applyImmediately: false,
      logDeliveryConfiguration: [
        { destination: logs.name, destinationType: 'cloudwatch-logs', logFormat: 'json', logType: 'engine-log' },
        { destination: logs.name, destinationType: 'cloudwatch-logs', logFormat: 'json', logType: 'slow-log' },
      ],
      lifecycle: { preventDestroy: true },
    });

    // ssl_cert_reqs=required: kombu refuses rediss:// without it, and "required" verifies the
    // server certificate instead of trusting any. User names and passwords are URL-safe
    // (letters, digits, "-"; hex).
    const url = (role: RedisUserRole) =>
      `rediss://${this.users[role].userName}:${passwords[role]}@${this.replicationGroup.primaryEndpointAddress}:${REDIS_PORT}/0?ssl_cert_reqs=required`;
    this.userUrls = Object.fromEntries(REDIS_USER_ROLES.map((role) => [role, url(role)])) as Record<RedisUserRole, string>;
    this.brokerUrl = this.userUrls.app;
  }
}

/** ElastiCache parameter group family: valkey7/valkey8, redis7, redis6.x. */
export function parameterGroupFamily(engine: 'valkey' | 'redis', version: string): string {
  const major = Number(version.split('.')[0]);
  if (engine === 'valkey') return `valkey${major}`;
  return major >= 7 ? `redis${major}` : `redis${major}.x`;
}
