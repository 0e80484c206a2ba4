/**
 * Applies defaults and derived values to a checked parameter file, giving the immutable
 * DeploymentSpec that stacks and constructs consume.
 */
import { CLOUD_DEFAULTS, DEFAULTS, MANAGED_BY, STATE_PROTECTED_RULE_ID, type InterfaceEndpointService } from './defaults';
import { defaultConcurrency, deriveRuntimeBuckets, deriveScaleInCooldown, deriveVisibilityTimeout } from './derive';
import { queueForTask, queueNamesOf } from './checks';
import { zonesOfFile } from './network-checks';
import type { SpecProblem } from './problems';
import type { ParameterFile } from './schema';
import type { BrokerSpec, DeploymentSpec, MonitoringSpec, NetworkSpec, StateSpec, WorkerPoolSpec } from './types';

export function resolveSpec(file: ParameterFile, sourceFile: string, warnings: readonly SpecProblem[]): DeploymentSpec {
  const stackId = `${file.customer}-${file.environment}`;
  const pools = Object.entries(file.workers).map(([name, p]) => resolvePool(name, p));
  const timeLimits = pools.flatMap((p) => (p.timeLimit === undefined ? [] : [p.timeLimit]));
  const longestTimeLimit = timeLimits.length > 0 ? Math.max(...timeLimits) : undefined;
  const defaultQueue = file.defaultQueue ?? DEFAULTS.defaultQueue;

  const spec: DeploymentSpec = {
    sourceFile,
    stackId,
    customer: file.customer,
    environment: file.environment,
    cloud: file.cloud,
    region: file.region,
    ...(file.project === undefined ? {} : { project: file.project }),
    enableApis: file.enableApis ?? DEFAULTS.enableApis,
    ...(file.accountId === undefined ? {} : { accountId: file.accountId }),
    nonProduction: file.nonProduction ?? false,
    tags: { ...(file.tags ?? {}), customer: file.customer, environment: file.environment, 'managed-by': MANAGED_BY },
    app: {
      image: file.app.image,
      module: file.app.module,
      env: Object.fromEntries(Object.entries(file.app.env ?? {}).map(([k, v]) => [k, String(v)])),
      secrets: Object.fromEntries(Object.entries(file.app.secrets ?? {}).map(([name, value]) => [name, typeof value === 'string' ? value : value.secret])),
      secretKmsKeyArns: Object.fromEntries(
        Object.entries(file.app.secrets ?? {}).flatMap(([name, value]) => (typeof value !== 'string' && value.kmsKeyArn !== undefined ? [[name, value.kmsKeyArn]] : [])),
      ),
    },
    broker: resolveBroker(file, longestTimeLimit),
    ...(file.results === undefined ? {} : { results: { expires: file.results.expires } }),
    defaultQueue,
    queues: queueNamesOf(file).map((name) => ({
      name,
      // Own keys only: a queue named "constructor" must not find Object.prototype (issue 18).
      routes: file.queues !== undefined && Object.hasOwn(file.queues, name) ? file.queues[name]! : [],
      consumedBy: pools.find((p) => p.queues.includes(name))!.name,
    })),
    pools,
    ...(file.monitoring === undefined ? {} : { monitoring: resolveMonitoring(file.monitoring) }),
    schedules: Object.entries(file.schedules ?? {}).map(([name, s]) => ({
      name,
      cron: s.cron.trim().split(/\s+/).join(' '),
      timezone: s.timezone ?? DEFAULTS.timezone,
      task: s.task,
      queue: s.queue ?? queueForTask(file, s.task),
      args: s.args ?? [],
      kwargs: s.kwargs ?? {},
    })),
    periodicTasks: file.beat === 'singleton' ? 'beat-singleton' : 'cloud-scheduler',
    state: resolveState(file, stackId),
    policySuppressions: [
      ...(file.policy?.suppress ?? []).map((s) => ({ rule: s.rule, reason: s.reason })),
      // Dropping the protection is what allowDestroy asks for; every synth prints it with its reason.
      ...(file.allowDestroy === undefined ? [] : [{ rule: STATE_PROTECTED_RULE_ID, reason: `allowDestroy: ${file.allowDestroy.reason}` }]),
    ],
    network: resolveNetwork(file),
    interfaceEndpoints: resolveInterfaceEndpoints(file),
    appEgress: (file.network?.appEgress ?? []).map((e) => ({ port: e.port, cidr: e.cidr })),
    ...(file.allowDestroy === undefined ? {} : { allowDestroy: { reason: file.allowDestroy.reason } }),
    derived: {
      ...(longestTimeLimit === undefined ? {} : { longestTimeLimit }),
      runtimeBuckets: deriveRuntimeBuckets(longestTimeLimit),
    },
    warnings,
  };
  return deepFreeze(spec);
}

