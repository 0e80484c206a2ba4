/**
 * The app side of a deployment: a Python settings module the Celery app loads with
 * `app.config_from_object("celery_settings")`, generated from the same spec as the
 * infrastructure, so queue names, routes, queue types, the visibility timeout, prefetch and the
 * events the exporter needs can never disagree with what was deployed.
 *
 * Targets Celery 5.5 or later (quorum queue detection, native delayed delivery on quorum queues);
 * older versions ignore the settings they do not know.
 */
import { BROKER_URL_ENV } from '../../spec/defaults';
import type { DeploymentSpec } from '../../spec/types';
import { SOFT_SHUTDOWN_SECONDS_ENV } from './worker-command';

export const CELERY_SETTINGS_FILE = 'celery_settings.py';
export const MINIMUM_CELERY_VERSION = '5.5';

/**
 * Deliveries a RabbitMQ quorum queue allows one message before it dead-letters it (`x-delivery-limit`).
 * A task that kills its worker (OOM, segfault) is returned on every crash; without a cap it runs
 * forever. Five leaves room for a few evictions of a healthy long task.
 */
export const DELIVERY_LIMIT = 5;
/** The exchange every task queue dead-letters to, with the queue's name as routing key. */
export const DEAD_LETTER_EXCHANGE = 'celerykit.dead-letter';
/** The dead-letter queue of a task queue. */
export const deadLetterQueueName = (queue: string): string => `${queue}.dead-letter`;

/** The dead-letter queues a stack's broker holds: one per task queue on RabbitMQ, none on Redis. */
export function deadLetterQueueNames(spec: DeploymentSpec): string[] {
  return spec.broker.kind === 'rabbitmq' ? spec.queues.map((q) => deadLetterQueueName(q.name)) : [];
}
/**
 * `worker_soft_shutdown_timeout` where the platform does not set SOFT_SHUTDOWN_SECONDS_ENV: the
 * shortest stop window the kit deploys to (a GCE Spot VM's 30 s shutdown period) less the margin.
 */
export const FALLBACK_SOFT_SHUTDOWN_SECONDS = 15;

/** The settings as plain data: what the module sets, for tests and for comparison with the infrastructure. */
export function celerySettingsValues(spec: DeploymentSpec) {
  const rabbit = spec.broker.kind === 'rabbitmq';
  return {
    brokerUrlEnv: BROKER_URL_ENV,
    taskDefaultQueue: spec.defaultQueue,
    queues: spec.queues.map((q) => ({ name: q.name, type: rabbit ? 'quorum' : 'classic' })),
    routes: spec.queues.flatMap((q) => q.routes.map((pattern) => ({ pattern, queue: q.name }))),
    /**
     * Topic, not direct: Celery's native delayed delivery (5.5+) publishes countdowns and ETAs to
     * its `celery_delayed_*` topic exchanges only when the task's exchange is not direct
     * (celery/app/base.py `send_task`); through a direct exchange the message is delivered at once
     * and waits, unacknowledged, in a worker slot. With the queue name as binding key a topic
     * exchange routes exactly as the direct one did (queue names hold no `*` or `#`).
     */
    exchangeType: 'topic' as const,
    deadLetter: rabbit
      ? { exchange: DEAD_LETTER_EXCHANGE, deliveryLimit: DELIVERY_LIMIT, queues: spec.queues.map((q) => ({ queue: q.name, deadLetterQueue: deadLetterQueueName(q.name) })) }
      : undefined,
    visibilityTimeout: spec.broker.kind === 'redis' ? spec.broker.visibilityTimeout : undefined,
    workerPrefetchMultiplier: 1,
    taskAcksLate: true,
    /**
     * On RabbitMQ a task whose child process died goes back to its queue, and the delivery limit
     * ends a poison loop. Redis counts no deliveries, so there the task is failed instead of
     * returned (WorkerLostError): a crash of the whole worker still returns it, after the
     * visibility timeout or at shutdown.
     */
    taskRejectOnWorkerLost: rabbit,
    softShutdownEnv: SOFT_SHUTDOWN_SECONDS_ENV,
    fallbackSoftShutdownSeconds: FALLBACK_SOFT_SHUTDOWN_SECONDS,
    /**
     * Where results go when the file opts in (`results`, Redis brokers only, spec/results.ts):
     * Celery's Redis backend on the broker's own URL, so on the broker's Redis with the app's user,
     * each result kept `expires` seconds.
     */
    results: spec.results === undefined ? undefined : { backendUrlEnv: BROKER_URL_ENV, expires: spec.results.expires },
    /** No result is stored unless the file opts in: results left in a `noeviction` broker fill it (issue 17 item 6). */
    taskIgnoreResult: spec.results === undefined,
    quorumQueues: rabbit,
  };
}

const py = (value: unknown): string => {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
};

function deadLetterLines(d: NonNullable<ReturnType<typeof celerySettingsValues>['deadLetter']>): string[] {
  return [
    `# Poison messages: a quorum queue dead-letters a message after ${d.deliveryLimit} deliveries into <queue>.dead-letter.`,
    `DELIVERY_LIMIT = ${d.deliveryLimit}`,
    `DEAD_LETTER_EXCHANGE = ${py(d.exchange)}`,
    '_dead_letter_exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct")',
    'celerykit_dead_letter_queues = (',
    ...d.queues.map((q) => `    Queue(${py(q.deadLetterQueue)}, _dead_letter_exchange, routing_key=${py(q.queue)}, queue_arguments={"x-queue-type": "quorum"}),`),
    ')',
    '',
    '',
    '# No worker consumes a dead-letter queue (-Q names only task queues), so none would declare one, and',
    '# RabbitMQ drops what it dead-letters to an exchange without a bound queue: declare them when a worker starts.',
    '@worker_ready.connect(weak=False, dispatch_uid="celerykit-dead-letter-queues")',
    'def _declare_dead_letter_queues(sender, **_):',
    '    with sender.app.connection_for_write() as connection:',
    '        for queue in celerykit_dead_letter_queues:',
    '            queue.bind(connection.default_channel).declare()',
    '',
    '',
  ];
}

