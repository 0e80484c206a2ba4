/**
 * Small IAM helpers: a role for one ECS component with one inline least-privilege policy, and its name.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[] | string;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ComponentRoleProps {
  /** Role name, at most 64 characters. */
  readonly name: string;
  readonly description: string;
  /** Service principal allowed to assume the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly assumedBy: string;
  /** The only permissions the role has. Empty means none at all. */
  readonly statements: readonly PolicyStatement[];
  /** Account the role lives in; the trust policy only accepts callers on its behalf. */
  readonly accountId?: string;
}

/** A role dedicated to one component, with its permissions inline so they cannot drift apart. */
export class ComponentRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ComponentRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.name,
      description: props.description,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: props.assumedBy },
            Action: 'sts:AssumeRole',
            // Confused-deputy guard: the service may assume the role only for this account.
            ...(props.accountId === undefined ? {} : { Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } } }),
          },
        ],
      }),
    });
    if (props.statements.length > 0) {
      new IamRolePolicy(this, 'policy', {
        name: 'least-privilege',
        role: this.role.id,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: props.statements }),
      });
    }
    this.arn = this.role.arn;
  }
}

/** Role names are capped at 64 characters; keep the distinctive tail when trimming. */
export function roleName(...parts: string[]): string {
  const name = parts.join('-');
  return name.length <= 64 ? name : name.slice(name.length - 64);
}
