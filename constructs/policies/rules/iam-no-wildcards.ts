import type { PolicyRule } from '../policy-rule';

/**
 * Actions AWS accepts only with `"Resource": "*"`, each with the reason it is needed.
 */
export const WILDCARD_RESOURCE_EXCEPTIONS: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken': 'the registry login token is account-wide; ECS needs it to pull a private image',
  'kms:*': 'a KMS key policy names its own key as "*" and is held to the account root',
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

export const iamNoWildcards: PolicyRule = {
  id: 'CK-IAM-LEAST-PRIVILEGE',
  title: 'no IAM action "*", and no resource "*" except where AWS demands it',
  rationale: 'a wildcard turns one compromised task into a compromised account',
  fix: 'name the actions and the resources (ARNs) the component needs',
  resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
  check: ({ config }) => {
    const document = JSON.parse(String(config.policy)) as { Statement: Statement[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const actions = [statement.Action ?? []].flat();
      const resources = [statement.Resource ?? []].flat();
      if (actions.some((a) => a === '*' || a.endsWith(':*'))) return `allows ${actions.join(', ')}`;
      if (resources.includes('*')) {
        const unexplained = actions.filter((a) => !(a in WILDCARD_RESOURCE_EXCEPTIONS));
        if (unexplained.length > 0) return `allows ${unexplained.join(', ')} on every resource`;
      }
    }
    return undefined;
  },
};
