/**
 * Rules that relate several keys of one parameter file. Each rule reports with the key path of the
 * value to change; all rules run, so one pass shows every mistake.
 */
import { redisUsersUnsupported } from '../constructs/celery/redis-users';
import { BROKER_URL_ENV, FARGATE_SIZES, GCP_REDIS_NODE_TYPES, RESERVED_TAG_KEYS } from './defaults';
import { deriveVisibilityTimeout } from './derive';
import { isRestricted, parseCron } from './cron';
import { closestMatch, type ProblemCollector } from './problems';
import { checkNetwork } from './network-checks';
import { regionProblem } from './regions';
import { checkResults } from './results';
import { checkSecretLookingValues, isSecretLookingEnv } from './secret-checks';
import { findIntersection, routeMatches } from './route-patterns';
import type { ParameterFile } from './schema';

type AppSecretEntry = NonNullable<ParameterFile['app']['secrets']>[string];

/** Environment names that usually mean a stack nobody's customers depend on. */
const NON_PRODUCTION_NAME = /^(dev|develop|development|test|testing|qa|uat|stage|staging|sandbox|demo|preview|ci)(-|$)/;
/** The member forms Identity-Aware Proxy bindings take (the same as monitoring.sso.allowedMembers). */
const IAM_MEMBER = /^(user|group|domain|serviceAccount):\S+$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** An IAM member in Google's consumer domains (no organization can own them). */
const CONSUMER_GOOGLE_ACCOUNT = /^(user|group|domain):(.*@)?(gmail|googlemail)\.com$/i;
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function checkParameterFile(file: ParameterFile, out: ProblemCollector): void {
  const regionKnown = checkPlacement(file, out);
  checkTags(file, out);
  checkApp(file, out);
  checkSecretLookingValues(file, out);
  checkBroker(file, out);
  checkResults(file, out);
  checkQueuesAndPools(file, out);
  checkSchedules(file, out);
  checkMonitoring(file, out);
  // Zones and subnets depend on the region: one line for a wrong region, not one more per zone.
  if (regionKnown) checkNetwork(file, out);
  checkState(file, out);
}

/** All queues of a file: the declared ones plus the default queue. */
export function queueNamesOf(file: ParameterFile): string[] {
  const names = Object.keys(file.queues ?? {});
  const defaultQueue = file.defaultQueue ?? 'default';
  return names.includes(defaultQueue) ? names : [...names, defaultQueue];
}

/** Checks cloud, region, account and project; false when the region is unknown, so zones cannot be checked. */
function checkPlacement(file: ParameterFile, out: ProblemCollector): boolean {
  const wrongRegion = regionProblem(file.cloud, file.region);
  if (wrongRegion !== undefined) out.error(['region'], wrongRegion.problem, wrongRegion.fix);
  if (file.cloud === 'aws') {
    if (file.project !== undefined) out.error(['project'], 'project applies to GCP only', 'remove project from this AWS file');
    if (file.enableApis !== undefined) out.error(['enableApis'], 'enableApis applies to GCP only', 'remove enableApis from this AWS file');
    if (file.accountId === undefined) out.error(['accountId'], 'is required on AWS: it keeps a stack from being applied to the wrong account', 'add accountId: "<12-digit account id>"');
  } else {
    if (file.accountId !== undefined) out.error(['accountId'], 'accountId applies to AWS only', 'remove accountId from this GCP file');
    if (file.project === undefined) out.error(['project'], 'is required on GCP', 'add project: <your-gcp-project-id>');
    else if (!GCP_PROJECT.test(file.project)) out.error(['project'], `"${file.project}" is not a GCP project id`, 'use the project id (6-30 lowercase letters, digits, hyphens), not its name or number');
  }
  return wrongRegion === undefined;
}

