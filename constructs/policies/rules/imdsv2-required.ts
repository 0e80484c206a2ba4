import { block, type PolicyRule } from '../policy-rule';

export const imdsv2Required: PolicyRule = {
  id: 'CK-EC2-IMDSV2',
  title: 'EC2 instances require IMDSv2',
  rationale: 'IMDSv1 hands instance credentials to any request an app can be tricked into making',
  fix: 'set metadata_options.http_tokens = "required"',
  resourceTypes: ['aws_instance', 'aws_launch_template'],
  check: ({ config }) => (block(config, 'metadata_options')?.http_tokens === 'required' ? undefined : 'http_tokens is not "required"'),
};
