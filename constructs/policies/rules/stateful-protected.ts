import { STATE_PROTECTED_RULE_ID } from '../../../spec/defaults';
import { DELETION_PROTECTION_ARGUMENT } from '../../celery/deletion-protection';
import { block, isTrue, type PolicyRule } from '../policy-rule';

/** Resources whose loss loses tasks or credentials. */
export const STATEFUL_TYPES = [
  'aws_elasticache_replication_group',
  'aws_mq_broker',
  'aws_secretsmanager_secret',
  'google_memorystore_instance',
  'google_secret_manager_secret',
];

export const statefulProtected: PolicyRule = {
  id: STATE_PROTECTED_RULE_ID,
  title: 'stateful resources refuse destroy',
  rationale: 'a broker or secret deleted by a bad plan takes queued tasks or credentials with it',
  fix: 'set lifecycle.prevent_destroy (and the cloud deletion protection where it exists)',
  resourceTypes: STATEFUL_TYPES,
  check: ({ type, config }) => {
    if (!isTrue(block(config, 'lifecycle')?.prevent_destroy)) return 'lifecycle.prevent_destroy is not set';
    const argument = DELETION_PROTECTION_ARGUMENT[type];
    if (argument !== undefined && !isTrue(config[argument])) return 'deletion protection is off';
    return undefined;
  },
};