function checkTags(file: ParameterFile, out: ProblemCollector): void {
  for (const [key, value] of Object.entries(file.tags ?? {})) {
    if ((RESERVED_TAG_KEYS as readonly string[]).includes(key)) {
      out.error(['tags', key], `tag "${key}" is set by the kit from the file's own keys`, `remove tags.${key}`);
    } else if (file.cloud === 'gcp' && (!/^[a-z][a-z0-9_-]{0,62}$/.test(key) || !/^[a-z0-9_-]{0,63}$/.test(value))) {
      out.error(['tags', key], 'GCP labels take lowercase letters, digits, "_" and "-" only (keys start with a letter)', `rewrite it, e.g. ${key.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}: ${value.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`);
    }
  }
}

function checkApp(file: ParameterFile, out: ProblemCollector): void {
  const { image, env = {}, secrets = {} } = file.app;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (!image.includes('@sha256:') && !lastSegment.includes(':')) {
    out.error(['app', 'image'], `image "${image}" has no tag or digest, so every deploy may run different code`, 'pin it, e.g. "…/app:1.4.2" or "…/app@sha256:…"');
  } else if (lastSegment.toLowerCase().endsWith(':latest')) {
    // Registries treat tags case-sensitively, but `LATEST` is the same floating intent (issue 18).
    out.error(['app', 'image'], 'the "latest" tag changes under a running deployment', 'pin a version tag or a digest');
  }
  for (const [name, value] of Object.entries(env)) {
    if (name === BROKER_URL_ENV) {
      out.error(['app', 'env', name], `${BROKER_URL_ENV} is set by the kit from the broker secret`, `remove app.env.${name}`);
    } else if (!isSecretLookingEnv(name, value) && Object.hasOwn(secrets, name)) {
      out.error(['app', 'env', name], `${name} is also in app.secrets`, 'keep it in one of app.env or app.secrets');
    }
  }
  if (Object.hasOwn(secrets, BROKER_URL_ENV)) {
    out.error(['app', 'secrets', BROKER_URL_ENV], `${BROKER_URL_ENV} comes from the broker secret the kit creates`, `remove app.secrets.${BROKER_URL_ENV}`);
  }
  for (const [name, value] of Object.entries(secrets)) checkAppSecret(file, name, value, out);
}

/**
 * AWS takes a secret by its full ARN only. ECS documents `valueFrom` as the full ARN
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html), and an ARN built
 * from the name is a partial ARN, which Secrets Manager reads as a complete one when the name ends
 * in "-" and six characters, so it finds another secret or none (GetSecretValue's SecretId, as the
 * API reference words it: https://docs.rs/rusoto_secretsmanager/0.45.0/rusoto_secretsmanager/struct.GetSecretValueRequest.html;
 * AWS recommends complete ARNs: https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/secretsmanager/aws.sdk.kotlin.services.secretsmanager.model/-get-secret-value-request/secret-id.html).
 */
function checkAppSecret(file: ParameterFile, name: string, value: AppSecretEntry, out: ProblemCollector): void {
  const reference = typeof value === 'string' ? value : value.secret;
  const path = typeof value === 'string' ? ['app', 'secrets', name] : ['app', 'secrets', name, 'secret'];
  if (file.cloud === 'gcp') {
    if (reference.startsWith('arn:')) out.error(path, `"${reference}" is an AWS ARN`, 'write the id of the GCP Secret Manager secret');
    if (typeof value !== 'string' && value.kmsKeyArn !== undefined) out.error(['app', 'secrets', name, 'kmsKeyArn'], 'kmsKeyArn applies to AWS only', `remove app.secrets.${name}.kmsKeyArn`);
    return;
  }
  const lookup = `aws secretsmanager describe-secret --secret-id ${reference} --query ARN`;
  if (!reference.startsWith('arn:')) {
    out.error(
      path,
      `"${reference}" is a secret name; ECS needs the full ARN, and an ARN derived from a name points at the wrong secret when the name ends in "-" and six characters`,
      `write the secret's full ARN, six-character suffix included (\`${lookup}\`)`,
    );
  } else if (!SECRET_ARN.test(reference)) {
    out.error(path, `"${reference}" is not a complete Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)`, `copy the full ARN (\`${lookup}\`)`);
  }
  if (typeof value !== 'string' && value.kmsKeyArn !== undefined && !KMS_KEY_ARN.test(value.kmsKeyArn)) {
    out.error(
      ['app', 'secrets', name, 'kmsKeyArn'],
      `"${value.kmsKeyArn}" is not the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>); an alias or key id cannot be granted in an IAM policy`,
      `write the key ARN (\`aws kms describe-key --key-id ${value.kmsKeyArn} --query KeyMetadata.Arn\`)`,
    );
  }
}

