/**
 * The parameter file format: one YAML (or JSON) file per customer deployment.
 *
 * This schema checks shape and single values only; rules that relate several keys (every queue has
 * a consumer, time limits against the visibility timeout, cloud-specific keys) live in `checks.ts`,
 * and defaults that depend on other keys live in `resolve.ts`. Descriptions here feed the exported
 * JSON Schema and the generated parameter reference, so they are written for users.
 */
import { z } from 'zod';
import { INTERFACE_ENDPOINT_SERVICES } from './defaults';
import { EXAMPLE_RESULT_EXPIRES_SECONDS, MAX_RESULT_EXPIRES_SECONDS } from './results';
import { seconds, slug, strictObject, wholeNumber, withFix } from './schema-helpers';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Celery matches route patterns with fnmatch; only `*` and `?` are accepted so overlap can be decided exactly. */
const ROUTE_PATTERN = /^[A-Za-z0-9_.*?]+$/;
const TASK_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const QUEUE_NAME = /^[a-z][a-z0-9_.-]{0,59}$/;
const POOL_NAME = /^(?=.{1,20}$)[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export const queueName = z
  .string()
  .regex(
    QUEUE_NAME,
    withFix(
      'must be 1-60 characters of lowercase letters, digits, ".", "_" or "-", starting with a letter',
      'rename the queue, e.g. "email" or "reports-batch"',
    ),
  );

const envVarName = z
  .string()
  .regex(ENV_NAME, withFix('must be UPPER_SNAKE_CASE', 'rename it, e.g. "LOG_LEVEL"'));

const httpsUrl = z
  .url({ error: withFix('must be a URL', 'write a full https:// URL') })
  .regex(/^https:\/\//, withFix('must use https', 'use an https:// URL; identity traffic must be encrypted'));

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const appSecretSchema = strictObject(
  {
    secret: z
      .string({ error: withFix('is required', 'set the full ARN of the secret (AWS) or its id (GCP)') })
      .min(1)
      .meta({ description: 'AWS: the full Secrets Manager ARN of the secret, with its six-character suffix. GCP: the secret id.' }),
    kmsKeyArn: z
      .string()
      .optional()
      .meta({
        description:
          'AWS only: ARN of the customer managed KMS key that encrypts the secret (`arn:aws:kms:<region>:<account>:key/<key id>`). The execution roles then may `kms:Decrypt` with it, only through Secrets Manager. Leave it out for secrets under the AWS managed key `aws/secretsmanager`.',
      }),
  },
  'A secret together with the customer managed key that encrypts it.',
);

const appSchema = strictObject(
  {
    image: z
      .string({ error: withFix('is required', 'set the container image of the Celery app, e.g. "ghcr.io/acme/app:1.4.2"') })
      .min(1)
      .meta({ description: 'Container image of the Celery app, pinned by tag or digest (never `latest`).' }),
    module: z
      .string({ error: withFix('is required', 'set the module passed to `celery -A`, e.g. "myapp"') })
      .regex(TASK_NAME, withFix('must be a Python module path', 'write it as for `celery -A`, e.g. "myapp" or "myapp.celery"'))
      .meta({ description: 'The Celery application module, passed to `celery -A`.' }),
    env: z
      .record(envVarName, z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .meta({ description: 'Plain environment variables for workers and scheduled tasks. Never secrets: use `app.secrets`.' }),
    secrets: z
      .record(envVarName, z.union([z.string().min(1), appSecretSchema]))
      .optional()
      .meta({
        description:
          'Environment variable name -> a secret in the cloud secret store. AWS: the full Secrets Manager ARN, with its six-character suffix (a name is refused); GCP: the Secret Manager secret id. Workers may read exactly these secrets and nothing else. AWS: when a customer managed KMS key encrypts the secret, write `{secret: <full ARN>, kmsKeyArn: <key ARN>}` instead; the execution roles then may `kms:Decrypt` with that key, through Secrets Manager only.',
      }),
  },
  'The Celery application that the workers run.',
);

const redisBrokerSchema = strictObject({
  kind: z.literal('redis').meta({ description: 'Redis protocol broker: ElastiCache (AWS) or Memorystore for Valkey (GCP).' }),
  engine: z
    .enum(['valkey', 'redis'])
    .optional()
    .meta({ description: 'AWS only: ElastiCache engine. GCP always uses Memorystore for Valkey.', default: 'valkey' }),
  engineVersion: z.string().regex(/^\d+(\.\d+){0,2}$/).optional().meta({ description: 'Engine version.', default: '8.0' }),
  nodeType: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Node size: an ElastiCache node type (AWS, default cache.m7g.large) or a Memorystore node type (GCP, default STANDARD_SMALL).' }),
  replicas: wholeNumber(1, 5)
    .optional()
    .meta({ description: 'Read replicas of the primary, in other zones; failover needs at least one.', default: 1 }),
  snapshotRetentionDays: wholeNumber(1, 35)
    .optional()
    .meta({ description: 'Days of daily snapshots kept (AWS).', default: 7 }),
  visibilityTimeout: seconds(60, 7 * 24 * 3600)
    .optional()
    .meta({
      description:
        'Seconds before an unacknowledged task is delivered again. Must be longer than every pool time limit. Default: derived from the longest time limit plus a margin (3600 when no pool has a time limit).',
    }),
});

const rabbitmqBrokerSchema = strictObject({
  kind: z.literal('rabbitmq').meta({ description: 'RabbitMQ with quorum queues: Amazon MQ (AWS) or a 3-node cluster on Compute Engine (GCP).' }),
  engineVersion: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, withFix('must look like "3.13"', 'write a RabbitMQ version, 3.13 or later'))
    .optional()
    .meta({ description: 'RabbitMQ version, 3.13 or later (quorum queues).', default: '3.13' }),
  instanceType: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Broker node size: an Amazon MQ instance type (AWS, default mq.m5.large) or a machine type (GCP, default e2-standard-2).' }),
  diskSizeGb: wholeNumber(20, 10000)
    .optional()
    .meta({ description: 'GCP only: persistent disk per RabbitMQ node, in GB.', default: 50 }),
});

const brokerSchema = z
  .discriminatedUnion('kind', [redisBrokerSchema, rabbitmqBrokerSchema], {
    // A missing broker is "required", not a wrong kind (issue 18).
    error: (issue) =>
      issue.input === undefined
        ? withFix('is required', 'add broker: {kind: redis} (simpler, ~1 s loss window) or broker: {kind: rabbitmq} (acknowledged, durable)')
        : withFix('must be "redis" or "rabbitmq"', 'set broker.kind to redis (simpler, ~1 s loss window) or rabbitmq (acknowledged, durable)'),
  })
  .meta({ description: 'The message broker: a Redis/Valkey or a RabbitMQ (quorum queues) broker.' });

/** `results`: opt in to storing task results, always with an expiry (spec/results.ts says where they go and why). */
const resultsSchema = strictObject(
  {
    expires: z
      .int({
        error: (issue) =>
          issue.input === undefined
            ? withFix('is required', `set results.expires to the seconds a result is kept (results are stored only with an expiry), e.g. ${EXAMPLE_RESULT_EXPIRES_SECONDS} (one day, Celery's default)`)
            : withFix('must be a whole number of seconds, and results always expire', `write e.g. ${EXAMPLE_RESULT_EXPIRES_SECONDS} for one day (not "1d" or "never")`),
      })
      .min(
        1,
        withFix(
          'must be at least 1 second: with 0 Celery stores results without expiry, and they stay in the broker, which never evicts, until it refuses new tasks',
          `set the seconds a result is kept, e.g. ${EXAMPLE_RESULT_EXPIRES_SECONDS} (one day), or remove results to store none`,
        ),
      )
      .max(
        MAX_RESULT_EXPIRES_SECONDS,
        withFix(
          `must be at most ${MAX_RESULT_EXPIRES_SECONDS} seconds (7 days): results wait in the broker's memory for the whole expiry`,
          `lower it to ${MAX_RESULT_EXPIRES_SECONDS} or less, and keep what must last longer in the app's own database`,
        ),
      )
      .meta({
        description: `Seconds a task's result is kept (\`result_expires\`), from 1 to ${MAX_RESULT_EXPIRES_SECONDS} (7 days); Redis deletes it then by itself.`,
      }),
  },
  "Store task results, each for `expires` seconds. Redis broker only: results go to Celery's Redis result backend on the broker's own Redis, so they take broker memory for as long as they are kept (the broker never evicts; size it, docs/tasks.md). On RabbitMQ the file is refused: Celery's rpc:// backend keeps results as messages without expiry. Default: no results (`task_ignore_result = True`), so results can never fill the broker.",
);

const autoscaleSchema = strictObject(
  {
    min: wholeNumber(0, 1000).optional().meta({ description: 'Fewest workers; 0 lets an idle pool scale to zero.', default: 1 }),
    max: wholeNumber(1, 1000).optional().meta({ description: 'Most workers.', default: 10 }),
    backlogPerWorker: wholeNumber(1, 100000)
      .optional()
      .meta({ description: 'Target of waiting tasks per running worker; the pool scales to keep its queue backlog near this. Default: the pool concurrency.' }),
  },
  'Scaling on queue depth (backlog per worker), not CPU.',
);

const workerPoolSchema = strictObject({
  queues: z
    .array(queueName, { error: withFix('must be a list of queue names', 'write e.g. [email, webhooks]') })
    .min(1, withFix('must list at least one queue', 'list the queues this pool consumes, e.g. [email]'))
    .meta({ description: 'Queues this pool consumes (each queue is consumed by exactly one pool).' }),
  pool: z
    .enum(['prefork', 'gevent', 'eventlet', 'threads', 'solo'])
    .optional()
    .meta({ description: 'Celery execution pool (`-P`). gevent/eventlet for I/O-bound tasks, prefork for CPU-bound ones.', default: 'prefork' }),
  concurrency: wholeNumber(1, 5000)
    .optional()
    .meta({ description: 'Tasks one worker runs at once (`-c`). Default: whole vCPUs for prefork (at least 1), 100 for gevent/eventlet, 10 for threads, 1 for solo.' }),
  prefetchMultiplier: wholeNumber(1, 100)
    .optional()
    .meta({ description: 'Messages reserved per concurrency slot. 1 keeps short tasks from waiting behind long ones.', default: 1 }),
  timeLimit: seconds(1, 7 * 24 * 3600).optional().meta({ description: 'Hard time limit per task in seconds (`--time-limit`).' }),
  softTimeLimit: seconds(1, 7 * 24 * 3600)
    .optional()
    .meta({ description: 'Soft time limit in seconds (`--soft-time-limit`); must be below timeLimit.' }),
  cpu: z
    .number({ error: withFix('must be a number of vCPUs', 'write e.g. 0.5, 1 or 2') })
    .positive()
    .max(16)
    .optional()
    .meta({ description: 'vCPUs per worker (0.25-16).', default: 1 }),
  memory: wholeNumber(512, 122880).optional().meta({ description: 'Memory per worker in MiB.', default: 2048 }),
  maxMemoryPerChild: wholeNumber(32, 122880)
    .optional()
    .meta({
      description:
        'prefork only: MiB of resident memory after which a child process is replaced once its task ends (`--max-memory-per-child`), so a leak cannot grow until the kernel kills a task. Default: three quarters of the worker memory shared by the concurrency slots.',
    }),
  spot: z.boolean().optional().meta({ description: 'Run on spot capacity (FARGATE_SPOT / Spot VMs). Tasks must survive interruption.', default: false }),
  autoscale: autoscaleSchema.optional(),
});

/** Group names as the IdP writes them in its groups claim (AWS), or IAM members (GCP). */
const ssoGroups = z.array(z.string().min(1).max(256).regex(/^\S+$/, withFix('a group name has no spaces', 'write each group as its own list item'))).min(1);

const oidcSchema = strictObject(
  {
    issuer: httpsUrl,
    authorizationEndpoint: httpsUrl,
    tokenEndpoint: httpsUrl,
    userInfoEndpoint: httpsUrl,
    clientId: z.string().min(1),
    scope: z
      .string()
      .regex(/^openid( [\x21\x23-\x5b\x5d-\x7e]+)*$/, withFix('must start with "openid" and list scopes separated by single spaces', 'write e.g. "openid email profile groups"'))
      .optional()
      .meta({
        description:
          'Scopes the load balancer requests. The groups claim reaches Flower and Grafana only if the user-info endpoint returns it, which many IdPs do only for an extra scope (e.g. `groups`).',
        default: 'openid email profile',
      }),
  },
  'AWS: the OpenID Connect identity provider the load balancer authenticates against. The client secret is not kept here: it is passed at deploy time as the sensitive Terraform variable `oidc_client_secret`.',
);

const alertsSchema = strictObject(
  {
    notify: strictObject(
      {
        emails: z.array(z.email({ error: withFix('not an email address', 'write e.g. oncall@example.com') })).optional(),
        webhooks: z
          .array(slug(30, 'pagerduty'))
          .optional()
          .meta({
            description:
              'Names of HTTPS webhook endpoints (PagerDuty, Slack, ...). Their URLs carry credentials, so each URL is passed at deploy time as the sensitive Terraform variable `webhook_<name>`.',
          }),
      },
      'Where alerts are sent.',
    ).optional(),
    queueLength: strictObject({
      threshold: wholeNumber(1, 10_000_000).optional().meta({ default: 500 }),
      forMinutes: wholeNumber(1, 1440).optional().meta({ default: 5 }),
    }).optional(),
    runtimeRegression: strictObject({
      ratio: z.number().gt(1).max(100).optional().meta({ description: 'Alert when p95/p99 runtime exceeds this multiple of last week’s.', default: 1.5 }),
      windowMinutes: wholeNumber(5, 1440).optional().meta({ default: 30 }),
      minTasks: wholeNumber(1, 1_000_000)
        .optional()
        .meta({ description: 'Tasks needed in the window (and a week before) to judge a quantile.', default: 50 }),
    }).optional(),
    workersBelowExpected: strictObject({
      forMinutes: wholeNumber(1, 1440).optional().meta({ default: 2 }),
    }).optional(),
    failureSpike: strictObject({
      ratio: z.number().gt(1).max(1000).optional().meta({ description: 'Failure rate over 5 minutes above this multiple of its own baseline.', default: 3 }),
      minFailuresPerMinute: z.number().positive().optional().meta({ description: 'Absolute floor so a quiet task cannot page.', default: 1 }),
    }).optional(),
  },
  'Alert targets and per-alert thresholds.',
);

const monitoringSchema = strictObject(
  {
    domain: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, withFix('must be a DNS name', 'write e.g. "celery.ops.example.com"'))
      .meta({ description: 'DNS name where Flower (/flower) and Grafana (/grafana) are served.' }),
    certificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, withFix('not an ACM certificate ARN', 'copy the ARN of an ACM certificate for monitoring.domain'))
      .optional()
      .meta({ description: 'AWS: ACM certificate for the HTTPS load balancer.' }),
    sso: strictObject(
      {
        oidc: oidcSchema.optional(),
        allowedMembers: z
          .array(
            z
              .string()
              .regex(/^(user|group|domain|serviceAccount):\S+$/, withFix('not an IAM member', 'write e.g. "group:ops@example.com" or "domain:example.com"')),
          )
          .min(1)
          .optional()
          .meta({ description: 'GCP: principals allowed through Identity-Aware Proxy.' }),
        groupsClaim: z
          .string()
          .regex(/^[A-Za-z0-9_:./-]{1,128}$/, withFix('not a claim name', 'write the name of the user-info claim that lists groups, e.g. "groups"'))
          .optional()
          .meta({ description: 'AWS: the user-info claim (in the load balancer\'s signed token) that lists the user\'s groups.', default: 'groups' }),
        flowerGroups: ssoGroups
          .optional()
          .meta({
            description:
              'Who may use Flower, which can revoke tasks and shut workers down. AWS: values of `groupsClaim`, required with `oidc` (there is no safe default). GCP: IAM members given Identity-Aware Proxy access to Flower only; without it, `allowedMembers`.',
          }),
        grafanaAdminGroups: ssoGroups
          .optional()
          .meta({ description: 'AWS: values of `groupsClaim` whose members are Grafana Admins; everyone else admitted is a Viewer.', default: [] }),
        grafanaViewerGroups: ssoGroups
          .optional()
          .meta({ description: 'AWS: values of `groupsClaim` allowed to view Grafana (admins always are). Without it, anyone the IdP signs in may view.' }),
      },
      'Single sign-on in front of every UI route.',
    ),
    alerts: alertsSchema.optional(),
  },
  'Flower, Grafana, Prometheus and alerts.',
);

