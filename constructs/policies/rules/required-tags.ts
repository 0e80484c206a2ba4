import { blocks, type PolicyRule } from '../policy-rule';

export const REQUIRED_TAGS = ['customer', 'environment', 'managed-by'];

export const requiredTags: PolicyRule = {
  id: 'CK-TAGS',
  title: 'every resource carries customer, environment and managed-by',
  rationale: 'cost reports, incident triage and cleanup all start from these three tags',
  fix: 'set them once as the provider default tags (AWS) or default labels (GCP)',
  resourceTypes: ['aws_provider', 'google_provider'],
  check: ({ type, config }) => {
    const tags = type === 'aws_provider' ? (blocks(config, 'default_tags')[0]?.tags as Record<string, string> | undefined) : (config.default_labels as Record<string, string> | undefined);
    const missing = REQUIRED_TAGS.filter((t) => !tags?.[t]);
    return missing.length > 0 ? `default tags lack ${missing.join(', ')}` : undefined;
  },
};