function checkBroker(file: ParameterFile, out: ProblemCollector): void {
  const broker = file.broker;
  if (broker.kind === 'redis') {
    if (file.cloud === 'gcp' && broker.engine === 'redis') {
      out.error(['broker', 'engine'], 'GCP runs the Redis broker on Memorystore for Valkey', 'remove broker.engine or set it to valkey');
    }
    if (file.cloud === 'aws' && broker.engineVersion !== undefined) {
      const engine = broker.engine ?? 'valkey';
      const problem = redisUsersUnsupported({ engine, engineVersion: broker.engineVersion });
      if (problem !== undefined) out.error(['broker', 'engineVersion'], problem, engine === 'valkey' ? 'set broker.engineVersion to 7.2 or later' : 'set broker.engineVersion to 7.0 or later, or use engine valkey');
    }
    if (broker.nodeType !== undefined) {
      if (file.cloud === 'aws' && !broker.nodeType.startsWith('cache.')) {
        out.error(['broker', 'nodeType'], `"${broker.nodeType}" is not an ElastiCache node type`, 'use a type such as cache.m7g.large or cache.t4g.medium');
      }
      if (file.cloud === 'gcp' && !(GCP_REDIS_NODE_TYPES as readonly string[]).includes(broker.nodeType)) {
        out.error(['broker', 'nodeType'], `"${broker.nodeType}" is not a Memorystore for Valkey node type`, `use one of ${GCP_REDIS_NODE_TYPES.join(', ')}`);
      }
    }
    if (file.cloud === 'gcp' && broker.snapshotRetentionDays !== undefined) {
      out.error(['broker', 'snapshotRetentionDays'], 'snapshot retention applies to ElastiCache (AWS); Memorystore keeps AOF persistence instead', 'remove broker.snapshotRetentionDays');
    }
    if (broker.visibilityTimeout !== undefined) {
      for (const [poolName, pool] of Object.entries(file.workers)) {
        if (pool.timeLimit !== undefined && broker.visibilityTimeout <= pool.timeLimit) {
          out.error(
            ['broker', 'visibilityTimeout'],
            `${broker.visibilityTimeout} s is not longer than workers.${poolName}.timeLimit (${pool.timeLimit} s): a task still running then is delivered to a second worker and runs twice`,
            `raise broker.visibilityTimeout above ${pool.timeLimit} (e.g. ${deriveVisibilityTimeout(pool.timeLimit)}) or remove it to let the kit derive it`,
          );
        }
      }
    }
  } else {
    const [major = 0, minor = 0] = (broker.engineVersion ?? '3.13').split('.').map(Number);
    if (major < 3 || (major === 3 && minor < 13)) {
      out.error(['broker', 'engineVersion'], `RabbitMQ ${broker.engineVersion} is older than 3.13, the first version the kit supports for quorum queues`, 'set broker.engineVersion to 3.13 or later');
    }
    if (file.cloud === 'aws' && broker.instanceType !== undefined && !broker.instanceType.startsWith('mq.')) {
      out.error(['broker', 'instanceType'], `"${broker.instanceType}" is not an Amazon MQ instance type`, 'use a type such as mq.m5.large');
    }
    if (file.cloud === 'gcp' && broker.engineVersion !== undefined && broker.engineVersion !== '3.13') {
      out.error(['broker', 'engineVersion'], 'GCP runs the kit\'s pinned RabbitMQ 3.13.7 image', 'remove broker.engineVersion or set it to "3.13"');
    }
    if (file.cloud === 'gcp' && broker.instanceType !== undefined && !/^[a-z][a-z0-9]*-[a-z0-9-]+$/.test(broker.instanceType)) {
      out.error(['broker', 'instanceType'], `"${broker.instanceType}" is not a Compute Engine machine type`, 'use a type such as e2-standard-2 or n2-standard-4');
    }
    if (file.cloud === 'aws' && broker.diskSizeGb !== undefined) {
      out.error(['broker', 'diskSizeGb'], 'Amazon MQ manages its own storage', 'remove broker.diskSizeGb from this AWS file');
    }
  }
}

