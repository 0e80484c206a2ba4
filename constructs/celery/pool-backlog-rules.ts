/**
 * Prometheus recording rules with each pool's backlog: the sum of the queue lengths of the
 * queues the pool consumes, zero when they are empty or not yet reported. Cloud autoscalers that
 * can read one series per group (GCP) scale each pool on its own series.
 */
import type { DeploymentSpec } from '../../spec/types';
import { queueNameRegex } from './promql';

export const POOL_BACKLOG_SERIES = 'celerykit_pool_backlog';

/** A Prometheus rule file (YAML) with one recording rule per pool. */
export function poolBacklogRules(spec: DeploymentSpec, evaluationIntervalSeconds = 30): string {
  const lines = ['groups:', '  - name: celerykit-pool-backlog', `    interval: ${evaluationIntervalSeconds}s`, '    rules:'];
  for (const pool of spec.pools) {
    const queues = queueNameRegex(pool.queues);
    lines.push(
      `      - record: ${POOL_BACKLOG_SERIES}`,
      `        expr: 'sum(celery_queue_length{queue_name=~"${queues}"}) or vector(0)'`,
      '        labels:',
      `          stack: ${JSON.stringify(spec.stackId)}`,
      `          pool: ${JSON.stringify(pool.name)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