const scheduleSchema = strictObject({
  cron: z
    .string({ error: withFix('must be a quoted text value', 'write it in quotes, e.g. "0 2 * * *"') })
    .meta({ description: 'Five-field unix cron expression (minute hour day-of-month month day-of-week).' }),
  timezone: z.string().optional().meta({ description: 'IANA time zone of the cron expression.', default: 'UTC' }),
  task: z
    .string()
    .regex(TASK_NAME, withFix('must be a dotted Celery task name', 'write e.g. "myapp.tasks.reports.nightly"'))
    .meta({ description: 'Registered name of the Celery task to send.' }),
  queue: queueName.optional().meta({ description: 'Queue to send to. Default: the queue the task routes select.' }),
  args: z.array(jsonValue).optional().meta({ description: 'Positional arguments (JSON values).' }),
  kwargs: z.record(z.string(), jsonValue).optional().meta({ description: 'Keyword arguments (JSON values).' }),
});

/** Exceptions to the secret check (spec/secret-checks.ts), each reasoned like a policy suppression. */
const notSecretsSchema = z
  .array(
    strictObject({
      key: z.string().min(1).meta({ description: 'Key path of the value, as the error named it, e.g. `app.env.CACHE_KEY_PREFIX` or `schedules.sync.kwargs.token_type`.' }),
      reason: z.string().trim().min(20, withFix('an exception needs a written reason of at least 20 characters', 'say why this value is no secret and who checked')),
    }),
  )
  .optional();