function noResultLines(ignore: boolean): string[] {
  return [
    '# Store no task results by default (Celery 5.6.3 defaults to False, celery/app/defaults.py): results written to',
    '# a noeviction Redis broker without expiry would fill it until it refuses writes. No result_backend is set.',
    `task_ignore_result = ${py(ignore)}`,
  ];
}

/**
 * The Redis result backend on the broker's URL: the same variable, so no second secret and the
 * app's ACL user; `rediss://...?ssl_cert_reqs=required` (and `ssl_ca_certs` on GCP) in that URL is
 * what Celery's backend requires for TLS too (celery/backends/redis.py `_params_from_url`).
 */
function resultLines(r: NonNullable<ReturnType<typeof celerySettingsValues>['results']>, ignore: boolean, file: string): string[] {
  return [
    `# Task results (results.expires in ${file}): Celery's Redis backend on the broker's own Redis. Each result key`,
    `# is written with a TTL of result_expires (SETEX), so Redis removes it by itself, with no celery beat cleanup.`,
    '# They share the broker\'s memory, which never evicts: size the broker for the results kept (docs/tasks.md).',
    `result_backend = os.environ["${r.backendUrlEnv}"]`,
    `result_expires = ${r.expires}`,
    `task_ignore_result = ${py(ignore)}`,
  ];
}

export function celerySettingsModule(spec: DeploymentSpec): string {
  const v = celerySettingsValues(spec);
  const rabbit = v.quorumQueues;
  const queueArgs = (queue: string) =>
    v.deadLetter
      ? `, queue_arguments={"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT, "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": ${py(queue)}}`
      : '';
  const lines = [
    `"""Celery settings for the ${spec.stackId} deployment, generated by celerykit from ${spec.sourceFile.split('/').pop()}.`,
    '',
    'Do not edit: change the parameter file and run `npm run synth`. Load it with',
    '`app.config_from_object("celery_settings")`. Written for Celery ' + MINIMUM_CELERY_VERSION + ' or later.',
    '"""',
    'import os',
    '',
    ...(rabbit ? ['from celery.signals import worker_ready'] : []),
    'from kombu import Exchange, Queue',
    '',
    `# The workers receive the broker URL from the cloud secret store in ${BROKER_URL_ENV}.`,
    `broker_url = os.environ["${BROKER_URL_ENV}"]`,
    '# Keep retrying the broker at start and after a failover instead of exiting.',
    'broker_connection_retry_on_startup = True',
    'broker_connection_max_retries = None',
    rabbit
      ? '# Publisher confirms: a publish returns only once the quorum of nodes has the message.\nbroker_transport_options = {"confirm_publish": True}'
      : `# Longer than every pool's time limit (${spec.derived.longestTimeLimit ?? 'none set'} s), or a running task is delivered twice.\nbroker_transport_options = {"visibility_timeout": ${v.visibilityTimeout}}`,
    '',
    `task_default_queue = ${py(v.taskDefaultQueue)}`,
    ...(rabbit ? ['task_default_queue_type = "quorum"', `task_default_exchange_type = ${py(v.exchangeType)}`, '# Celery 5.5+: consume quorum queues without global QoS, which they reject.', 'worker_detect_quorum_queues = True'] : []),
    '# Topic exchanges bound by the queue name: routing as with direct ones, and Celery 5.5+ native',
    '# delayed delivery on RabbitMQ keeps countdowns and ETAs in the broker, not in a worker slot.',
    ...(v.deadLetter ? deadLetterLines(v.deadLetter) : []),
    'task_queues = (',
    ...v.queues.map((q) => `    Queue(${py(q.name)}, Exchange(${py(q.name)}, type=${py(v.exchangeType)}), routing_key=${py(q.name)}${queueArgs(q.name)}),`),
    ')',
    'task_routes = {',
    ...v.routes.map((r) => `    ${py(r.pattern)}: {"queue": ${py(r.queue)}},`),
    '}',
    '',
    '# A task is acknowledged after it ran, and returned to its queue when its worker dies.',
    'task_acks_late = True',
    ...(rabbit
      ? ['# A task whose child process died is returned; the delivery limit above ends a poison loop.']
      : ['# Redis counts no deliveries: a task whose child process died (OOM) is failed, not returned', '# forever. A crash of the whole worker still returns it (visibility timeout, or at shutdown).']),
    `task_reject_on_worker_lost = ${py(v.taskRejectOnWorkerLost)}`,
    '# Soft shutdown (Celery 5.5+): the platform sets REMAP_SIGTERM=SIGQUIT, so SIGTERM lets running tasks',
    `# finish for this long, then returns the rest to their queues before the platform's SIGKILL.`,
    `worker_soft_shutdown_timeout = float(os.environ.get(${py(v.softShutdownEnv)}, ${py(String(v.fallbackSoftShutdownSeconds))}))`,
    ...(v.results === undefined ? noResultLines(v.taskIgnoreResult) : resultLines(v.results, v.taskIgnoreResult, spec.sourceFile.split('/').pop()!)),
    '# One message per slot; each pool also passes --prefetch-multiplier on its command line.',
    `worker_prefetch_multiplier = ${v.workerPrefetchMultiplier}`,
    '# Events for celery-exporter and Flower.',
    'worker_send_task_events = True',
    'task_send_sent_event = True',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