/**
 * Limits on a file's route patterns. Deciding whether two patterns overlap costs the product of
 * their lengths, and every pair of queues is compared, so the whole check costs at most the square
 * of the patterns' total length: 10,000 characters keep it under a second. The bundled examples
 * hold under 100 characters of patterns each.
 */
export const ROUTE_PATTERN_LIMITS = { maxLength: 200, maxTotalLength: 10_000 } as const;

function checkQueuesAndPools(file: ParameterFile, out: ProblemCollector): void {
  const queues = queueNamesOf(file);
  const declared = new Set(queues);
  const consumer = new Map<string, string>();
  const poolEntries = Object.entries(file.workers);
  if (poolEntries.length === 0) out.error(['workers'], 'no worker pool is declared, so no task would ever run', 'add a pool, e.g. workers: {default: {queues: [default]}}');

  for (const [poolName, pool] of poolEntries) {
    pool.queues.forEach((queue, index) => {
      const path = ['workers', poolName, 'queues', index];
      if (!declared.has(queue)) {
        const guess = closestMatch(queue, queues);
        out.error(path, `queue "${queue}" is not declared under queues`, guess !== undefined ? `did you mean "${guess}"? Or declare it under queues` : `declare it under queues or use one of: ${queues.join(', ')}`);
        return;
      }
      const other = consumer.get(queue);
      if (other !== undefined && other !== poolName) {
        out.error(path, `queue "${queue}" is already consumed by pool "${other}"; two pools on one queue cannot each be sized and scaled on its depth`, `remove "${queue}" from one of the two pools`);
      } else {
        consumer.set(queue, poolName);
      }
    });
    checkPool(file, poolName, pool, out);
  }

  for (const queue of queues) {
    if (consumer.has(queue) || poolEntries.length === 0) continue;
    const isDefault = queue === (file.defaultQueue ?? 'default');
    out.error(
      isDefault && !(file.queues !== undefined && Object.hasOwn(file.queues, queue)) ? ['defaultQueue'] : ['queues', queue],
      `no worker pool consumes queue "${queue}"${isDefault ? ' (the default queue, where every unrouted task goes)' : ''}, so its tasks would wait forever`,
      `add "${queue}" to the queues of one pool under workers${isDefault ? '' : ', or remove the queue'}`,
    );
  }

  const routed = Object.entries(file.queues ?? {});
  let totalLength = 0;
  let tooLong = false;
  for (const [queue, patterns] of routed) {
    patterns.forEach((pattern, index) => {
      totalLength += pattern.length;
      if (pattern.length > ROUTE_PATTERN_LIMITS.maxLength) {
        tooLong = true;
        out.error(['queues', queue, index], `route pattern is ${pattern.length} characters long, more than the ${ROUTE_PATTERN_LIMITS.maxLength} a task name needs`, 'shorten it, e.g. name the task module with a "*" after it');
      }
    });
  }
  if (totalLength > ROUTE_PATTERN_LIMITS.maxTotalLength) {
    out.error(['queues'], `the route patterns hold ${totalLength} characters together, more than the ${ROUTE_PATTERN_LIMITS.maxTotalLength} the overlap check accepts`, 'route whole task modules with one "*" pattern each instead of listing tasks one by one');
  }
  if (tooLong || totalLength > ROUTE_PATTERN_LIMITS.maxTotalLength) return;
  for (let a = 0; a < routed.length; a++) {
    for (let b = a + 1; b < routed.length; b++) {
      const [queueA, patternsA] = routed[a]!;
      const [queueB, patternsB] = routed[b]!;
      patternsB.forEach((patternB, index) => {
        for (const patternA of patternsA) {
          const witness = findIntersection(patternA, patternB);
          if (witness !== undefined) {
            out.error(
              ['queues', queueB, index],
              `route "${patternB}" overlaps route "${patternA}" of queue "${queueA}" (both match "${witness}"), so that task's queue would depend on route order`,
              'make the patterns disjoint, e.g. name the task module in full',
            );
            break;
          }
        }
      });
    }
  }
}

