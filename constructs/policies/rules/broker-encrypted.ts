import { block, isTrue, type PolicyRule } from '../policy-rule';

export const brokerEncrypted: PolicyRule = {
  id: 'CK-BROKER-ENCRYPTED',
  title: 'brokers encrypt in transit and at rest',
  rationale: 'task arguments often carry personal data and credentials',
  fix: 'keep the kit broker constructs, which turn encryption on; do not override it',
  resourceTypes: ['aws_elasticache_replication_group', 'aws_mq_broker', 'google_memorystore_instance'],
  check: ({ type, config }) => {
    if (type === 'aws_elasticache_replication_group') {
      if (!isTrue(config.at_rest_encryption_enabled)) return 'encryption at rest is off';
      if (!isTrue(config.transit_encryption_enabled)) return 'encryption in transit is off';
    }
    if (type === 'aws_mq_broker' && block(config, 'encryption_options')?.use_aws_owned_key === false && !block(config, 'encryption_options')?.kms_key_id) {
      return 'encryption at rest has no key';
    }
    if (type === 'google_memorystore_instance' && config.transit_encryption_mode !== 'SERVER_AUTHENTICATION') return 'in-transit encryption is off';
    return undefined;
  },
};
