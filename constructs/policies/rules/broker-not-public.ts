import type { PolicyRule } from '../policy-rule';

export const brokerNotPublic: PolicyRule = {
  id: 'CK-BROKER-PRIVATE',
  title: 'brokers are not publicly reachable',
  rationale: 'a broker on the internet is one leaked password away from running anyone\'s code in your workers',
  fix: 'set publicly_accessible = false and place the broker in private subnets',
  resourceTypes: ['aws_mq_broker'],
  check: ({ config }) => (config.publicly_accessible === false ? undefined : 'publicly_accessible is not false'),
};