function checkPool(file: ParameterFile, poolName: string, pool: ParameterFile['workers'][string], out: ProblemCollector): void {
  const path = ['workers', poolName];
  const kind = pool.pool ?? 'prefork';
  if (pool.softTimeLimit !== undefined && pool.timeLimit !== undefined && pool.softTimeLimit >= pool.timeLimit) {
    out.error([...path, 'softTimeLimit'], `softTimeLimit (${pool.softTimeLimit} s) must be below timeLimit (${pool.timeLimit} s) so the task can clean up before it is killed`, `lower softTimeLimit below ${pool.timeLimit}, e.g. ${Math.max(1, Math.floor(pool.timeLimit * 0.9))}`);
  }
  if (pool.maxMemoryPerChild !== undefined && kind !== 'prefork') {
    out.error([...path, 'maxMemoryPerChild'], `--max-memory-per-child replaces prefork child processes; the ${kind} pool has none`, 'remove maxMemoryPerChild or use pool: prefork');
  }
  if (pool.maxMemoryPerChild !== undefined && pool.maxMemoryPerChild >= (pool.memory ?? 2048)) {
    out.error([...path, 'maxMemoryPerChild'], `maxMemoryPerChild (${pool.maxMemoryPerChild} MiB) is not below the worker memory (${pool.memory ?? 2048} MiB): the kernel would kill the task first`, `lower it below ${pool.memory ?? 2048}, or leave it out for three quarters of the memory per slot`);
  }
  const min = pool.autoscale?.min;
  const max = pool.autoscale?.max;
  if ((min ?? 1) > (max ?? 10)) {
    out.error([...path, 'autoscale', 'min'], `autoscale.min (${min ?? 1}) is above autoscale.max (${max ?? 10})`, 'set min <= max');
  }
  if (kind === 'solo' && pool.concurrency !== undefined && pool.concurrency !== 1) {
    out.error([...path, 'concurrency'], 'the solo pool runs one task at a time', 'remove concurrency or set it to 1 (or use another pool type)');
  }
  if (kind === 'prefork' && pool.timeLimit === undefined) {
    out.warn([...path, 'timeLimit'], 'a prefork pool without a hard time limit lets one stuck task hold a process forever', 'set timeLimit (seconds) to the longest a task of these queues may run');
  }
  if (file.cloud === 'aws') {
    const cpu = pool.cpu ?? 1;
    const memory = pool.memory ?? 2048;
    const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
    if (size === undefined) {
      out.error([...path, 'cpu'], `${cpu} vCPU is not a Fargate size`, `use one of ${FARGATE_SIZES.map((s) => s.cpu).join(', ')}`);
    } else if (!size.memory.includes(memory)) {
      out.error([...path, 'memory'], `${memory} MiB does not fit ${cpu} vCPU on Fargate`, `use ${size.memory[0]}-${size.memory[size.memory.length - 1]} MiB in steps of ${(size.memory[1] ?? size.memory[0]!) - size.memory[0]!}`);
    }
  }
}

