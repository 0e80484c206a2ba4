/**
 * The two roles of one ECS component: the execution role ECS uses to start it (pull its image,
 * write its log group, inject exactly its secrets) and the task role its code runs with (only
 * what the component itself calls). Named `<stack>-<component>-exec` and `-task`.
 */
import { Construct } from 'constructs';
import { executionBaseStatements } from './app-container';
import { ComponentRole, roleName, type PolicyStatement } from './iam';

export interface EcsTaskRolesProps {
  readonly stackId: string;
  readonly accountId?: string;
  /** Component name, e.g. a pool name, `exporter`, `flower`. */
  readonly component: string;
  /** What the component is, for role descriptions. */
  readonly purpose: string;
  readonly logGroupArn: string;
  readonly image: string;
  /** Secrets ECS injects into the containers: ARNs the execution role may read. */
  readonly injectedSecretArns: readonly string[];
  /**
   * What else starting the component needs, e.g. kms:Decrypt on the customer keys of its secrets.
   * @default none: the kit's own secrets use the AWS managed key, which needs no grant
   */
  readonly executionStatements?: readonly PolicyStatement[];
  /** Everything the component's own code may do; empty means no AWS permissions at all. */
  readonly taskStatements: readonly PolicyStatement[];
}

export class EcsTaskRoles extends Construct {
  readonly execution: ComponentRole;
  readonly task: ComponentRole;

  constructor(scope: Construct, id: string, props: EcsTaskRolesProps) {
    super(scope, id);
    const common = { assumedBy: 'ecs-tasks.amazonaws.com', ...(props.accountId === undefined ? {} : { accountId: props.accountId }) };
    this.execution = new ComponentRole(this, 'execution', {
      ...common,
      name: roleName(props.stackId, props.component, 'exec'),
      description: `celerykit ${props.stackId}: starts ${props.purpose} (image, logs, its secrets)`,
      statements: [
        ...executionBaseStatements(props.logGroupArn, props.image),
        ...(props.injectedSecretArns.length === 0
          ? []
          : [{ Sid: 'InjectSecrets', Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue'], Resource: [...props.injectedSecretArns] }]),
        ...(props.executionStatements ?? []),
      ],
    });
    this.task = new ComponentRole(this, 'task', {
      ...common,
      name: roleName(props.stackId, props.component, 'task'),
      description: `celerykit ${props.stackId}: ${props.purpose}${props.taskStatements.length === 0 ? ' (no AWS permissions)' : ''}`,
      statements: props.taskStatements,
    });
  }
}
