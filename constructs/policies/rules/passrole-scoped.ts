import type { PolicyRule } from '../policy-rule';
import { allowStatements, type PolicyStatement } from './iam-no-wildcards';

/** The condition operators that pin iam:PassedToService to named services. */
const PINNING_OPERATORS = ['StringEquals', 'StringLike'];

function namesPassedToService(statement: PolicyStatement): boolean {
  return PINNING_OPERATORS.some((operator) => statement.Condition?.[operator]?.['iam:PassedToService'] !== undefined);
}

/**
 * An iam:PassRole grant without iam:PassedToService lets the holder hand the role to any service
 * (a Lambda, an EC2 instance) and act as it there. AWS's own managed policy for scheduled ECS tasks
 * pins it with `"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html).
 */
export const passroleScoped: PolicyRule = {
  id: 'CK-IAM-PASSROLE-SCOPED',
  title: 'iam:PassRole names the service the role may be passed to',
  rationale: 'without iam:PassedToService a role can be passed to any service and used from there',
  fix: 'add "Condition": {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}} to the statement',
  resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
  check: ({ config }) => {
    for (const { actions, ...statement } of allowStatements(config)) {
      const passes = actions.some((a) => ['iam:passrole', 'iam:*', '*', 'iam:pass*'].includes(a.toLowerCase()));
      if (passes && !namesPassedToService(statement)) return `allows ${actions.join(', ')} without an iam:PassedToService condition`;
    }
    return undefined;
  },
};
