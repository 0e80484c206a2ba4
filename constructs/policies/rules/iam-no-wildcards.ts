import type { PolicyRule } from '../policy-rule';

/**
 * Actions AWS accepts only with `"Resource": "*"`, each with the reason it is needed.
 */
export const WILDCARD_RESOURCE_EXCEPTIONS: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken': 'the registry login token is account-wide; ECS needs it to pull a private image',
  'kms:*': 'a KMS key policy names its own key as "*" and is held to the account root',
};

export interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The Allow statements of an aws_iam_role_policy or aws_iam_policy, with Action as a list. */
export function allowStatements(config: Record<string, unknown>): (PolicyStatement & { actions: string[] })[] {
  const document = JSON.parse(String(config.policy)) as { Statement: PolicyStatement[] };
  return document.Statement.filter((s) => s.Effect === 'Allow').map((s) => ({ ...s, actions: [s.Action ?? []].flat() }));
}

export const iamNoWildcards: PolicyRule = {
  id: 'CK-IAM-LEAST-PRIVILEGE',
  title: 'no IAM action "*", and no resource "*" except where AWS demands it',
  rationale: 'a wildcard turns one compromised task into a compromised account',
  fix: 'name the actions and the resources (ARNs) the component needs',
  resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
  check: ({ config }) => {
    for (const statement of allowStatements(config)) {
      const actions = statement.actions;
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
