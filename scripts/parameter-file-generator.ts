/**
 * Seeded generator of valid parameter files of varied shape (both clouds, both brokers, pools,
 * schedules, monitoring). The tests use it to show that any valid file synthesizes; the benchmark
 * uses it with a production-like mix (3-6 pools, monitoring on).
 */
import { stringify } from 'yaml';
import { INTERFACE_ENDPOINT_SERVICES } from '../spec/defaults';

/** Small deterministic PRNG (mulberry32) so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratorOptions {
  /** Fewest worker pools per file. @default 1 */
  readonly minPools?: number;
  /** Always include monitoring (SSO front door, alerts). @default false (half the files) */
  readonly monitoring?: boolean;
}

export function randomParameterFile(seed: number, options: GeneratorOptions = {}): { name: string; text: string } {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));

  const cloud = pick(['aws', 'gcp'] as const);
  const customer = `c${seed}`;
  const environment = pick(['prod', 'staging', 'dev', 'qa']);
  const region = cloud === 'aws' ? pick(['eu-west-1', 'us-east-1', 'ap-southeast-2']) : pick(['europe-west1', 'us-central1', 'asia-northeast1']);
  const nonProduction = environment !== 'prod';
  const poolCount = int(options.minPools ?? 1, 6);
  const queueNames = Array.from({ length: poolCount * int(1, 2) }, (_, i) => `q${i}`);
  const queues = Object.fromEntries(queueNames.map((q) => [q, [`app.tasks.${q}.*`]]));
  const owners = new Map<number, string[]>();
  queueNames.forEach((q, i) => owners.set(i % poolCount, [...(owners.get(i % poolCount) ?? []), q]));
  owners.set(0, [...owners.get(0)!, 'default']);

  let longest = 0;
  const fargate: Array<[number, number]> = [[0.25, 512], [0.5, 1024], [1, 2048], [2, 4096], [4, 8192]];
  const workers = Object.fromEntries(
    [...owners.entries()].map(([i, qs]) => {
      const pool = pick(['prefork', 'gevent', 'eventlet', 'threads', 'solo'] as const);
      const timeLimit = pick([30, 60, 300, 900, 3600, 7200]);
      longest = Math.max(longest, timeLimit);
      const [cpu, memory] = pick(fargate);
      const min = int(0, 3);
      return [
        `pool-${i}`,
        {
          queues: qs,
          pool,
          ...(pool === 'solo' ? {} : { concurrency: int(1, 300) }),
          timeLimit,
          ...(rand() < 0.5 ? { softTimeLimit: timeLimit - 10 < 1 ? 1 : timeLimit - 10 } : {}),
          cpu,
          memory,
          spot: rand() < 0.3,
          autoscale: { min, max: min + int(1, 20), backlogPerWorker: int(1, 500) },
        },
      ];
    }),
  );
  const brokerKind = pick(['redis', 'rabbitmq'] as const);
  const broker =
    brokerKind === 'redis'
      ? { kind: 'redis', ...(rand() < 0.5 ? { visibilityTimeout: longest + int(1, 3600) } : {}), replicas: int(1, 3) }
      : { kind: 'rabbitmq', engineVersion: cloud === 'aws' ? pick(['3.13', '4.0']) : '3.13' };
  const schedules = Object.fromEntries(
    Array.from({ length: int(0, 3) }, (_, i) => [
      `job-${i}`,
      { cron: `${int(0, 59)} ${int(0, 23)} * * ${pick(['*', '1-5', 'MON'])}`, task: `app.tasks.${pick(queueNames)}.run_${i}`, timezone: pick(['UTC', 'Europe/Paris', 'Asia/Tokyo']) },
    ]),
  );
  const monitoring =
    !options.monitoring && rand() < 0.5
      ? undefined
      : cloud === 'aws'
        ? {
            domain: `celery.${customer}.example.com`,
            certificateArn: `arn:aws:acm:${region}:123456789012:certificate/abcd-${seed}`,
            sso: {
              oidc: {
                issuer: 'https://id.example.com',
                authorizationEndpoint: 'https://id.example.com/a',
                tokenEndpoint: 'https://id.example.com/t',
                userInfoEndpoint: 'https://id.example.com/u',
                clientId: 'celery',
              },
              flowerGroups: ['celery-operators'],
              ...(seed % 2 === 0 ? { grafanaAdminGroups: ['platform-admins'] } : {}),
            },
            alerts: { notify: { emails: ['ops@example.com'] } },
          }
        : { domain: `celery.${customer}.example.com`, sso: { allowedMembers: ['group:ops@example.com'] } };

  const file = {
    customer,
    environment,
    cloud,
    region,
    ...(cloud === 'gcp' ? { project: `proj-${customer}` } : { accountId: String(100000000000 + seed) }),
    nonProduction,
    app: { image: `registry.example.com/${customer}/app:1.${seed}`, module: 'app.celery', env: { LOG_LEVEL: 'info' } },
    broker,
    queues,
    workers,
    ...(Object.keys(schedules).length > 0 ? { schedules } : {}),
    ...(monitoring ? { monitoring } : {}),
    state: nonProduction ? { backend: 'local' } : cloud === 'aws' ? { backend: 's3', bucket: `${customer}-state` } : { backend: 'gcs', bucket: `${customer}-state` },
  };
  // Drawn last so that adding them left the shapes of earlier seeds unchanged.
  const awsNetwork = cloud === 'aws' ? randomAwsNetwork(rand, pick) : undefined;
  const ecrImage = cloud === 'aws' && rand() < 0.4;
  const image = ecrImage ? `${100000000000 + seed}.dkr.ecr.${region}.amazonaws.com/${customer}/app:1.${seed}` : file.app.image;
  return { name: `${customer}-${environment}.yaml`, text: stringify({ ...file, app: { ...file.app, image }, ...(awsNetwork ? { network: awsNetwork } : {}) }) };
}

/**
 * AWS network options, so the reachability and endpoint checks meet files that set them: an
 * explicit endpoint list (sometimes empty, which turns endpoints off) and app egress to a database.
 */
function randomAwsNetwork(rand: () => number, pick: <T>(items: readonly T[]) => T): Record<string, unknown> | undefined {
  const roll = rand();
  if (roll < 0.4) return undefined;
  const endpoints = INTERFACE_ENDPOINT_SERVICES.filter(() => rand() < 0.35);
  const egress = rand() < 0.5 ? [{ port: pick([5432, 3306, 587, 6380]), cidr: pick(['10.20.0.0/16', '172.16.4.0/24', '192.168.10.0/24']) }] : undefined;
  const network = {
    ...(roll < 0.55 ? { interfaceEndpoints: [] } : roll < 0.8 ? { interfaceEndpoints: endpoints } : {}),
    ...(egress ? { appEgress: egress } : {}),
  };
  return Object.keys(network).length > 0 ? network : undefined;
}
