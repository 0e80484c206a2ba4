import type { PolicyRule } from '../policy-rule';

export const containersNotPrivileged: PolicyRule = {
  id: 'CK-COMPUTE-UNPRIVILEGED',
  title: 'containers are not privileged',
  rationale: 'a privileged container owns its host; task code never needs that',
  fix: 'remove privileged: true from the container definition',
  resourceTypes: ['aws_ecs_task_definition'],
  check: ({ config }) => {
    const containers = JSON.parse(String(config.container_definitions)) as Array<{ name: string; privileged?: boolean }>;
    const privileged = containers.filter((c) => c.privileged === true).map((c) => c.name);
    return privileged.length > 0 ? `container ${privileged.join(', ')} is privileged` : undefined;
  },
};
