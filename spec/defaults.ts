/**
 * The playbook's defaults, in one place. Each is a production default a file can override.
 */
import type { Cloud } from './types';

export const DEFAULTS = {
  defaultQueue: 'default',
  /** One message per slot: a short task never waits behind long ones reserved by the same worker. */
  prefetchMultiplier: 1,
  pool: 'prefork',
  cpu: 1,
  memory: 2048,
  autoscaleMin: 1,
  autoscaleMax: 10,
  redisEngine: 'valkey',
  redisOssVersion: '7.1',
  redisReplicas: 1,
  snapshotRetentionDays: 7,
  rabbitmqVersion: '3.13',
  rabbitmqDiskSizeGb: 50,
  timezone: 'UTC',
  /** A fresh project has most APIs off; the stack turns on what it uses so the first apply works. */
  enableApis: true,
  networkCidr: '10.40.0.0/16',
  stateKeyPrefix: 'celerykit',
  /** OIDC scopes the AWS load balancer requests. */
  oidcScope: 'openid email profile',
  /** The user-info claim that lists a user's groups (Okta, Keycloak, Entra ID with group claims). */
  groupsClaim: 'groups',
  alerts: {
    queueLength: { threshold: 500, forMinutes: 5 },
    runtimeRegression: { ratio: 1.5, windowMinutes: 30, minTasks: 50 },
    workersBelowExpected: { forMinutes: 2 },
    failureSpike: { ratio: 3, minFailuresPerMinute: 1 },
  },
} as const;

/** Sizes differ per cloud; the names are the providers' own. */
export const CLOUD_DEFAULTS: Record<Cloud, { redisNodeType: string; redisVersion: string; rabbitmqInstanceType: string }> = {
  aws: { redisNodeType: 'cache.m7g.large', redisVersion: '8.0', rabbitmqInstanceType: 'mq.m5.large' },
  gcp: { redisNodeType: 'STANDARD_SMALL', redisVersion: '8.0', rabbitmqInstanceType: 'e2-standard-2' },
};

/** Memorystore for Valkey node types. */
export const GCP_REDIS_NODE_TYPES = ['SHARED_CORE_NANO', 'STANDARD_SMALL', 'HIGHMEM_MEDIUM', 'HIGHMEM_XLARGE'] as const;

/**
 * AWS services a stack may reach through an interface VPC endpoint (`network.interfaceEndpoints`):
 * what the kit's tasks call (image pulls, logs, secrets, Managed Prometheus) and a few the app
 * commonly calls. ECS itself needs none on Fargate.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'aps-workspaces', 'sts', 'kms', 'ssm', 'monitoring', 'sqs', 'sns'] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** Environment variable through which workers receive the broker URL (from the secret store). */
export const BROKER_URL_ENV = 'CELERY_BROKER_URL';

/** Tags/labels the kit sets on every resource; a file may not set them itself. */
export const RESERVED_TAG_KEYS = ['customer', 'environment', 'managed-by'] as const;
export const MANAGED_BY = 'celerykit';

/**
 * Fargate's valid cpu (vCPU) -> memory (MiB) combinations.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: readonly number[] }> = [
  { cpu: 0.25, memory: [512, 1024, 2048] },
  { cpu: 0.5, memory: range(1024, 4096, 1024) },
  { cpu: 1, memory: range(2048, 8192, 1024) },
  { cpu: 2, memory: range(4096, 16384, 1024) },
  { cpu: 4, memory: range(8192, 30720, 1024) },
  { cpu: 8, memory: range(16384, 61440, 4096) },
  { cpu: 16, memory: range(32768, 122880, 8192) },
];

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The policy rule that `allowDestroy` lifts for its stack (constructs/policies/rules/stateful-protected.ts). */
export const STATE_PROTECTED_RULE_ID = 'CK-STATE-PROTECTED';
