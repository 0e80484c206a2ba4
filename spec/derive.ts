/**
 * Values the kit computes from several settings, computed once here and passed down, so the
 * infrastructure, the alerts and the app's Celery settings can never disagree about them.
 */
import type { CeleryPool } from './types';

/** Celery's own default visibility timeout for Redis, used when no pool has a time limit. */
export const CELERY_DEFAULT_VISIBILITY_TIMEOUT = 3600;

/**
 * The Redis visibility timeout: just above the longest hard time limit.
 *
 * Shorter than a running task means a second worker runs it too; much longer means a crashed
 * worker's task waits that long before anyone retries it. The margin (a quarter of the limit, at
 * least 5 minutes) covers worker start-up, a task queued behind a prefetched one, and clock skew.
 */
export function deriveVisibilityTimeout(longestTimeLimit: number | undefined): number {
  if (longestTimeLimit === undefined) return CELERY_DEFAULT_VISIBILITY_TIMEOUT;
  const margin = Math.max(300, Math.ceil(longestTimeLimit * 0.25));
  return Math.ceil((longestTimeLimit + margin) / 60) * 60;
}

/** Histogram upper bounds in seconds; celery-exporter's own default stops at 10 s. */
const RUNTIME_BUCKET_LADDER = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800,
  43200, 86400, 172800, 345600, 604800,
];

/**
 * Runtime histogram buckets that reach past the longest time limit, so p95/p99 of the slowest
 * pool fall inside a bucket instead of in +Inf. Without any limit, tasks are assumed to fit in an
 * hour (the same assumption as the default visibility timeout).
 */
export function deriveRuntimeBuckets(longestTimeLimit: number | undefined): number[] {
  const reach = longestTimeLimit ?? CELERY_DEFAULT_VISIBILITY_TIMEOUT;
  const last = RUNTIME_BUCKET_LADDER.findIndex((b) => b >= reach);
  return RUNTIME_BUCKET_LADDER.slice(0, last < 0 ? RUNTIME_BUCKET_LADDER.length : last + 1);
}

/**
 * Seconds a pool waits after scaling in before it scales in again. Scale-out reacts within a
 * minute; scale-in waits at least 5 minutes, and as long as one task may run (up to an hour), so
 * a pool of long tasks does not shed workers between two batches and start them again.
 */
export function deriveScaleInCooldown(timeLimit: number | undefined): number {
  return Math.min(3600, Math.max(300, timeLimit ?? 300));
}

/**
 * Default `-c` per pool type: one process per whole vCPU for prefork (CPU-bound work gains nothing
 * from more), many greenlets for I/O-bound gevent/eventlet, a handful of threads, one for solo.
 */
export function defaultConcurrency(pool: CeleryPool, cpu: number): number {
  switch (pool) {
    case 'prefork':
      return Math.max(1, Math.floor(cpu));
    case 'gevent':
    case 'eventlet':
      return 100;
    case 'threads':
      return 10;
    case 'solo':
      return 1;
  }
}