function checkSchedules(file: ParameterFile, out: ProblemCollector): void {
  const queues = queueNamesOf(file);
  if (file.beat === 'singleton') {
    if (file.cloud !== 'aws') out.error(['beat'], 'beat: singleton is available on AWS only', 'remove beat and declare periodic tasks under schedules');
    if (Object.keys(file.schedules ?? {}).length > 0) {
      out.error(['beat'], 'with beat: singleton the app’s own beat schedule runs, so these schedules would never fire', 'remove beat to run schedules from the cloud scheduler, or move them into the app’s beat_schedule and remove schedules');
    }
  }
  for (const [name, schedule] of Object.entries(file.schedules ?? {})) {
    const path = ['schedules', name];
    const cron = parseCron(schedule.cron);
    if (typeof cron === 'string') {
      out.error([...path, 'cron'], `"${schedule.cron}" is not a five-field cron expression: ${cron}`, 'write minute hour day-of-month month day-of-week, e.g. "0 2 * * *"');
    } else if (file.cloud === 'aws' && isRestricted(cron.dayOfMonth) && isRestricted(cron.dayOfWeek)) {
      out.error([...path, 'cron'], 'EventBridge Scheduler cannot restrict both day-of-month and day-of-week', 'set one of the two fields to "*" (use two schedules if you need both)');
    }
    if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
      out.error([...path, 'timezone'], `"${schedule.timezone}" is not an IANA time zone`, 'write e.g. "Europe/Berlin" or "UTC"');
    }
    if (schedule.queue !== undefined && !queues.includes(schedule.queue)) {
      const guess = closestMatch(schedule.queue, queues);
      out.error([...path, 'queue'], `queue "${schedule.queue}" is not declared under queues, so the task would never be consumed`, guess !== undefined ? `did you mean "${guess}"?` : `use one of: ${queues.join(', ')}, or remove queue to follow the task routes`);
    }
  }
}

/** The queue a task name routes to: the queue with a matching pattern, else the default queue. */
export function queueForTask(file: ParameterFile, task: string): string {
  for (const [queue, patterns] of Object.entries(file.queues ?? {})) {
    if (patterns.some((p) => routeMatches(p, task))) return queue;
  }
  return file.defaultQueue ?? 'default';
}

/** Zones already looked up: constructing a DateTimeFormat costs about 0.1 ms, and every schedule of every file asks again. */
const knownTimeZones = new Map<string, boolean>();

function isTimeZone(zone: string): boolean {
  let known = knownTimeZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Bounded, so that a file of many odd zones cannot grow it without end.
    if (knownTimeZones.size < 1000) knownTimeZones.set(zone, known);
  }
  return known;
}

