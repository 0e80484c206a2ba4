import { blocks, type PolicyRule } from '../policy-rule';

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const CREDENTIALS_IN_URL = /[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i;

function findPlainSecret(variables: Array<{ name?: string; value?: unknown }>): string | undefined {
  for (const v of variables) {
    const value = String(v.value ?? '');
    if (v.value === undefined) continue;
    if (v.name !== undefined && SECRET_NAME.test(v.name) && !/^\$\{/.test(value)) return `variable ${v.name} holds a plain value`;
    if (CREDENTIALS_IN_URL.test(value)) return `${v.name ? `variable ${v.name}` : 'a value'} holds a URL with credentials`;
  }
  return undefined;
}

export const noPlainSecrets: PolicyRule = {
  id: 'CK-SECRETS-NOT-PLAIN',
  title: 'no secret in plain environment, metadata or tags',
  rationale: 'plain values are readable by anyone who can describe the task, VM or resource',
  fix: 'keep the value in the cloud secret store and inject it as a secret',
  resourceTypes: ['*'],
  check: ({ type, config }) => {
    const tags = { ...((config.tags ?? {}) as Record<string, string>), ...((config.labels ?? {}) as Record<string, string>) };
    const tagProblem = findPlainSecret(Object.entries(tags).map(([name, value]) => ({ name, value })));
    if (tagProblem) return tagProblem.replace('variable', 'tag');
    if (type === 'aws_ecs_task_definition') {
      const containers = JSON.parse(String(config.container_definitions)) as Array<{ environment?: Array<{ name: string; value: string }> }>;
      return findPlainSecret(containers.flatMap((c) => c.environment ?? []));
    }
    if (type === 'aws_instance' || type === 'aws_launch_template') {
      return findPlainSecret([{ name: 'user_data', value: config.user_data }]);
    }
    if (type === 'google_compute_instance_template') {
      return findPlainSecret(Object.entries((config.metadata ?? {}) as Record<string, string>).map(([name, value]) => ({ name, value })));
    }
    if (type === 'google_cloud_run_v2_job' || type === 'google_cloud_run_v2_service') {
      const template = (config.template ?? {}) as Record<string, unknown>;
      const inner = (type === 'google_cloud_run_v2_job' ? (template.template as Record<string, unknown>) : template) ?? {};
      return findPlainSecret(blocks(inner, 'containers').flatMap((c) => (c.env as Array<{ name: string; value?: string }>) ?? []));
    }
    return undefined;
  },
};
