import type { PolicyRule } from '../policy-rule';

export const logRetention: PolicyRule = {
  id: 'CK-LOG-RETENTION',
  title: 'log groups have a retention',
  rationale: 'logs kept forever cost money and keep personal data longer than anyone decided',
  fix: 'set retention_in_days',
  resourceTypes: ['aws_cloudwatch_log_group'],
  check: ({ config }) => (Number(config.retention_in_days ?? 0) > 0 ? undefined : 'retention_in_days is not set'),
};