function checkMonitoring(file: ParameterFile, out: ProblemCollector): void {
  const m = file.monitoring;
  if (m === undefined) return;
  if (file.cloud === 'aws') {
    if (m.certificateArn === undefined) out.error(['monitoring', 'certificateArn'], 'is required on AWS with monitoring: the HTTPS load balancer in front of Flower and Grafana needs a certificate', `add monitoring.certificateArn: the ARN of an ACM certificate for ${m.domain} in ${file.region}`);
    if (m.sso.oidc === undefined) out.error(['monitoring', 'sso', 'oidc'], 'is required on AWS with monitoring: the load balancer signs users in with OIDC', 'add monitoring.sso.oidc with issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint and clientId');
    if (m.sso.allowedMembers !== undefined) out.error(['monitoring', 'sso', 'allowedMembers'], 'allowedMembers is for GCP Identity-Aware Proxy', 'remove it and restrict access in your OIDC provider');
    // No default for Flower: "everyone the IdP admits" is the hole this closes, and "nobody" deploys
    // a Flower that refuses everyone and looks broken. The file's author decides.
    if (m.sso.oidc !== undefined && m.sso.flowerGroups === undefined) {
      out.error(['monitoring', 'sso', 'flowerGroups'], 'is required with sso.oidc: Flower can revoke tasks and shut workers down, and without this anyone the IdP signs in could', 'list the IdP groups allowed to use Flower, e.g. flowerGroups: [celery-operators] (values of the groupsClaim claim, default "groups")');
    }
    if (m.certificateArn !== undefined && !m.certificateArn.includes(`:acm:${file.region}:`)) {
      out.error(['monitoring', 'certificateArn'], `the certificate is not in ${file.region}, where the load balancer is`, `use an ACM certificate issued in ${file.region}`);
    }
  } else {
    if (m.sso.allowedMembers === undefined) out.error(['monitoring', 'sso', 'allowedMembers'], 'is required on GCP with monitoring: Identity-Aware Proxy admits only the members listed here', 'add monitoring.sso.allowedMembers, e.g. ["group:ops@example.com"]');
    if (m.sso.oidc !== undefined) out.error(['monitoring', 'sso', 'oidc'], 'oidc is for the AWS load balancer; GCP uses Identity-Aware Proxy', 'remove it and list allowedMembers');
    // IAP with its Google-managed OAuth client admits only users of the organization
    // (https://cloud.google.com/iap/docs/enabling-cloud-run,
    // https://docs.cloud.google.com/iap/docs/custom-oauth-configuration); a consumer Google account
    // never is. flowerGroups are IAP bindings on Flower's backend, so the same holds for them.
    for (const key of ['allowedMembers', 'flowerGroups'] as const) {
      (m.sso[key] ?? []).forEach((member, i) => {
        if (CONSUMER_GOOGLE_ACCOUNT.test(member)) {
          out.error(
            ['monitoring', 'sso', key, i],
            `${member} is a consumer Google account, outside any organization, and IAP's Google-managed OAuth client lets in only users of your organization`,
            'list users or groups of your Google Workspace or Cloud Identity organization (e.g. "group:ops@example.com")',
          );
        }
      });
    }
    if (m.certificateArn !== undefined) out.error(['monitoring', 'certificateArn'], 'certificateArn is for AWS; GCP uses a Google-managed certificate for monitoring.domain', 'remove it');
    (m.sso.flowerGroups ?? []).forEach((member, i) => {
      if (!IAM_MEMBER.test(member)) out.error(['monitoring', 'sso', 'flowerGroups', i], 'on GCP, Flower access is an Identity-Aware Proxy binding and needs an IAM member', 'write e.g. "group:celery-operators@example.com"');
    });
    for (const key of ['groupsClaim', 'grafanaAdminGroups', 'grafanaViewerGroups'] as const) {
      if (m.sso[key] !== undefined) out.error(['monitoring', 'sso', key], `${key} reads the AWS load balancer's signed token; GCP admits users with Identity-Aware Proxy`, `remove it; grant Grafana roles in Grafana`);
    }
  }
}

function checkState(file: ParameterFile, out: ProblemCollector): void {
  const state = file.state ?? { backend: 'local' as const };
  if (state.backend === 'local' && !file.nonProduction) {
    // "staging" without nonProduction is production to the kit; the warning says why rather than calling it production outright (issue 18).
    const shared = `set state: {backend: ${file.cloud === 'aws' ? 's3' : 'gcs'}, bucket: <state bucket>}`;
    out.warn(
      ['state'],
      'this stack counts as production (nonProduction is not set) and keeps its Terraform state in a local file, which CI runners lose and teammates cannot lock',
      NON_PRODUCTION_NAME.test(file.environment) ? `${shared}, or set nonProduction: true if "${file.environment}" is not production` : shared,
    );
  }
}