/**
 * A prefork child's share of the worker memory: three quarters of it (the rest is the main
 * process, the page cache and headroom) split over the concurrency slots, in MiB.
 */
export function defaultMaxMemoryPerChild(memoryMiB: number, concurrency: number): number {
  return Math.max(32, Math.floor((memoryMiB * 0.75) / concurrency));
}

function resolvePool(name: string, p: ParameterFile['workers'][string]): WorkerPoolSpec {
  const pool = p.pool ?? DEFAULTS.pool;
  const cpu = p.cpu ?? DEFAULTS.cpu;
  const concurrency = p.concurrency ?? defaultConcurrency(pool, cpu);
  const min = p.autoscale?.min ?? DEFAULTS.autoscaleMin;
  const memory = p.memory ?? DEFAULTS.memory;
  return {
    name,
    queues: [...p.queues],
    pool,
    concurrency,
    prefetchMultiplier: p.prefetchMultiplier ?? DEFAULTS.prefetchMultiplier,
    ...(p.timeLimit === undefined ? {} : { timeLimit: p.timeLimit }),
    ...(p.softTimeLimit === undefined ? {} : { softTimeLimit: p.softTimeLimit }),
    cpu,
    memory,
    ...(pool === 'prefork' ? { maxMemoryPerChildKiB: (p.maxMemoryPerChild ?? defaultMaxMemoryPerChild(memory, concurrency)) * 1024 } : {}),
    spot: p.spot ?? false,
    autoscale: { min, max: p.autoscale?.max ?? DEFAULTS.autoscaleMax, backlogPerWorker: p.autoscale?.backlogPerWorker ?? concurrency },
    expectedWorkers: min,
    scaleInCooldownSeconds: deriveScaleInCooldown(p.timeLimit),
  };
}

function resolveBroker(file: ParameterFile, longestTimeLimit: number | undefined): BrokerSpec {
  const b = file.broker;
  const cloud = CLOUD_DEFAULTS[file.cloud];
  if (b.kind === 'redis') {
    const engine = file.cloud === 'gcp' ? 'valkey' : (b.engine ?? DEFAULTS.redisEngine);
    return {
      kind: 'redis',
      engine,
      // Redis OSS stops at 7.1 on ElastiCache; Valkey continues from 7.2 (8.0 is current).
      engineVersion: b.engineVersion ?? (engine === 'redis' ? DEFAULTS.redisOssVersion : cloud.redisVersion),
      nodeType: b.nodeType ?? cloud.redisNodeType,
      replicas: b.replicas ?? DEFAULTS.redisReplicas,
      snapshotRetentionDays: b.snapshotRetentionDays ?? DEFAULTS.snapshotRetentionDays,
      visibilityTimeout: b.visibilityTimeout ?? deriveVisibilityTimeout(longestTimeLimit),
      visibilityTimeoutDerived: b.visibilityTimeout === undefined,
    };
  }
  return {
    kind: 'rabbitmq',
    engineVersion: b.engineVersion ?? DEFAULTS.rabbitmqVersion,
    instanceType: b.instanceType ?? cloud.rabbitmqInstanceType,
    diskSizeGb: b.diskSizeGb ?? DEFAULTS.rabbitmqDiskSizeGb,
    nodes: file.nonProduction ? 1 : 3,
  };
}

