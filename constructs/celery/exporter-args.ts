/**
 * celery-exporter's command line, the same on both clouds: its port, runtime buckets that reach
 * past the longest time limit, every queue reported from the start, and on Redis a visibility
 * timeout that keeps its inspect calls from ever restoring a task (OBSERVER_VISIBILITY_TIMEOUT).
 */
import type { DeploymentSpec } from '../../spec/types';
import { deadLetterQueueNames } from './celery-settings';
import { CELERY_EXPORTER_PORT } from './images';
import { OBSERVER_VISIBILITY_TIMEOUT } from './redis-users';

export function celeryExporterArgs(spec: DeploymentSpec): string[] {
  return [
    `--port=${CELERY_EXPORTER_PORT}`,
    `--buckets=${spec.derived.runtimeBuckets.join(',')}`,
    // Report every queue from the start: a pool scaled to zero has no worker announcing its queue.
    // The dead-letter queues too, which no worker consumes: their length feeds the dead-letter alert.
    `--queues=${[...spec.queues.map((q) => q.name), ...deadLetterQueueNames(spec)].join(',')}`,
    // Not the app's timeout: the exporter never consumes tasks, and its user may not restore one
    // (redis-users.ts); celery-exporter 0.12.2 reads the value as an int (src/exporter.py:476).
    ...(spec.broker.kind === 'redis' ? [`--broker-transport-option=visibility_timeout=${OBSERVER_VISIBILITY_TIMEOUT}`] : []),
  ];
}
