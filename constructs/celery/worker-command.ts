/**
 * Celery command lines, built once from the spec and used by both clouds: the worker of each pool,
 * and the one-shot `celery call` a scheduled run executes. Arrays, not shell strings, so no value
 * is ever re-parsed by a shell.
 */
import type { AppSpec, ScheduleSpec, WorkerPoolSpec } from '../../spec/types';

/** Environment variable the generated settings read `worker_soft_shutdown_timeout` from, in seconds. */
export const SOFT_SHUTDOWN_SECONDS_ENV = 'CELERYKIT_SOFT_SHUTDOWN_SECONDS';

/**
 * Seconds kept between the end of the soft shutdown and the platform's SIGKILL: Celery then
 * terminates the children still running, the unacknowledged messages go back (RabbitMQ when the
 * connection closes; kombu's Redis transport restores them when its channel closes,
 * kombu/transport/redis.py `QoS.restore_at_shutdown`), and the process exits.
 */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * How long a worker lets running tasks finish after the platform's SIGTERM, within a stop window
 * (seconds from SIGTERM to SIGKILL).
 */
export function softShutdownSeconds(stopWindowSeconds: number): number {
  return Math.max(1, stopWindowSeconds - SHUTDOWN_MARGIN_SECONDS);
}

/**
 * The worker environment that makes the platform's SIGTERM start Celery's soft shutdown.
 *
 * Plain SIGTERM is a warm shutdown, which waits for every running task however long it takes, so
 * the platform's SIGKILL ends a long task and, on Redis, its message waits for the whole visibility
 * timeout. `REMAP_SIGTERM=SIGQUIT` (read by billiard/common.py) makes Celery 5.5+ handle SIGTERM as
 * a cold shutdown that first waits `worker_soft_shutdown_timeout` (celery/apps/worker.py
 * `on_cold_shutdown`; https://docs.celeryq.dev/en/v5.6.3/userguide/workers.html#soft-shutdown),
 * then cancels what still runs so its message returns to the queue before the container dies.
 */
export function workerShutdownEnvironment(stopWindowSeconds: number): Record<string, string> {
  return { REMAP_SIGTERM: 'SIGQUIT', [SOFT_SHUTDOWN_SECONDS_ENV]: String(softShutdownSeconds(stopWindowSeconds)) };
}

/**
 * `celery -A <module> worker` for one pool.
 *
 * - `-Q` only the pool's own queues, so a flood on one queue never starves another pool;
 * - `--prefetch-multiplier` always explicit (Celery's default of 4 lets short tasks wait behind
 *   long ones reserved by the same worker);
 * - `-n <pool>@%h` puts the pool in the node name for people reading Flower or `celery inspect`;
 *   no alert or scaling rule reads it (celery-exporter keeps only the host part), they find a
 *   pool's workers through its queues: hosts that received tasks from them (pool-backlog-rules.ts),
 *   live workers per queue (alert-rules.ts);
 * - `-E` sends task events, which celery-exporter needs;
 * - `--max-memory-per-child` (prefork only) replaces a child whose resident memory grew past its
 *   share once its task ends, before a leak makes the kernel kill a task mid-run.
 */
export function workerCommand(app: AppSpec, pool: WorkerPoolSpec): string[] {
  return [
    'celery',
    '-A',
    app.module,
    'worker',
    '-Q',
    pool.queues.join(','),
    '-P',
    pool.pool,
    '-c',
    String(pool.concurrency),
    `--prefetch-multiplier=${pool.prefetchMultiplier}`,
    '-n',
    `${pool.name}@%h`,
    '-E',
    ...(pool.timeLimit === undefined ? [] : [`--time-limit=${pool.timeLimit}`]),
    ...(pool.softTimeLimit === undefined ? [] : [`--soft-time-limit=${pool.softTimeLimit}`]),
    ...(pool.maxMemoryPerChildKiB === undefined ? [] : [`--max-memory-per-child=${pool.maxMemoryPerChildKiB}`]),
  ];
}

/** `celery -A <module> call <task>` that a cloud scheduler runs once per firing. */
export function scheduledCallCommand(app: AppSpec, schedule: ScheduleSpec): string[] {
  return [
    'celery',
    '-A',
    app.module,
    'call',
    schedule.task,
    '--queue',
    schedule.queue,
    ...(schedule.args.length === 0 ? [] : ['--args', JSON.stringify(schedule.args)]),
    ...(Object.keys(schedule.kwargs).length === 0 ? [] : ['--kwargs', JSON.stringify(schedule.kwargs)]),
  ];
}
