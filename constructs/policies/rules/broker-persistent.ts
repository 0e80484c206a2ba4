import { block, type PolicyRule } from '../policy-rule';

export const brokerPersistent: PolicyRule = {
  id: 'CK-BROKER-PERSISTENT',
  title: 'Redis brokers keep backups or persistence',
  rationale: 'without snapshots or AOF, losing every node loses every queued task',
  fix: 'keep snapshot_retention_limit >= 1 (ElastiCache) or AOF/RDB persistence (Memorystore)',
  resourceTypes: ['aws_elasticache_replication_group', 'google_memorystore_instance'],
  check: ({ type, config }) => {
    if (type === 'aws_elasticache_replication_group') return Number(config.snapshot_retention_limit ?? 0) >= 1 ? undefined : 'no daily snapshots are kept';
    const mode = block(config, 'persistence_config')?.mode;
    return mode === 'AOF' || mode === 'RDB' ? undefined : `persistence is ${String(mode ?? 'off')}`;
  },
};
