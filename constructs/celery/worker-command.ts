/**
 * Celery command lines, built once from the spec and used by both clouds: the worker of each pool,
 * and the one-shot `celery call` a scheduled run executes. Arrays, not shell strings, so no value
 * is ever re-parsed by a shell.
 */
import type { AppSpec, ScheduleSpec, WorkerPoolSpec } from '../../spec/types';

/**
 * `celery -A <module> worker` for one pool.
 *
 * - `-Q` only the pool's own queues, so a flood on one queue never starves another pool;
 * - `--prefetch-multiplier` always explicit (Celery's default of 4 lets short tasks wait behind
 *   long ones reserved by the same worker);
 * - `-n <pool>@%h` names workers by pool, which the workers-per-pool alert counts;
 * - `-E` sends task events, which celery-exporter needs.
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