const stateSchema = z
  .discriminatedUnion(
    'backend',
    [
      strictObject({ backend: z.literal('local') }),
      strictObject({
        backend: z.literal('s3'),
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, withFix('not an S3 bucket name', 'use the name of an existing bucket')),
        region: z.string().optional().meta({ description: 'Bucket region. Default: the stack region.' }),
        keyPrefix: z.string().regex(/^[A-Za-z0-9_./-]*$/).optional().meta({ default: 'celerykit' }),
        kmsKeyId: z.string().optional().meta({ description: 'KMS key for state encryption. Default: the bucket default (SSE-S3).' }),
      }),
      strictObject({
        backend: z.literal('gcs'),
        bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, withFix('not a GCS bucket name', 'use the name of an existing bucket')),
        prefix: z.string().regex(/^[A-Za-z0-9_./-]*$/).optional().meta({ default: 'celerykit' }),
      }),
    ],
    { error: withFix('must be local, s3 or gcs', 'set state.backend to s3 (AWS) or gcs (GCP) for shared state') },
  )
  .meta({ description: 'Where Terraform keeps this stack’s state; one key per stack. Default: local.' });

const networkSchema = strictObject(
  {
    cidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, withFix('must be an IPv4 CIDR block', 'write e.g. "10.40.0.0/16"'))
      .optional()
      .meta({
        description:
          'Address range of the network the kit creates: an RFC 1918 range of /16 or smaller. Each zone gets a private subnet (a quarter of the range up to 3 zones, an eighth up to 7) and a small public one; the private subnets must hold twice every pool at autoscale.max in the zones left after losing one.',
        default: '10.40.0.0/16',
      }),
    zones: z
      .array(z.string().min(1))
      .optional()
      .meta({
        description:
          'Zones for subnets, broker replicas and workers, each listed once. AWS: checked against the kit\'s zone table (spec/aws-zones.ts); default: three zones every account of the region has (a/b/c in most regions, a/b/d in ca-central-1). Required in us-west-1, sa-east-1 and ap-northeast-1, where accounts see different letters, and in regions the table lacks. GCP: default none (regional services pick their zones).',
      }),
    interfaceEndpoints: z
      .array(
        z.enum(INTERFACE_ENDPOINT_SERVICES, {
          error: withFix('is not a service the kit can reach through an interface endpoint', `use one of ${INTERFACE_ENDPOINT_SERVICES.join(', ')}`),
        }),
      )
      .optional()
      .meta({
        description:
          'AWS: services the tasks reach through interface VPC endpoints (private DNS, in the private subnets) instead of NAT. Each is billed for every hour it exists in each zone, plus 0.01 USD per GB processed (https://aws.amazon.com/privatelink/pricing/), so 5 endpoints in 3 zones are 15 endpoint-hours every hour; `[]` turns them off. Default in production on a network the kit creates: ecr.api and ecr.dkr when app.image is in this region\'s ECR, logs, secretsmanager, and aps-workspaces with monitoring; none with nonProduction or an existing network. The S3 gateway endpoint (free) is always created on a network the kit creates.',
      }),
    appEgress: z
      .array(
        strictObject({
          port: wholeNumber(1, 65535).meta({ description: 'TCP port the app connects to.' }),
          cidr: z
            .string()
            .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, withFix('must be an IPv4 CIDR block', 'write the address range of the service, e.g. "10.20.0.0/16"'))
            .meta({ description: 'Address range of the service.' }),
        }),
      )
      .optional()
      .meta({
        description:
          'AWS: TCP destinations other than HTTPS that the app code in workers and scheduled tasks connects to (a database, an SMTP relay). Workers reach only the broker and port 443 otherwise.',
      }),
    existing: strictObject(
      {
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/).optional().meta({ description: 'AWS: existing VPC id.' }),
        subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional().meta({ description: 'AWS: private subnets (2 or more zones) with NAT egress.' }),
        publicSubnetIds: z
          .array(z.string().regex(/^subnet-[0-9a-f]+$/))
          .optional()
          .meta({ description: 'AWS: public subnets (2 or more zones) for the monitoring load balancer; needed with monitoring.' }),
        network: z.string().min(1).optional().meta({ description: 'GCP: existing VPC network name or self link.' }),
        subnetwork: z.string().min(1).optional().meta({ description: 'GCP: existing regional subnetwork name or self link.' }),
      },
      'Use an existing network instead of creating one.',
    ).optional(),
  },
  'Network placement. Omit to create a private network.',
);

