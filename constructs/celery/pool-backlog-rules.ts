/**
 * Prometheus recording rules with the number of workers each pool needs, used by both clouds'
 * autoscalers (GCP reads the series from Managed Service for Prometheus, AWS from CloudWatch
 * after the exporter task's collector federates it).
 *
 * Load is waiting plus running tasks, and the result never drops below the workers that are
 * running a task, so a pool busy with long tasks and an empty queue is not scaled in. When the
 * exporter stops reporting, the series keeps its last value instead of reading as an empty queue.
 *
 * Mapping workers to pools: celery-exporter 0.12.2 labels `celery_worker_tasks_active` with the
 * host part of the worker's node name only (`get_hostname` drops the `<pool>@` prefix the kit sets
 * with `-n`; danihodovic/celery-exporter src/exporter.py at v0.12.2). The pool is therefore found
 * through the task counters, which carry both `hostname` and `queue_name`: a host that received a
 * task from one of the pool's queues is one of the pool's workers (each queue belongs to one pool).
 * `queue_name` comes from the task-sent event, which the kit's Celery settings switch on
 * (`task_send_sent_event`).
 */
import type { DeploymentSpec, WorkerPoolSpec } from '../../spec/types';
import { CELERY_EXPORTER_PORT } from './images';
import { queueNameRegex } from './promql';

/** Workers a pool needs: max(busy workers, (waiting + running) / backlogPerWorker). */
export const POOL_WORKERS_SERIES = 'celerykit_pool_workers';

/**
 * How long the last value is kept while the exporter reports nothing. Each evaluation writes the
 * held value again, so the hold lasts for the whole outage; the window only has to bridge a
 * restart of Prometheus itself.
 * @default 1h
 */
export const HOLD_WINDOW = '1h';

/** The PromQL pieces of one pool's scaling input, for the rule and for tests. */
export function poolScalingExpressions(stackId: string, pool: WorkerPoolSpec) {
  const queues = `queue_name=~"${queueNameRegex(pool.queues)}"`;
  const poolHosts = `on(hostname) celery_task_received_total{${queues}}`;
  const waiting = `sum(celery_queue_length{${queues}})`;
  // Zero (not missing) while the exporter reports the queues and no worker of the pool runs.
  const zeroWhileReported = `${waiting} * 0`;
  const running = `(sum(celery_worker_tasks_active and ${poolHosts}) or ${zeroWhileReported})`;
  const busy = `(count(celery_worker_tasks_active > 0 and ${poolHosts}) or ${zeroWhileReported})`;
  const demand = `(${waiting} + ${running}) / ${pool.autoscale.backlogPerWorker}`;
  const held = `sum(last_over_time(${POOL_WORKERS_SERIES}{stack="${stackId}",pool="${pool.name}"}[${HOLD_WINDOW}]))`;
  return {
    waiting,
    running,
    busy,
    /** max(demand, busy) while the queues are reported; the last value otherwise. */
    // Whole workers: the GCP autoscaler rounds up anyway, and AWS tracks this against running tasks.
    workers: `ceil(${demand} >= ${busy} or (${busy} and ${waiting})) or ${held}`,
  };
}

/** A Prometheus rule file (YAML) with one recording rule per pool. */
export function poolBacklogRules(spec: DeploymentSpec, evaluationIntervalSeconds = EXPORTER_SCRAPE_SECONDS): string {
  const lines = ['groups:', '  - name: celerykit-pool-workers', `    interval: ${evaluationIntervalSeconds}s`, '    rules:'];
  for (const pool of spec.pools) {
    lines.push(
      `      - record: ${POOL_WORKERS_SERIES}`,
      `        expr: ${JSON.stringify(poolScalingExpressions(spec.stackId, pool).workers)}`,
      '        labels:',
      `          stack: ${JSON.stringify(spec.stackId)}`,
      `          pool: ${JSON.stringify(pool.name)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Seconds between scrapes of the exporter and evaluations of the rules, on both clouds. */
export const EXPORTER_SCRAPE_SECONDS = 30;

/**
 * The configuration of the Prometheus next to celery-exporter (GCP's managed-collection
 * Prometheus, or a plain one in the AWS exporter task): scrape the exporter, evaluate the rules.
 */
export function exporterPrometheusConfig(rulesFile: string): string {
  return [
    'global:',
    `  scrape_interval: ${EXPORTER_SCRAPE_SECONDS}s`,
    `  evaluation_interval: ${EXPORTER_SCRAPE_SECONDS}s`,
    `rule_files: [${rulesFile}]`,
    'scrape_configs:',
    '  - job_name: celery-exporter',
    '    static_configs:',
    `      - targets: ["localhost:${CELERY_EXPORTER_PORT}"]`,
    '',
  ].join('\n');
}
