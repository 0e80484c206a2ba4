/**
 * On an ElastiCache replication group with role-based access control, each task starter connects
 * as one broker user at most, and nothing as `default`. The kit gives workers, the exporter and
 * Flower a user each (constructs/celery/redis-users.ts): a task that holds two users' URLs holds
 * the rights of both, and the `default` user, which every user group must contain, is off, so a
 * URL without a user name (the old AUTH token) or as `default` is either refused or, where the
 * default user is on, unrestricted.
 */
import type { PolicyRule } from '../policy-rule';
import { redisCredentialReads } from './apply-order';
import { redisCredentialSecrets } from './broker-credentials';

export const brokerUsersSeparate: PolicyRule = {
  id: 'CK-BROKER-USERS-SEPARATE',
  title: "on an ElastiCache broker with users, each task starter reads one user's URL at most, and nothing connects as default",
  rationale: "a task holding two users' URLs has the rights of both; the default user is in every user group and, unless off, may run any command",
  fix: "inject only the URL of the component's own user (celery-app, celery-exporter, celery-flower), and keep the user group's default user off (access string \"off -@all\")",
  resourceTypes: ['aws_elasticache_replication_group'],
  check: () => undefined,
  checkStack: (resources) => {
    const { groups, defaultsOn, asDefault } = redisCredentialSecrets(resources);
    if (groups.length === 0) return [];
    const problems: string[] = [];
    for (const user of defaultsOn) problems.push(`its default user ${user.address} is on ("${String(user.config.access_string)}")`);
    if (asDefault.size > 0) problems.push(`${[...asDefault].join(', ')} connects as the default user (no user name, or the default user's password)`);
    for (const { starter, users } of redisCredentialReads(resources)) {
      if (users.length > 1) problems.push(`${starter.address} reads the URLs of ${users.length} broker users: ${users.join(', ')}`);
    }
    return groups.flatMap((resource) => problems.map((problem) => ({ resource, problem })));
  },
};