export const parameterFileSchema = strictObject(
  {
    $schema: z.string().optional().meta({ description: 'Editor hint; ignored by the kit.' }),
    customer: slug(20, 'acme').meta({ description: 'Customer slug; first half of the stack id.' }),
    environment: slug(10, 'prod').meta({ description: 'Environment slug; second half of the stack id `<customer>-<environment>`.' }),
    cloud: z
      .enum(['aws', 'gcp'], { error: (issue) => (issue.input === undefined ? withFix('is required', 'add cloud: aws or cloud: gcp') : withFix('must be "aws" or "gcp"', 'set cloud to aws or gcp')) })
      .meta({ description: 'Cloud to deploy to.' }),
    region: z
      .string({ error: withFix('is required', 'set the cloud region, e.g. "eu-west-1" (AWS) or "europe-west1" (GCP)') })
      .meta({ description: 'Cloud region, e.g. eu-west-1 (AWS) or europe-west1 (GCP).' }),
    project: z.string().optional().meta({ description: 'GCP project id (required on GCP, not allowed on AWS).' }),
    enableApis: z
      .boolean()
      .optional()
      .meta({
        description:
          'GCP: enable every Google API the stack uses (google_project_service, never disabled on destroy) and create each resource after its API. Set false when a landing-zone team owns the project’s APIs; they must then be on before the first apply (docs/gcp.md).',
        default: true,
      }),
    accountId: z
      .string()
      .regex(/^\d{12}$/, withFix('must be a 12-digit AWS account id', 'copy the account id from the AWS console, in quotes, e.g. "123456789012"'))
      .optional()
      .meta({
        description:
          'AWS account id (required on AWS, not allowed on GCP). Terraform refuses to run this stack with credentials of any other account, so one customer is never deployed into another customer’s account.',
      }),
    nonProduction: z
      .boolean()
      .optional()
      .meta({ description: 'Allows cheaper, less available shapes (e.g. a single-instance RabbitMQ on AWS).', default: false }),
    tags: z
      .record(z.string().min(1).max(63), z.string().max(63))
      .optional()
      .meta({ description: 'Extra tags (AWS) or labels (GCP) on every resource. customer, environment and managed-by are added by the kit.' }),
    app: appSchema,
    broker: brokerSchema,
    results: resultsSchema.optional(),
    queues: z
      .record(queueName, z.array(z.string().regex(ROUTE_PATTERN, withFix('may hold only letters, digits, "_", ".", "*" and "?"', 'write e.g. "myapp.tasks.email.*"'))))
      .optional()
      .meta({ description: 'Queue name -> task-name route patterns (fnmatch `*` and `?`). The default queue is added when missing.' }),
    defaultQueue: queueName.optional().meta({ description: 'Queue for tasks no route matches.', default: 'default' }),
    workers: z
      .record(
        z.string().regex(POOL_NAME, withFix('must be 1-20 lowercase letters, digits and hyphens', 'rename the pool, e.g. "fast" or "reports"')),
        workerPoolSchema,
      )
      .meta({ description: 'Worker pools: pool name -> the queues it consumes and how it is sized.' }),
    monitoring: monitoringSchema.optional(),
    beat: z
      .enum(['singleton'])
      .optional()
      .meta({
        description:
          'Run the app’s own celery beat as one singleton service instead of cloud-scheduled `schedules` (AWS). The service never runs two beat processes, even during a deploy.',
      }),
    schedules: z
      .record(slug(40, 'nightly-report'), scheduleSchema)
      .optional()
      .meta({ description: 'Periodic tasks sent by the cloud scheduler (no celery beat).' }),
    state: stateSchema.optional(),
    policy: strictObject(
      {
        suppress: z
          .array(
            strictObject({
              rule: z
                .string()
                .regex(/^CK-[A-Z0-9-]+$/, withFix('is not a policy rule id', 'copy the id from docs/policies.md, e.g. "CK-LOG-RETENTION"')),
              reason: z
                .string()
                .trim()
                .min(20, withFix('a suppression needs a written reason of at least 20 characters', 'say why this stack may break the rule and who decided')),
            }),
          )
          .optional()
          .meta({ description: 'Policy rules this stack may break, each with the reason (printed on every synth).' }),
      },
      'The safety policy pack checked at every synth (docs/policies.md).',
    ).optional(),
    notSecrets: notSecretsSchema
      .meta({ description: 'Values in app.env or schedule arguments that look like secrets but are not, each with the reason; an entry that matches nothing is an error.' }),
    network: networkSchema.optional(),
    allowDestroy: strictObject(
      {
        reason: z
          .string()
          .trim()
          .min(20, withFix('allowing destroy needs a written reason of at least 20 characters', 'say why the broker or its secrets may go, with the ticket and who approved it')),
      },
      'Lets this stack delete or replace its stateful resources (broker, disks, secrets): drops Terraform prevent_destroy and the cloud deletion protection, and lets `celerykit guard` pass such plans. Remove it again after the change.',
    ).optional(),
  },
  'A celerykit parameter file: one customer deployment, one Terraform stack.',
);

export type ParameterFile = z.infer<typeof parameterFileSchema>;
export type WorkerPoolInput = z.infer<typeof workerPoolSchema>;
export type BrokerInput = z.infer<typeof brokerSchema>;
