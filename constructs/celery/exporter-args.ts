/**
 * celery-exporter's command line, the same on both clouds: its port, runtime buckets that reach
 * past the longest time limit, every queue reported from the start, and the Redis visibility
 * timeout the app uses.
 */
import type { DeploymentSpec } from '../../spec/types';
import { deadLetterQueueNames } from './celery-settings';
import { CELERY_EXPORTER_PORT } from './images';

export function celeryExporterArgs(spec: DeploymentSpec): string[] {
  return [
    `--port=${CELERY_EXPORTER_PORT}`,
    `--buckets=${spec.derived.runtimeBuckets.join(',')}`,
    // Report every queue from the start: a pool scaled to zero has no worker announcing its queue.
    // The dead-letter queues too, which no worker consumes: their length feeds the dead-letter alert.
    `--queues=${[...spec.queues.map((q) => q.name), ...deadLetterQueueNames(spec)].join(',')}`,
    ...(spec.broker.kind === 'redis' ? [`--broker-transport-option=visibility_timeout=${spec.broker.visibilityTimeout}`] : []),
  ];
}
