/**
 * Every policy rule against fixtures built here on purpose: one table of {rule, compliant,
 * violating}, where the compliant build yields no violation and each violating build exactly the
 * expected line.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { MemorystoreInstance } from '@cdktf/provider-google/lib/memorystore-instance';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import { App, TerraformStack } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStackPolicies, formatViolation } from '../../../constructs/policies/policy-aspect';
import { POLICY_RULES } from '../../../constructs/policies/rules';
import { cloudRunStack, ecsServiceStack, scheduleStack, vmTemplateStack, type Prerequisite } from './apply-order-fixture';
import { apiOrderedStack, secretReadingTemplate } from './gcp-apply-order-fixture';
import { brokerClientStack } from './gcp-reachability-fixture';
import { redisUsersStack } from './redis-users-fixture';
import { reachabilityNetwork } from './reachability-fixture';
import { ownUsersStack, sharedAdminStack } from './broker-users-fixture';
import { frontDoor, type FrontDoorBreaks } from './ui-front-door-fixture';

const TAGS = { customer: 'acme', environment: 'prod', 'managed-by': 'celerykit' };

/** Violations of one rule in a stack holding what `build` adds. */
function violations(ruleId: string, build: (stack: TerraformStack) => void, cloud: 'aws' | 'gcp' = 'aws', tags: Record<string, string> = TAGS): string[] {
  const app = new App({ outdir: '/tmp/celerykit-policy-tests' });
  const stack = new TerraformStack(app, 'policy-test');
  if (cloud === 'aws') new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags }] });
  else new GoogleProvider(stack, 'google', { project: 'p', region: 'europe-west1' }).addOverride('default_labels', tags);
  build(stack);
  return checkStackPolicies(stack, 'policy-test', [])
    .violations.filter((v) => v.rule.id === ruleId)
    .map(formatViolation);
}

const trackingPolicy = (stack: TerraformStack, expression: string) =>
  new AppautoscalingPolicy(stack, 'policy', {
    name: 'p',
    policyType: 'TargetTrackingScaling',
    resourceId: 'service/c/s',
    scalableDimension: 'ecs:service:DesiredCount',
    serviceNamespace: 'ecs',
    targetTrackingScalingPolicyConfiguration: {
      targetValue: 1,
      customizedMetricSpecification: {
        metrics: [
          { id: 'workers', metricStat: { metric: { namespace: 'Celery/acme-prod', metricName: 'celerykit_pool_workers', dimensions: [{ name: 'pool', value: 'ml' }] }, stat: 'Maximum' }, returnData: false },
          { id: 'running', metricStat: { metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: [{ name: 'ServiceName', value: 's' }] }, stat: 'Average' }, returnData: false },
          { id: 'ratio', expression, returnData: true },
        ],
      },
    },
  });
const container = (extra: Record<string, unknown> = {}) => JSON.stringify([{ name: 'app', image: 'i:1', essential: true, ...extra }]);
const task = (stack: TerraformStack, extra: Record<string, unknown> = {}) =>
  new EcsTaskDefinition(stack, 'task', { family: 'f', containerDefinitions: container(extra) });
