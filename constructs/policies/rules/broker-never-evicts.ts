import { blocks, type PolicyRule } from '../policy-rule';

export const brokerNeverEvicts: PolicyRule = {
  id: 'CK-BROKER-NOEVICTION',
  title: 'a Redis broker never evicts keys',
  rationale: 'an evicted key is a lost queue of tasks; a full broker must refuse writes instead',
  fix: 'set maxmemory-policy to noeviction',
  resourceTypes: ['aws_elasticache_parameter_group', 'google_memorystore_instance'],
  check: ({ type, config }) => {
    const policy =
      type === 'aws_elasticache_parameter_group'
        ? blocks(config, 'parameter').find((p) => p.name === 'maxmemory-policy')?.value
        : (config.engine_configs as Record<string, string> | undefined)?.['maxmemory-policy'];
    return policy === 'noeviction' ? undefined : `maxmemory-policy is ${String(policy ?? 'the engine default')}`;
  },
};