function resolveMonitoring(m: NonNullable<ParameterFile['monitoring']>): MonitoringSpec {
  const a = m.alerts;
  const d = DEFAULTS.alerts;
  return {
    domain: m.domain,
    ...(m.certificateArn === undefined ? {} : { certificateArn: m.certificateArn }),
    ...(m.sso.oidc === undefined ? {} : { oidc: { ...m.sso.oidc, scope: m.sso.oidc.scope ?? DEFAULTS.oidcScope } }),
    allowedMembers: m.sso.allowedMembers ?? [],
    access: {
      groupsClaim: m.sso.groupsClaim ?? DEFAULTS.groupsClaim,
      flower: m.sso.flowerGroups ?? m.sso.allowedMembers ?? [],
      grafanaAdmins: m.sso.grafanaAdminGroups ?? [],
      ...(m.sso.grafanaViewerGroups === undefined ? {} : { grafanaViewers: m.sso.grafanaViewerGroups }),
    },
    alerts: {
      emails: a?.notify?.emails ?? [],
      webhooks: a?.notify?.webhooks ?? [],
      queueLength: { ...d.queueLength, ...a?.queueLength },
      runtimeRegression: { ...d.runtimeRegression, ...a?.runtimeRegression },
      workersBelowExpected: { ...d.workersBelowExpected, ...a?.workersBelowExpected },
      failureSpike: { ...d.failureSpike, ...a?.failureSpike },
    },
  };
}

function resolveState(file: ParameterFile, stackId: string): StateSpec {
  const s = file.state ?? { backend: 'local' as const };
  switch (s.backend) {
    case 'local':
      return { backend: 'local', path: `terraform.${stackId}.tfstate` };
    case 's3':
      return {
        backend: 's3',
        bucket: s.bucket,
        region: s.region ?? file.region,
        key: `${s.keyPrefix ?? DEFAULTS.stateKeyPrefix}/${stackId}/terraform.tfstate`,
        ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
      };
    case 'gcs':
      return { backend: 'gcs', bucket: s.bucket, prefix: `${s.prefix ?? DEFAULTS.stateKeyPrefix}/${stackId}` };
  }
}

function resolveNetwork(file: ParameterFile): NetworkSpec {
  const n = file.network;
  // AWS: the region's default zones from spec/aws-zones.ts (checks made sure there are some). GCP:
  // regional services pick zones themselves, so no default list is invented.
  const zones = zonesOfFile(file);
  const e = n?.existing;
  if (e?.vpcId !== undefined && e.subnetIds !== undefined) return { mode: 'existing-aws', vpcId: e.vpcId, subnetIds: e.subnetIds, publicSubnetIds: e.publicSubnetIds ?? [], zones };
  if (e?.network !== undefined && e.subnetwork !== undefined) return { mode: 'existing-gcp', network: e.network, subnetwork: e.subnetwork, zones };
  return { mode: 'create', cidr: n?.cidr ?? DEFAULTS.networkCidr, zones };
}

/**
 * Interface endpoints are billed per zone-hour, so the default buys them only where they pay off:
 * production stacks on a network the kit creates get the endpoints their own tasks call (ECR only
 * when the app image is in this region's ECR, which is the only registry an ECR endpoint serves).
 * In an existing VPC the owner's endpoints, if any, already hold the private DNS names, and a second
 * endpoint with private DNS for the same service is refused
 * (https://github.com/hashicorp/terraform-provider-aws/issues/17535).
 */
function resolveInterfaceEndpoints(file: ParameterFile): InterfaceEndpointService[] {
  if (file.cloud !== 'aws') return [];
  const listed = file.network?.interfaceEndpoints;
  if (listed !== undefined) return [...new Set(listed)];
  if (file.nonProduction === true || file.network?.existing !== undefined) return [];
  const ecr = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${file.region}\\.amazonaws\\.com/`).test(file.app.image);
  return [...(ecr ? (['ecr.api', 'ecr.dkr'] as const) : []), 'logs', 'secretsmanager', ...(file.monitoring === undefined ? [] : (['aps-workspaces'] as const))];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