const redis = (stack: TerraformStack, overrides: Record<string, unknown> = {}) =>
  new ElasticacheReplicationGroup(stack, 'redis', {
    replicationGroupId: 'r',
    description: 'd',
    atRestEncryptionEnabled: 'true',
    transitEncryptionEnabled: true,
    snapshotRetentionLimit: 7,
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
const memorystore = (stack: TerraformStack, overrides: Record<string, unknown> = {}) =>
  new MemorystoreInstance(stack, 'valkey', {
    instanceId: 'v',
    location: 'europe-west1',
    shardCount: 1,
    transitEncryptionMode: 'SERVER_AUTHENTICATION',
    persistenceConfig: { mode: 'AOF' },
    deletionProtectionEnabled: true,
    engineConfigs: { x: 'y' },
    lifecycle: { preventDestroy: true },
    ...overrides,
  }).addOverride('engine_configs', { 'maxmemory-policy': (overrides.policy as string) ?? 'noeviction' });
const template = (stack: TerraformStack, overrides: Record<string, unknown> = {}, metadata: Record<string, string> = {}) =>
  new ComputeInstanceTemplate(stack, 'template', {
    machineType: 'e2-small',
    disk: [{ sourceImage: 'cos-cloud/cos-stable', boot: true }],
    networkInterface: [{ subnetwork: 's' }],
    shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
    metadata: { 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE', ...metadata },
    ...overrides,
  });
const listener = (stack: TerraformStack, protocol: 'HTTP' | 'HTTPS', action: Record<string, unknown>, sslPolicy?: string) =>
  new LbListener(stack, `listener-${protocol}`, { loadBalancerArn: 'arn', port: protocol === 'HTTP' ? 80 : 443, protocol, sslPolicy, defaultAction: [action as never] });

const OIDC = { issuer: 'https://i', authorizationEndpoint: 'https://a', tokenEndpoint: 'https://t', userInfoEndpoint: 'https://u', clientId: 'c', clientSecret: 's' };

const REACHABILITY_FIX = "Fix: pair every ingress from a group with that group's egress, admit every task group to the interface endpoints on 443, and limit egress to the broker port, 443 and named ranges.";
const REACHABILITY_TITLE = 'CK-NET-REACHABILITY each component can reach what it needs, and its egress allows no more';
const REACHABILITY_EXPECTED = {
  openEgress: `policy-test: aws_vpc_security_group_egress_rule.workers-https (policy-test/workers-https): ${REACHABILITY_TITLE}: allows all traffic to 0.0.0.0/0. ${REACHABILITY_FIX}`,
  endpointClosed: `policy-test: aws_vpc_endpoint.logs (policy-test/logs): ${REACHABILITY_TITLE}: resolves com.amazonaws.eu-west-1.logs for the whole VPC but does not admit workers (used by aws_ecs_service.workers-service) on 443. ${REACHABILITY_FIX}`,
  noBrokerEgress: `policy-test: aws_vpc_security_group_ingress_rule.broker-from-workers (policy-test/broker-from-workers): ${REACHABILITY_TITLE}: admits workers on 6379, but that group's egress does not allow 6379 to broker. ${REACHABILITY_FIX}`,
  noIdpEgress: `policy-test: aws_lb.lb (policy-test/lb): ${REACHABILITY_TITLE}: authenticates with OIDC but its groups allow no 443 out to the IdP. ${REACHABILITY_FIX}`,
  noApiEgress: `policy-test: aws_ecs_service.workers-service (policy-test/workers-service): ${REACHABILITY_TITLE}: its group workers has no egress on 443 to AWS APIs (through NAT or the interface endpoints). ${REACHABILITY_FIX}`,
  unadmittedEgress: `policy-test: aws_vpc_security_group_egress_rule.workers-to-broker-6380 (policy-test/workers-to-broker-6380): ${REACHABILITY_TITLE}: allows TCP 6380 to broker, which does not admit workers. ${REACHABILITY_FIX}`,
  smtpAnywhere: `policy-test: aws_vpc_security_group_egress_rule.workers-smtp (policy-test/workers-smtp): ${REACHABILITY_TITLE}: allows TCP 25 to anywhere; only 443 may go to the internet. ${REACHABILITY_FIX}`,
  noBrokerPath: `policy-test: aws_ecs_service.workers-service (policy-test/workers-service): ${REACHABILITY_TITLE}: its tasks read aws_secretsmanager_secret.broker-url, a rediss URL of aws_elasticache_replication_group.redis, but the broker's group admits none of its groups (workers) on 6379. ${REACHABILITY_FIX}`,
  portRangeToRange: `policy-test: aws_vpc_security_group_egress_rule.workers-db (policy-test/workers-db): ${REACHABILITY_TITLE}: allows TCP 5432-5433 to 10.1.0.0/16. ${REACHABILITY_FIX}`,
};

const LB_ONLY = "CK-UI-LB-ONLY a service behind a load balancer is reachable from that load balancer only";
const LB_ONLY_FIX = 'Fix: admit only the load balancer security group into the service groups, on the target port.';
const GATED = 'CK-UI-GATED a UI behind an OIDC load balancer is reached through the identity gate only';
const GATED_FIX = "Fix: target the task's identity gate container (albIdentityGateContainer), publish no other port, and give Flower's gate a list of groups.";
/** A worker VM's startup script as container-vm-scripts.ts writes it, with the given soft shutdown seconds. */
const WORKER_STARTUP = (soft: string) =>
  [
    "printf '%s\\n' 'REMAP_SIGTERM=SIGQUIT' >> /run/celerykit/env",
    `printf '%s\\n' 'CELERYKIT_SOFT_SHUTDOWN_SECONDS=${soft}' >> /run/celerykit/env`,
    "docker run -d --name worker --stop-timeout 25 --env-file /run/celerykit/env 'img' 'celery' '-A' 'm' 'worker' '-Q' 'q'",
  ].join('\n');

type Build = (stack: TerraformStack) => void;

/** One rule against one kind of stack: the compliant build, and builds that break it one way each. */
interface RuleFixture {
  readonly rule: string;
  readonly cloud?: 'aws' | 'gcp';
  /** What the builds make, for the test names. */
  readonly on: string;
  /** Passes the rule with no violation. */
  readonly compliant: Build;
  /** Each build the rule names in exactly the expected line. */
  readonly violating: ReadonlyArray<{ readonly breaks: string; readonly build: Build; readonly expected: string }>;
}

/** One ECS service stack per apply-order rule, with that rule's prerequisite left out of depends_on. */
const orderFixture = (rule: string, without: Prerequisite, expected: string): RuleFixture => ({
  rule,
  on: 'an ECS service with its prerequisites',
  compliant: (s) => ecsServiceStack(s),
  violating: [{ breaks: `no ${without} prerequisite in depends_on`, build: (s) => ecsServiceStack(s, without), expected }],
});

/** The OIDC front door (ui-front-door-fixture.ts), broken one way per case. */
const frontDoorFixture = (rule: string, breaks: ReadonlyArray<readonly [keyof FrontDoorBreaks, string]>): RuleFixture => ({
  rule,
  on: 'the OIDC front door',
  compliant: (s) => frontDoor(s),
  violating: breaks.map(([broken, expected]) => ({ breaks: broken, build: (s: TerraformStack) => frontDoor(s, { [broken]: true }), expected })),
});

const FRONT_DOOR_FIXTURES: RuleFixture[] = [
  frontDoorFixture('CK-COMPUTE-NO-PUBLIC-IP', [['publicIp', 'policy-test: aws_ecs_service.service (policy-test/service): CK-COMPUTE-NO-PUBLIC-IP workers and services get no public IP: assign_public_ip is true. Fix: use private subnets, assign_public_ip = false, no access_config.']]),
  frontDoorFixture('CK-UI-LB-ONLY', [
    ['otherPeer', `policy-test: aws_vpc_security_group_ingress_rule.flower-from-workers (policy-test/flower-from-workers): ${LB_ONLY}: admits workers into flower (group of aws_ecs_service.service), which is not a load balancer's group. ${LB_ONLY_FIX}`],
    ['portRange', `policy-test: aws_vpc_security_group_ingress_rule.flower-from-alb (policy-test/flower-from-alb): ${LB_ONLY}: admits the load balancer into flower (group of aws_ecs_service.service) on 5555-5600, not only the target port 5555. ${LB_ONLY_FIX}`],
  ]),
  frontDoorFixture('CK-UI-GATED', [
    ['targetsUi', `policy-test: aws_ecs_service.service (policy-test/service): ${GATED}: the OIDC load balancer targets container flower, which is not the identity gate. ${GATED_FIX}`],
    ['uiPort', `policy-test: aws_ecs_service.service (policy-test/service): ${GATED}: container flower publishes a port beside the identity gate. ${GATED_FIX}`],
    ['flowerOpen', `policy-test: aws_ecs_service.service (policy-test/service): ${GATED}: runs Flower, but its identity gate admits anyone the IdP signs in (GATE_ALLOWED_GROUPS is not a list of groups). ${GATED_FIX}`],
  ]),
];

const FIXTURES: RuleFixture[] = [
  {
    rule: 'CK-BROKER-ENCRYPTED',
    on: 'an ElastiCache replication group',
    compliant: (s) => redis(s),
    violating: [{ breaks: 'encryption in transit turned off', build: (s) => redis(s, { transitEncryptionEnabled: false }), expected: 'policy-test: aws_elasticache_replication_group.redis (policy-test/redis): CK-BROKER-ENCRYPTED brokers encrypt in transit and at rest: encryption in transit is off. Fix: keep the kit broker constructs, which turn encryption on; do not override it.' }],
  },
  {
    rule: 'CK-BROKER-PRIVATE',
    on: 'an Amazon MQ broker',
    compliant: (s) => new MqBroker(s, 'mq', { brokerName: 'b', engineType: 'RabbitMQ', engineVersion: '3.13', hostInstanceType: 'mq.m5.large', publiclyAccessible: false, user: [{ username: 'u', password: 'p' }], lifecycle: { preventDestroy: true } }),
    violating: [{ breaks: 'public access', build: (s) => new MqBroker(s, 'mq', { brokerName: 'b', engineType: 'RabbitMQ', engineVersion: '3.13', hostInstanceType: 'mq.m5.large', publiclyAccessible: true, user: [{ username: 'u', password: 'p' }], lifecycle: { preventDestroy: true } }), expected: "policy-test: aws_mq_broker.mq (policy-test/mq): CK-BROKER-PRIVATE brokers are not publicly reachable: publicly_accessible is not false. Fix: set publicly_accessible = false and place the broker in private subnets." }],
  },
  {
    rule: 'CK-NET-NO-OPEN-INGRESS',
    on: 'an ingress rule from anywhere',
    compliant: (s) => new VpcSecurityGroupIngressRule(s, 'in', { securityGroupId: 'sg', cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 443, toPort: 443 }),
    violating: [{ breaks: 'a port other than 80 and 443', build: (s) => new VpcSecurityGroupIngressRule(s, 'in', { securityGroupId: 'sg', cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 6379, toPort: 6379 }), expected: 'policy-test: aws_vpc_security_group_ingress_rule.in (policy-test/in): CK-NET-NO-OPEN-INGRESS no ingress from anywhere, except the SSO load balancer on 80/443: admits 0.0.0.0/0 on 6379-6379. Fix: admit a security group or network tag instead of an address range.' }],
  },
  {
    rule: 'CK-BROKER-NOEVICTION',
    on: 'an ElastiCache parameter group',
    compliant: (s) => new ElasticacheParameterGroup(s, 'params', { name: 'p', family: 'valkey8', parameter: [{ name: 'maxmemory-policy', value: 'noeviction' }] }),
    violating: [{ breaks: 'an evicting maxmemory-policy', build: (s) => new ElasticacheParameterGroup(s, 'params', { name: 'p', family: 'valkey8', parameter: [{ name: 'maxmemory-policy', value: 'allkeys-lru' }] }), expected: 'policy-test: aws_elasticache_parameter_group.params (policy-test/params): CK-BROKER-NOEVICTION a Redis broker never evicts keys: maxmemory-policy is allkeys-lru. Fix: set maxmemory-policy to noeviction.' }],
  },
  {
    rule: 'CK-SCALING-HOLDS-ON-MISSING-DATA',
    on: 'a target-tracking scaling policy',
    compliant: (s) => trackingPolicy(s, 'workers / IF(FILL(running, 0) < 1, 1, FILL(running, 0))'),
    violating: [{ breaks: 'the Celery metric filled with 0', build: (s) => trackingPolicy(s, 'FILL(workers, 0) / IF(FILL(running, 0) < 1, 1, FILL(running, 0))'), expected: 'policy-test: aws_appautoscaling_policy.policy (policy-test/policy): CK-SCALING-HOLDS-ON-MISSING-DATA scaling holds when the Celery metric is missing: ratio fills the Celery metric workers (FILL(workers, ...)). Fix: leave the Celery metric unfilled in the metric math (FILL only the running-task count).' }],
  },
  {
    rule: 'CK-STATE-PROTECTED',
    on: 'a Secrets Manager secret',
    compliant: (s) => new SecretsmanagerSecret(s, 'secret', { name: 'x', lifecycle: { preventDestroy: true } }),
    violating: [{ breaks: 'no prevent_destroy', build: (s) => new SecretsmanagerSecret(s, 'secret', { name: 'x' }), expected: 'policy-test: aws_secretsmanager_secret.secret (policy-test/secret): CK-STATE-PROTECTED stateful resources refuse destroy: lifecycle.prevent_destroy is not set. Fix: set lifecycle.prevent_destroy (and the cloud deletion protection where it exists).' }],
  },
  {
    rule: 'CK-BROKER-PERSISTENT',
    cloud: 'gcp',
    on: 'a Memorystore instance',
    compliant: (s) => memorystore(s),
    violating: [{ breaks: 'persistence disabled', build: (s) => memorystore(s, { persistenceConfig: { mode: 'DISABLED' } }), expected: 'policy-test: google_memorystore_instance.valkey (policy-test/valkey): CK-BROKER-PERSISTENT Redis brokers keep backups or persistence: persistence is DISABLED. Fix: keep snapshot_retention_limit >= 1 (ElastiCache) or AOF/RDB persistence (Memorystore).' }],
  },
  {
    rule: 'CK-COMPUTE-NO-PUBLIC-IP',
    on: 'an ECS service',
    compliant: (s) => new EcsService(s, 'service', { name: 'w', networkConfiguration: { subnets: ['s'], assignPublicIp: false } }),
    violating: [{ breaks: 'a public IP', build: (s) => new EcsService(s, 'service', { name: 'w', networkConfiguration: { subnets: ['s'], assignPublicIp: true } }), expected: 'policy-test: aws_ecs_service.service (policy-test/service): CK-COMPUTE-NO-PUBLIC-IP workers and services get no public IP: assign_public_ip is true. Fix: use private subnets, assign_public_ip = false, no access_config.' },
      {
        breaks: 'a public IP given as the string "true" by an override',
        build: (s) => new EcsService(s, 'service', { name: 'w', networkConfiguration: { subnets: ['s'], assignPublicIp: false } }).addOverride('network_configuration.assign_public_ip', 'true'),
        expected: 'policy-test: aws_ecs_service.service (policy-test/service): CK-COMPUTE-NO-PUBLIC-IP workers and services get no public IP: assign_public_ip is true. Fix: use private subnets, assign_public_ip = false, no access_config.',
      },
    ],
  },
  {
    rule: 'CK-EC2-IMDSV2',
    on: 'an EC2 instance',
    compliant: (s) => new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: 'required' } }),
    violating: [{ breaks: 'IMDSv1 allowed', build: (s) => new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: 'optional' } }), expected: 'policy-test: aws_instance.vm (policy-test/vm): CK-EC2-IMDSV2 EC2 instances require IMDSv2: http_tokens is not "required". Fix: set metadata_options.http_tokens = "required".' }],
  },
  {
    rule: 'CK-GCE-HARDENED',
    cloud: 'gcp',
    on: 'a GCE instance template',
    compliant: (s) => template(s),
    violating: [{ breaks: 'OS Login off', build: (s) => template(s, {}, { 'enable-oslogin': 'FALSE' }), expected: 'policy-test: google_compute_instance_template.template (policy-test/template): CK-GCE-HARDENED VMs are Shielded VMs with OS Login and no project SSH keys: OS Login is off. Fix: enable secure boot, vTPM and integrity monitoring; set enable-oslogin TRUE and block-project-ssh-keys TRUE.' }],
  },
  {
    rule: 'CK-COMPUTE-UNPRIVILEGED',
    on: 'an ECS task definition',
    compliant: (s) => task(s, { privileged: false }),
    violating: [{ breaks: 'a privileged container', build: (s) => task(s, { privileged: true }), expected: 'policy-test: aws_ecs_task_definition.task (policy-test/task): CK-COMPUTE-UNPRIVILEGED containers are not privileged: container app is privileged. Fix: remove privileged: true from the container definition.' }],
  },
  {
    rule: 'CK-WORKER-SOFT-SHUTDOWN',
    on: 'an ECS worker task definition',
    compliant: (s) => task(s, { command: ['celery', '-A', 'm', 'worker'], stopTimeout: 120, environment: [{ name: 'REMAP_SIGTERM', value: 'SIGQUIT' }, { name: 'CELERYKIT_SOFT_SHUTDOWN_SECONDS', value: '110' }] }),
    violating: [{ breaks: 'SIGTERM left a warm shutdown', build: (s) => task(s, { command: ['celery', '-A', 'm', 'worker'], stopTimeout: 120, environment: [] }), expected: 'policy-test: aws_ecs_task_definition.task (policy-test/task): CK-WORKER-SOFT-SHUTDOWN Celery workers start a soft shutdown on SIGTERM that ends before SIGKILL: container app: SIGTERM is a warm shutdown (REMAP_SIGTERM is not SIGQUIT): a task longer than the stop window is killed and, on Redis, waits the whole visibility timeout. Fix: set the worker environment from workerShutdownEnvironment(<stop window>) (constructs/celery/worker-command.ts).' }],
  },
  {
    rule: 'CK-WORKER-SOFT-SHUTDOWN',
    cloud: 'gcp',
    on: 'a GCE worker template',
    compliant: (s) => template(s, {}, { 'startup-script': WORKER_STARTUP('15'), 'shutdown-script': 'docker stop --time 25 worker || true' }),
    violating: [{ breaks: 'a soft shutdown ending less than 10 s before SIGKILL', build: (s) => template(s, {}, { 'startup-script': WORKER_STARTUP('20'), 'shutdown-script': 'docker stop --time 25 worker || true' }), expected: 'policy-test: google_compute_instance_template.template (policy-test/template): CK-WORKER-SOFT-SHUTDOWN Celery workers start a soft shutdown on SIGTERM that ends before SIGKILL: the soft shutdown (20 s) does not end 10 s before SIGKILL (25 s after SIGTERM). Fix: set the worker environment from workerShutdownEnvironment(<stop window>) (constructs/celery/worker-command.ts).' }],
  },
  {
    rule: 'CK-LOG-RETENTION',
    on: 'a CloudWatch log group',
    compliant: (s) => new CloudwatchLogGroup(s, 'logs', { name: 'l', retentionInDays: 30 }),
    violating: [{ breaks: 'no retention', build: (s) => new CloudwatchLogGroup(s, 'logs', { name: 'l' }), expected: 'policy-test: aws_cloudwatch_log_group.logs (policy-test/logs): CK-LOG-RETENTION log groups have a retention: retention_in_days is not set. Fix: set retention_in_days.' }],
  },
  {
    rule: 'CK-IAM-LEAST-PRIVILEGE',
    on: 'an IAM role policy with a resource "*" AWS demands',
    compliant: (s) => new IamRolePolicy(s, 'policy', { role: 'r', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' }] }) }),
    violating: [{ breaks: 'a resource "*" AWS does not demand', build: (s) => new IamRolePolicy(s, 'policy', { role: 'r', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: '*' }] }) }), expected: 'policy-test: aws_iam_role_policy.policy (policy-test/policy): CK-IAM-LEAST-PRIVILEGE no IAM action "*", and no resource "*" except where AWS demands it: allows s3:PutObject on every resource. Fix: name the actions and the resources (ARNs) the component needs.' }],
  },
  {
    rule: 'CK-IAM-PASSROLE-SCOPED',
    on: 'an IAM role policy with iam:PassRole',
    compliant: (s) => new IamRolePolicy(s, 'policy', { role: 'r', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:PassRole'], Resource: 'arn:aws:iam::1:role/a', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }] }) }),
    violating: [{ breaks: 'iam:PassRole without iam:PassedToService', build: (s) => new IamRolePolicy(s, 'policy', { role: 'r', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:PassRole'], Resource: 'arn:aws:iam::1:role/a' }] }) }), expected: 'policy-test: aws_iam_role_policy.policy (policy-test/policy): CK-IAM-PASSROLE-SCOPED iam:PassRole names the service the role may be passed to: allows iam:PassRole without an iam:PassedToService condition. Fix: add "Condition": {"StringEquals": {"iam:PassedToService": "<service>.amazonaws.com"}} to the statement.' }],
  },
  {
    rule: 'CK-IAM-DEDICATED',
    on: 'two ECS task definitions',
    compliant: (s) => {
      new EcsTaskDefinition(s, 'a', { family: 'a', containerDefinitions: container(), taskRoleArn: 'arn:aws:iam::1:role/a-task', executionRoleArn: 'arn:aws:iam::1:role/a-exec' });
      new EcsTaskDefinition(s, 'b', { family: 'b', containerDefinitions: container(), taskRoleArn: 'arn:aws:iam::1:role/b-task', executionRoleArn: 'arn:aws:iam::1:role/b-exec' });
    },
    violating: [{ breaks: 'one task role shared by both', build: (s) => {
      new EcsTaskDefinition(s, 'a', { family: 'a', containerDefinitions: container(), taskRoleArn: 'arn:aws:iam::1:role/shared', executionRoleArn: 'arn:aws:iam::1:role/a-exec' });
      new EcsTaskDefinition(s, 'b', { family: 'b', containerDefinitions: container(), taskRoleArn: 'arn:aws:iam::1:role/shared', executionRoleArn: 'arn:aws:iam::1:role/b-exec' });
    }, expected: 'policy-test: aws_ecs_task_definition.b (policy-test/b): CK-IAM-DEDICATED every role and service account serves one component: runs as arn:aws:iam::1:role/shared, which aws_ecs_task_definition.a also uses. Fix: give each task definition, instance template or service its own role or service account.' }],
  },
  {
    rule: 'CK-GCP-NO-SA-KEYS',
    cloud: 'gcp',
    on: 'a GCP stack without keys',
    compliant: () => undefined,
    violating: [{ breaks: 'a service account key', build: (s) => new ServiceAccountKey(s, 'key', { serviceAccountId: 'sa' }), expected: 'policy-test: google_service_account_key.key (policy-test/key): CK-GCP-NO-SA-KEYS no service account keys: a service account key is created. Fix: attach the service account to the VM or service instead of creating a key.' }],
  },
  {
    rule: 'CK-SECRETS-NOT-PLAIN',
    on: 'an ECS task definition injecting a secret',
    compliant: (s) => task(s, { environment: [{ name: 'LOG_LEVEL', value: 'info' }], secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:eu-west-1:1:secret:db' }] }),
    violating: [{ breaks: 'a password in the plain environment', build: (s) => task(s, { environment: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }), expected: 'policy-test: aws_ecs_task_definition.task (policy-test/task): CK-SECRETS-NOT-PLAIN no secret in plain environment, metadata or tags: variable DB_PASSWORD holds a plain value. Fix: keep the value in the cloud secret store and inject it as a secret.' },
      {
        breaks: 'a URL with credentials in EC2 user data',
        build: (s) => new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', userData: 'export BROKER=amqp://celery:hunter2@10.0.0.5//', metadataOptions: { httpTokens: 'required' } }),
        expected: 'policy-test: aws_instance.vm (policy-test/vm): CK-SECRETS-NOT-PLAIN no secret in plain environment, metadata or tags: variable user_data holds a URL with credentials. Fix: keep the value in the cloud secret store and inject it as a secret.',
      },
    ],
  },
  {
    rule: 'CK-UI-SSO',
    on: 'an ALB listener rule',
    compliant: (s) => new LbListenerRule(s, 'rule', { listenerArn: 'l', condition: [{ pathPattern: { values: ['/flower/*'] } }], action: [{ type: 'authenticate-oidc', order: 1, authenticateOidc: OIDC }, { type: 'forward', order: 2, targetGroupArn: 'tg' }] }),
    violating: [{ breaks: 'a forward without authenticate-oidc first', build: (s) => new LbListenerRule(s, 'rule', { listenerArn: 'l', condition: [{ pathPattern: { values: ['/flower/*'] } }], action: [{ type: 'forward', order: 1, targetGroupArn: 'tg' }] }), expected: 'policy-test: aws_lb_listener_rule.rule (policy-test/rule): CK-UI-SSO every route to Flower or Grafana signs the user in first: forwards without authenticating first. Fix: put authenticate-oidc before each forward (AWS), enable IAP on each backend (GCP).' }],
  },
  {
    rule: 'CK-UI-SSO',
    cloud: 'gcp',
    on: 'a backend service',
    compliant: (s) => new ComputeBackendService(s, 'backend', { name: 'b', iap: { enabled: true } }),
    violating: [{ breaks: 'IAP not enabled', build: (s) => new ComputeBackendService(s, 'backend', { name: 'b' }), expected: 'policy-test: google_compute_backend_service.backend (policy-test/backend): CK-UI-SSO every route to Flower or Grafana signs the user in first: IAP is not enabled. Fix: put authenticate-oidc before each forward (AWS), enable IAP on each backend (GCP).' }],
  },
  {
    rule: 'CK-UI-INVOKER',
    cloud: 'gcp',
    on: 'a Cloud Run service invoked by IAP',
    compliant: (s) => invokedService(s, 'serviceAccount:service-${data.google_project.project.number}@gcp-sa-iap.iam.gserviceaccount.com'),
    violating: [{ breaks: 'an invoker other than IAP', build: (s) => invokedService(s, 'serviceAccount:worker@p.iam.gserviceaccount.com'), expected: 'policy-test: google_cloud_run_v2_service_iam_member.invoker (policy-test/invoker): CK-UI-INVOKER Cloud Run services behind IAP admit only IAP as their invoker: grants roles/run.invoker to serviceAccount:worker@p.iam.gserviceaccount.com. Fix: leave invoker_iam_disabled unset and grant roles/run.invoker on the service to service-PROJECT_NUMBER@gcp-sa-iap.iam.gserviceaccount.com only.' }],
  },
  {
    rule: 'CK-UI-INVOKER',
    cloud: 'gcp',
    on: 'a Cloud Run service with no invoker grant',
    compliant: (s) => invokedService(s),
    violating: [{ breaks: 'invoker IAM disabled', build: (s) => invokedService(s, undefined, true), expected: 'policy-test: google_cloud_run_v2_service.flower (policy-test/flower): CK-UI-INVOKER Cloud Run services behind IAP admit only IAP as their invoker: invoker IAM is disabled. Fix: leave invoker_iam_disabled unset and grant roles/run.invoker on the service to service-PROJECT_NUMBER@gcp-sa-iap.iam.gserviceaccount.com only.' }],
  },
  {
    rule: 'CK-UI-HTTPS',
    on: 'ALB listeners',
    compliant: (s) => listener(s, 'HTTP', { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }),
    violating: [{ breaks: 'an outdated TLS policy', build: (s) => listener(s, 'HTTPS', { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }, 'ELBSecurityPolicy-2016-08'), expected: 'policy-test: aws_lb_listener.listener-HTTPS (policy-test/listener-HTTPS): CK-UI-HTTPS the front door serves HTTPS only, with a modern TLS policy: TLS policy ELBSecurityPolicy-2016-08 is not modern. Fix: HTTP listeners only redirect to HTTPS; use a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-*, GCP MODERN or RESTRICTED).' }],
  },
  {
    rule: 'CK-NET-SUBNETS-FIT',
    on: 'a VPC with two subnets',
    compliant: (s) => subnets(s, [['10.0.0.0/18', 'eu-west-1a'], ['10.0.192.0/20', 'eu-west-1b']]),
    violating: [{ breaks: 'overlapping subnets', build: (s) => subnets(s, [['10.0.0.0/18', 'eu-west-1a'], ['10.0.48.0/20', 'eu-west-1b']]), expected: 'policy-test: aws_subnet.subnet-1 (policy-test/subnet-1): CK-NET-SUBNETS-FIT subnets lie inside their VPC, never overlap, and sit in zones of the region: 10.0.48.0/20 overlaps aws_subnet.subnet-0 (10.0.0.0/18). Fix: take the subnets from the kit address plan (spec/network-plan.ts) and the zones from spec/aws-zones.ts.' }],
  },
  {
    rule: 'CK-ORDER-SECRETS',
    cloud: 'gcp',
    on: 'a Cloud Run service reading a secret',
    compliant: (s) => cloudRunStack(s),
    violating: [{ breaks: 'the secret version missing from depends_on', build: (s) => cloudRunStack(s, true), expected: "policy-test: google_cloud_run_v2_service.run (policy-test/run): CK-ORDER-SECRETS what starts tasks is created after the value of every secret they read: its tasks read google_secret_manager_secret.secret, whose value is google_secret_manager_secret_version.value, but is not created after it: add google_secret_manager_secret_version.value to its depends_on. Fix: add the secret's version (aws_secretsmanager_secret_version, google_secret_manager_secret_version) to the service's, schedule's or template's depends_on." }],
  },
  {
    rule: 'CK-ORDER-GRANTS',
    cloud: 'gcp',
    on: 'a VM template reading a secret',
    compliant: (s) => secretReadingTemplate(s, 'granted'),
    violating: [
      { breaks: 'the grant missing from depends_on', build: (s) => secretReadingTemplate(s, 'not-waited-for'), expected: "policy-test: google_compute_instance_template.template (policy-test/template): CK-ORDER-GRANTS what reads a secret at start runs as an account granted to read it, and is created after the grant: it reads google_secret_manager_secret.secret as google_service_account.account, granted by google_secret_manager_secret_iam_member.grant, but is not created after it: add google_secret_manager_secret_iam_member.grant to its depends_on. Fix: grant the starter's service account roles/secretmanager.secretAccessor on the secret (google_secret_manager_secret_iam_member) and add that grant to the starter's depends_on." },
      { breaks: 'no grant at all', build: (s) => secretReadingTemplate(s, 'missing'), expected: "policy-test: google_compute_instance_template.template (policy-test/template): CK-ORDER-GRANTS what reads a secret at start runs as an account granted to read it, and is created after the grant: it reads google_secret_manager_secret.secret as google_service_account.account, which holds no roles/secretmanager.secretAccessor on it in the stack. Fix: grant the starter's service account roles/secretmanager.secretAccessor on the secret (google_secret_manager_secret_iam_member) and add that grant to the starter's depends_on." },
    ],
  },
  {
    rule: 'CK-NET-REACH-GCP',
    cloud: 'gcp',
    on: 'broker firewall rules',
    compliant: (s) => brokerClientStack(s, ['client']),
    violating: [{ breaks: 'a tag no broker client carries', build: (s) => brokerClientStack(s, ['client', 'stray']), expected: 'policy-test: google_compute_firewall.clients (policy-test/clients): CK-NET-REACH-GCP the firewall admits every broker client on the broker port, and nobody else: it admits tag stray to google_memorystore_instance.valkey on port 6379, but no broker client of the stack carries it. Fix: admit exactly the network tags of the components that read the broker URL (constructs/gcp/network-tags.ts gcpBrokerClients), on the broker port.' }],
  },
  {
    rule: 'CK-ORDER-APIS',
    cloud: 'gcp',
    on: 'a stack turning Google APIs on',
    compliant: (s) => apiOrderedStack(s),
    violating: [{ breaks: 'a resource not created after its API', build: (s) => apiOrderedStack(s, true), expected: "policy-test: google_compute_network.network (policy-test/network): CK-ORDER-APIS in a stack that turns Google APIs on, each resource is created after its APIs: it uses compute.googleapis.com, turned on by google_project_service.compute, but is not created after it: add google_project_service.compute to its depends_on. Fix: add the google_project_service of each API the resource uses to its depends_on (constructs/gcp/project-services.ts does it for the kit's resources)." }],
  },
  // One ECS service stack per apply-order rule, with that rule's prerequisite left out of depends_on.
  orderFixture('CK-ORDER-SECRETS', 'secret', "policy-test: aws_ecs_service.service (policy-test/service): CK-ORDER-SECRETS what starts tasks is created after the value of every secret they read: its tasks read aws_secretsmanager_secret.secret, whose value is aws_secretsmanager_secret_version.value, but is not created after it: add aws_secretsmanager_secret_version.value to its depends_on. Fix: add the secret's version (aws_secretsmanager_secret_version, google_secret_manager_secret_version) to the service's, schedule's or template's depends_on."),
  orderFixture('CK-ORDER-CAPACITY', 'capacity', "policy-test: aws_ecs_service.service (policy-test/service): CK-ORDER-CAPACITY ECS services are created after their cluster's capacity providers: it runs on capacity providers that aws_ecs_cluster_capacity_providers.capacity attaches to its cluster, but is not created after it: add aws_ecs_cluster_capacity_providers.capacity to its depends_on. Fix: add the aws_ecs_cluster_capacity_providers of the cluster to the service depends_on."),
  orderFixture('CK-ORDER-LISTENER', 'listener', "policy-test: aws_ecs_service.service (policy-test/service): CK-ORDER-LISTENER ECS services are created after the listener rules that forward to their target groups: its target group aws_lb_target_group.targets joins the load balancer through aws_lb_listener_rule.rule, but is not created after it: add aws_lb_listener_rule.rule to its depends_on. Fix: add each aws_lb_listener_rule (or aws_lb_listener) forwarding to the target group to the service depends_on."),
  orderFixture('CK-ORDER-NETWORK', 'network', "policy-test: aws_ecs_service.service (policy-test/service): CK-ORDER-NETWORK what starts tasks or VMs is created after its subnets' way out (NAT): its tasks leave their subnets through aws_route_table_association.association, but is not created after it: add aws_route_table_association.association to its depends_on. Fix: add the subnets' aws_route_table_association (and any aws_route of their tables), or the google_compute_router_nat, to the depends_on."),
  // Scheduled calls start tasks too (issue 15: "every service (and scheduled call)"); no capacity providers, launch type FARGATE.
  {
    rule: 'CK-ORDER-SECRETS',
    on: 'a schedule that runs an ECS task',
    compliant: (s) => scheduleStack(s),
    violating: [{ breaks: 'the secret version missing from depends_on', build: (s) => scheduleStack(s, 'secret'), expected: "policy-test: aws_scheduler_schedule.schedule (policy-test/schedule): CK-ORDER-SECRETS what starts tasks is created after the value of every secret they read: its tasks read aws_secretsmanager_secret.secret, whose value is aws_secretsmanager_secret_version.value, but is not created after it: add aws_secretsmanager_secret_version.value to its depends_on. Fix: add the secret's version (aws_secretsmanager_secret_version, google_secret_manager_secret_version) to the service's, schedule's or template's depends_on." }],
  },
  {
    rule: 'CK-ORDER-NETWORK',
    on: 'a schedule that runs an ECS task',
    compliant: (s) => scheduleStack(s),
    violating: [{ breaks: 'the route missing from depends_on', build: (s) => scheduleStack(s, 'network'), expected: "policy-test: aws_scheduler_schedule.schedule (policy-test/schedule): CK-ORDER-NETWORK what starts tasks or VMs is created after its subnets' way out (NAT): its tasks leave their subnets through aws_route_table_association.association, but is not created after it: add aws_route_table_association.association to its depends_on. Fix: add the subnets' aws_route_table_association (and any aws_route of their tables), or the google_compute_router_nat, to the depends_on." }],
  },
  {
    rule: 'CK-ORDER-NETWORK',
    cloud: 'gcp',
    on: 'a VM template behind Cloud NAT',
    compliant: (s) => vmTemplateStack(s),
    violating: [{ breaks: 'the NAT missing from depends_on', build: (s) => vmTemplateStack(s, true), expected: "policy-test: google_compute_instance_template.template (policy-test/template): CK-ORDER-NETWORK what starts tasks or VMs is created after its subnets' way out (NAT): its VMs pull their image through google_compute_router_nat.nat, but is not created after it: add google_compute_router_nat.nat to its depends_on. Fix: add the subnets' aws_route_table_association (and any aws_route of their tables), or the google_compute_router_nat, to the depends_on." }],
  },
  ...FRONT_DOOR_FIXTURES,
  {
    rule: 'CK-NET-REACHABILITY',
    on: 'a network of workers, broker, endpoints and an OIDC load balancer',
    compliant: (s) => reachabilityNetwork(s),
    violating: (Object.keys(REACHABILITY_EXPECTED) as Array<keyof typeof REACHABILITY_EXPECTED>).map((broken) => ({ breaks: broken, build: (s: TerraformStack) => reachabilityNetwork(s, { [broken]: true }), expected: REACHABILITY_EXPECTED[broken] })),
  },
  {
    rule: 'CK-KEY-POLICIES',
    on: 'an alarm on an encrypted topic',
    compliant: (s) => alarmOnEncryptedTopic(s, ['aps.amazonaws.com', 'cloudwatch.amazonaws.com']),
    violating: [{ breaks: 'cloudwatch.amazonaws.com missing from the key policy', build: (s) => alarmOnEncryptedTopic(s, ['aps.amazonaws.com']), expected: "policy-test: aws_kms_key.key (policy-test/key): CK-KEY-POLICIES every encrypted topic, queue, secret and log group lets its writers and readers use its key: cloudwatch.amazonaws.com uses aws_sns_topic.topic (through aws_cloudwatch_metric_alarm.alarm), but the key policy does not give it kms:GenerateDataKey, kms:Decrypt. Fix: name each publishing service in the key policy with the KMS actions it needs, and grant each role that reads or writes the resource those actions on the key's ARN." }],
  },
  {
    rule: 'CK-BROKER-ADMIN-ISOLATED',
    on: 'a broker whose components have users of their own',
    compliant: (s) => ownUsersStack(s),
    violating: [{ breaks: 'the administrator URL read by two services', build: (s) => sharedAdminStack(s), expected: "policy-test: aws_mq_broker.mq (policy-test/mq): CK-BROKER-ADMIN-ISOLATED the Amazon MQ administrator's credentials are read by one task at most (the users bootstrap): its administrator's credentials (aws_secretsmanager_secret.broker-url) are read by 2 task starters: aws_ecs_service.workers, aws_ecs_service.exporter. Fix: give each component a broker user of its own (created by the bootstrap, which alone reads the administrator's secret) and inject that user's URL instead." }],
  },
  {
    rule: 'CK-BROKER-USERS-SEPARATE',
    on: 'an ElastiCache broker with a user per component',
    compliant: (s) => redisUsersStack(s),
    violating: [
      { breaks: 'the exporter also reading the app URL', build: (s) => redisUsersStack(s, { exporterReadsApp: true }), expected: "policy-test: aws_elasticache_replication_group.redis (policy-test/redis): CK-BROKER-USERS-SEPARATE on an ElastiCache broker with users, each task starter reads one user's URL at most, and nothing connects as default: aws_ecs_service.exporter reads the URLs of 2 broker users: celery-exporter, celery-app. Fix: inject only the URL of the component's own user (celery-app, celery-exporter, celery-flower), and keep the user group's default user off (access string \"off -@all\")." },
      { breaks: 'the default user on', build: (s) => redisUsersStack(s, { defaultAccess: 'on ~* +@all' }), expected: "policy-test: aws_elasticache_replication_group.redis (policy-test/redis): CK-BROKER-USERS-SEPARATE on an ElastiCache broker with users, each task starter reads one user's URL at most, and nothing connects as default: its default user aws_elasticache_user.user-default is on (\"on ~* +@all\"). Fix: inject only the URL of the component's own user (celery-app, celery-exporter, celery-flower), and keep the user group's default user off (access string \"off -@all\")." },
      { breaks: 'an AUTH-token URL kept for the default user', build: (s) => redisUsersStack(s, { tokenUrl: true }), expected: "policy-test: aws_elasticache_replication_group.redis (policy-test/redis): CK-BROKER-USERS-SEPARATE on an ElastiCache broker with users, each task starter reads one user's URL at most, and nothing connects as default: aws_secretsmanager_secret.broker-url-token connects as the default user (no user name, or the default user's password). Fix: inject only the URL of the component's own user (celery-app, celery-exporter, celery-flower), and keep the user group's default user off (access string \"off -@all\")." },
    ],
  },
  {
    rule: 'CK-ORDER-BROKER-USERS',
    on: 'a broker whose components have users of their own',
    compliant: (s) => ownUsersStack(s),
    violating: [
      { breaks: 'workers created before the users bootstrap', build: (s) => ownUsersStack(s, { workersFirst: true }), expected: "policy-test: aws_ecs_service.workers (policy-test/workers): CK-ORDER-BROKER-USERS what connects to Amazon MQ as a user of its own is created after what creates that user: its tasks connect as the broker user in aws_secretsmanager_secret.broker-url, which Amazon MQ does not create; aws_ecs_service.broker-users creates it, but is not created after it: add aws_ecs_service.broker-users to its depends_on. Fix: add the service that creates the broker users (the one whose tasks read the administrator's credentials) to the starter's depends_on." },
      {
        breaks: 'no users bootstrap at all',
        build: (s) => ownUsersStack(s, { noBootstrap: true }),
        expected: "policy-test: aws_ecs_service.workers (policy-test/workers): CK-ORDER-BROKER-USERS what connects to Amazon MQ as a user of its own is created after what creates that user: its tasks connect as the broker user in aws_secretsmanager_secret.broker-url, which Amazon MQ does not create and nothing in the stack creates (no task reads the administrator's credentials). Fix: add the service that creates the broker users (the one whose tasks read the administrator's credentials) to the starter's depends_on.",
      },
    ],
  },
];

/** A 10.0.0.0/16 VPC with one subnet per [cidr, zone]. */
function subnets(stack: TerraformStack, list: Array<[string, string]>): void {
  const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
  list.forEach(([cidrBlock, availabilityZone], i) => new Subnet(stack, `subnet-${i}`, { vpcId: vpc.id, cidrBlock, availabilityZone }));
}

/** An alarm notifying a topic encrypted with a stack key whose policy admits `services` (issue 15, defect 3). */
function alarmOnEncryptedTopic(stack: TerraformStack, services: string[]): void {
  const statements = services.map((service) => ({ Effect: 'Allow', Principal: { Service: service }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' }));
  const key = new KmsKey(stack, 'key', { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' }, ...statements] }) });
  const topic = new SnsTopic(stack, 'topic', { name: 't', kmsMasterKeyId: key.arn });
  new CloudwatchMetricAlarm(stack, 'alarm', { alarmName: 'a', comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 1, metricName: 'm', namespace: 'n', period: 60, statistic: 'Average', alarmActions: [topic.arn] });
}

/** A Cloud Run service behind the load balancer, and (when given) one invoker grant on it. */
function invokedService(stack: TerraformStack, member?: string, invokerIamDisabled = false): void {
  const service = new CloudRunV2Service(stack, 'flower', {
    name: 'flower',
    location: 'europe-west1',
    ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
    ...(invokerIamDisabled ? { invokerIamDisabled: true } : {}),
    template: { containers: [{ image: 'i:1' }] },
  });
  if (member !== undefined) new CloudRunV2ServiceIamMember(stack, 'invoker', { location: 'europe-west1', name: service.name, role: 'roles/run.invoker', member });
}

// One table for every rule: the names are plain strings so the reporter neither quotes nor cuts them.
describe.each(FIXTURES.map((f) => [`${f.rule} on ${f.on}`, f] as const))('%s', (_name, { rule, cloud, compliant, violating }) => {
  it('passes the compliant build', () => {
    expect(violations(rule, compliant, cloud)).toEqual([]);
  });

  it.each(violating.map((v) => [v.breaks, v] as const))('names the build with %s', (_breaks, { build, expected }) => {
    expect(violations(rule, build, cloud)).toEqual([expected]);
  });
});

/** Rules whose compliant and violating cases live in a test file of their own, beside this one. */
const TESTED_IN_OWN_FILE: Record<string, string> = { 'CK-GCP-GRANTS': 'gcp-run-time-grants.test.ts' };

describe('each policy rule', () => {
  it('has a test case', () => {
    const own = Object.keys(TESTED_IN_OWN_FILE);
    expect(new Set([...FIXTURES.map((f) => f.rule), ...own])).toEqual(new Set(POLICY_RULES.map((r) => r.id).filter((id) => id !== 'CK-TAGS')));
    for (const [rule, file] of Object.entries(TESTED_IN_OWN_FILE)) expect(readFileSync(join(__dirname, file), 'utf8'), file).toContain(rule);
  });

  it('CK-TAGS passes provider default tags with the three keys and names a provider without them', () => {
    expect(violations('CK-TAGS', () => undefined)).toEqual([]);
    expect(violations('CK-TAGS', () => undefined, 'aws', { customer: 'acme' })).toEqual([
      'policy-test: provider.aws (policy-test/aws): CK-TAGS every resource carries customer, environment and managed-by: default tags lack environment, managed-by. Fix: set them once as the provider default tags (AWS) or default labels (GCP).',
    ]);
    expect(violations('CK-TAGS', () => undefined, 'gcp', { environment: 'prod' })[0]).toMatch(/provider\.google .*default tags lack customer, managed-by/);
  });
});

it('a public IP on a load-balanced service is reported once, by CK-COMPUTE-NO-PUBLIC-IP, not again by CK-UI-LB-ONLY', () => {
  const publicFrontDoor = (s: TerraformStack) => frontDoor(s, { publicIp: true });
  expect(violations('CK-COMPUTE-NO-PUBLIC-IP', publicFrontDoor)).toHaveLength(1);
  expect(violations('CK-UI-LB-ONLY', publicFrontDoor)).toEqual([]);
});

it('CK-NET-SUBNETS-FIT also names subnets outside the VPC, too small, computed, or in a zone the region lacks', () => {
  const problems = violations('CK-NET-SUBNETS-FIT', (s) => subnets(s, [['10.1.0.0/24', 'eu-west-1a'], ['10.0.0.0/29', 'eu-west-1b'], ['${cidrsubnet("10.0.0.0/16", 4, 1)}', 'eu-west-1c'], ['10.0.64.0/24', 'eu-west-1d']]));
  expect(problems.map((p) => p.replace(/^.*?: CK-NET-SUBNETS-FIT [^:]*: /, '').replace(/ Fix: .*$/, ''))).toEqual([
    '10.1.0.0/24 is outside aws_vpc.vpc (10.0.0.0/16).',
    '10.0.0.0/29 is outside the /16 to /28 AWS allows for a subnet.',
    'cidr_block ${cidrsubnet("10.0.0.0/16", 4, 1)} is not a literal IPv4 CIDR block, so its place in the VPC cannot be checked.',
    'zone eu-west-1d is not a zone of eu-west-1 (eu-west-1a, eu-west-1b, eu-west-1c).',
  ]);
});
