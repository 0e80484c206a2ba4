/**
 * Creates the components' RabbitMQ users on Amazon MQ at apply time, as the only reader of the
 * administrator's credentials: a one-task ECS service whose first container runs the bootstrap
 * (constructs/celery/rabbitmq-users.ts) against the management API and exits, and whose second,
 * a shell that only waits, starts once the first has exited 0 (container dependency SUCCESS,
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ecs/aws.sdk.kotlin.services.ecs.model/-container-dependency/condition.html).
 * The service reaches steady state, which terraform waits for, only after the users exist; every
 * component that connects to the broker is created after this service (EcsStartPrerequisites
 * `brokerUsers`, checked by CK-ORDER-BROKER-USERS). A failed bootstrap never starts the waiting
 * container, so the deployment does not reach steady state and the apply fails.
 *
 * Why a service and not a one-off task: Terraform has no resource that runs an ECS task once and
 * waits for it, and the kit keeps to the aws provider alone. Reruns are safe (PUTs), and a new
 * password is a new secret version, which this task definition names, so a rotation redeploys it.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { IMAGES } from '../celery/images';
import { BOOTSTRAP_VARIABLES, bootstrapUsersJson, RABBITMQ_USERS_BOOTSTRAP, type RabbitmqUser, type RabbitmqUserRole } from '../celery/rabbitmq-users';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import type { ManagedSecret } from './managed-secret';
import { RABBITMQ_MANAGEMENT_PORT } from './rabbitmq-broker';
import { EcsTaskRoles } from './task-roles';

export const BROKER_USERS_CONTAINER = 'create-users';

export interface AwsRabbitmqUsersBootstrapProps {
  readonly spec: DeploymentSpec;
  readonly users: readonly RabbitmqUser[];
  readonly vpcId: string;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly startsAfter: EcsStartPrerequisites;
  /** The broker's group: admits the bootstrap on the management port only. */
  readonly brokerSecurityGroupId: string;
  /** The administrator's `{username, password}` secret. */
  readonly adminSecret: ManagedSecret;
  /** Each user's broker URL secret: where its password comes from. */
  readonly userUrlSecrets: Readonly<Record<RabbitmqUserRole, ManagedSecret>>;
}

export class AwsRabbitmqUsersBootstrap extends Construct {
  readonly service: EcsService;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: AwsRabbitmqUsersBootstrapProps) {
    super(scope, id);
    const { spec } = props;
    const stack = spec.stackId;
    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/celerykit/${stack}/broker-users`, retentionInDays: 30 });

    // Its own group: the management API (443) on the broker, and HTTPS out for its image and AWS
    // APIs, like every component; it never speaks AMQP.
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: `${stack}-broker-users`,
      description: `celerykit ${stack}: broker users bootstrap (RabbitMQ management API only)`,
      vpcId: props.vpcId,
      tags: { Name: `${stack}-broker-users` },
      lifecycle: { createBeforeDestroy: true },
    });
    const port = { ipProtocol: 'tcp', fromPort: RABBITMQ_MANAGEMENT_PORT, toPort: RABBITMQ_MANAGEMENT_PORT };
    new VpcSecurityGroupIngressRule(this, 'broker-from-bootstrap', { securityGroupId: props.brokerSecurityGroupId, referencedSecurityGroupId: this.securityGroup.id, ...port, description: 'broker users bootstrap to the management API' });
    const toBroker = new VpcSecurityGroupEgressRule(this, 'to-broker', { securityGroupId: this.securityGroup.id, referencedSecurityGroupId: props.brokerSecurityGroupId, ...port, description: 'to the broker management API' });
    new VpcSecurityGroupEgressRule(this, 'egress', {
      securityGroupId: this.securityGroup.id,
      ...port,
      cidrIpv4: '0.0.0.0/0',
      description: 'HTTPS through NAT: the image registry and AWS APIs without an endpoint',
      dependsOn: [toBroker],
    });

    const userSecrets = props.users.map((u) => ({ name: u.urlVariable, secret: props.userUrlSecrets[u.role] }));
    const secrets = [{ name: BOOTSTRAP_VARIABLES.admin, valueFrom: props.adminSecret.arn }, ...userSecrets.map((s) => ({ name: s.name, valueFrom: s.secret.arn }))];
    const roles = new EcsTaskRoles(this, 'roles', {
      stackId: stack,
      accountId: spec.accountId,
      component: 'broker-users',
      purpose: 'the broker users bootstrap (RabbitMQ administrator)',
      logGroupArn: logs.arn,
      image: IMAGES.flower,
      injectedSecretArns: secrets.map((s) => s.valueFrom),
      taskStatements: [],
    });

    const task = fargateTaskDefinition(this, 'task', {
      family: `${stack}-broker-users`,
      cpu: 0.25,
      memory: 512,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      containers: [
        {
          name: BROKER_USERS_CONTAINER,
          // The pinned Flower image: Python 3 with the standard library is all the bootstrap needs.
          image: IMAGES.flower,
          essential: false,
          entryPoint: ['python3', '-c'],
          command: [RABBITMQ_USERS_BOOTSTRAP],
          environment: [
            { name: BOOTSTRAP_VARIABLES.users, value: bootstrapUsersJson(props.users) },
            // A rotated password is a new version: naming the versions makes the rotation a new
            // task definition, so terraform redeploys this service and the bootstrap sets it.
            { name: 'CREDENTIAL_VERSIONS', value: [props.adminSecret, ...userSecrets.map((s) => s.secret)].map((s) => s.version.versionId).join(',') },
          ],
          secrets,
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'bootstrap'),
        },
        {
          name: 'done',
          image: IMAGES.busybox,
          essential: true,
          dependsOn: [{ containerName: BROKER_USERS_CONTAINER, condition: 'SUCCESS' }],
          // Waits, and exits at once on SIGTERM (a deploy or scale-in stops it without the 30 s kill).
          command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 3600 & wait $!; done'],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'done'),
        },
      ],
    });

    this.service = privateFargateService(this, 'service', {
      name: 'broker-users',
      clusterArn: props.clusterArn,
      task,
      startsAfter: props.startsAfter,
      subnetIds: props.subnetIds,
      securityGroupId: this.securityGroup.id,
      desiredCount: 1,
      // One bootstrap at a time: two would race on the same PUTs (harmless, but noisy logs).
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
  }
}
