/**
 * The Redis-protocol broker on ElastiCache: a Valkey (default) or Redis OSS replication group with
 * a replica in another zone, automatic failover, encryption at rest and in transit, an AUTH token
 * kept in Secrets Manager, `noeviction`, daily snapshots and a final snapshot.
 *
 * ElastiCache has no append-only file on current engines: a primary that fails loses what it had
 * not yet replicated (normally well under a second of enqueues), and a loss of every node falls
 * back to the last daily snapshot. See docs/aws.md.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { Construct } from 'constructs';
import type { RedisBrokerSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { ManagedSecret } from './managed-secret';

export const REDIS_PORT = 6379;

export interface AwsRedisBrokerProps {
  readonly stackId: string;
  readonly broker: RedisBrokerSpec;
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
  readonly authTokenSecret: ManagedSecret;
  /** `rediss://` URL with the AUTH token; sensitive, goes only into Secrets Manager. */
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
      description: `AUTH token of the celerykit ${stackId} broker`,
      value: authToken.value,
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
      authToken: authToken.value,
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
    // server certificate instead of trusting any.
    this.brokerUrl = `rediss://:${authToken.value}@${this.replicationGroup.primaryEndpointAddress}:${REDIS_PORT}/0?ssl_cert_reqs=required`;
  }
}

/** ElastiCache parameter group family: valkey7/valkey8, redis7, redis6.x. */
export function parameterGroupFamily(engine: 'valkey' | 'redis', version: string): string {
  const major = Number(version.split('.')[0]);
  if (engine === 'valkey') return `valkey${major}`;
  return major >= 7 ? `redis${major}` : `redis${major}.x`;
}
