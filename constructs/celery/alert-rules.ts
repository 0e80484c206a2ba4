/**
 * The kit's alerts as Prometheus rules, written once and rendered for both clouds (Amazon Managed
 * Service for Prometheus takes the file as is; GCP turns each rule into an alert policy).
 *
 * Every alert reads celery-exporter's metrics:
 * - queue too long: a queue's backlog above the threshold for the whole window;
 * - runtime regression: a task's p95 or p99 over the last window above a multiple of the same
 *   quantile one week earlier, judged only when the task ran often enough in both windows;
 * - workers below expected: fewer live workers on a pool's queues than its autoscale minimum;
 * - failure spike: a task's failure rate well above its own rate over the previous day, and above
 *   an absolute floor so a quiet task with one failure cannot page;
 * - exporter down or silent: without it every other alert goes quiet;
 * - dead-letter queue not empty (RabbitMQ): a task reached the delivery limit and no longer runs.
 */
import { stringify } from 'yaml';
import { DEFAULTS } from '../../spec/defaults';
import type { AlertsSpec, DeploymentSpec } from '../../spec/types';
import { DELIVERY_LIMIT, deadLetterQueueNames } from './celery-settings';
import { queueNameRegex } from './promql';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertRuleOptions {
  /**
   * Label matchers that select this stack's series, e.g. `cluster="initech-prod"` where several
   * stacks share one metrics store.
   * @default "" — Amazon Managed Service for Prometheus has one workspace per stack.
   */
  readonly selector?: string;
  /**
   * Scrape job name of the exporter.
   * @default "celery-exporter"
   */
  readonly exporterJob?: string;
}

/** Thresholds from the file, or the playbook defaults when the file has no monitoring block. */
export function alertThresholds(spec: DeploymentSpec): Omit<AlertsSpec, 'emails' | 'webhooks'> {
  return spec.monitoring?.alerts ?? DEFAULTS.alerts;
}

const RUNBOOK = 'docs/monitoring.md';

export function alertRules(spec: DeploymentSpec, options: AlertRuleOptions = {}): AlertRule[] {
  const t = alertThresholds(spec);
  const sel = (extra = '') => `{${[options.selector ?? '', extra].filter(Boolean).join(',')}}`;
  const job = options.exporterJob ?? 'celery-exporter';
  const stack = { stack: spec.stackId };
  const window = `${t.runtimeRegression.windowMinutes}m`;

  const runtime = (quantile: number): AlertRule => {
    const q = (offset: string) =>
      `histogram_quantile(${quantile}, sum by (name, le) (rate(celery_task_runtime_bucket${sel()}[${window}]${offset})))`;
    const ranEnough = (offset: string) => `sum by (name) (increase(celery_task_runtime_count${sel()}[${window}]${offset})) >= ${t.runtimeRegression.minTasks}`;
    const p = Math.round(quantile * 100);
    return {
      alert: `CeleryTaskRuntimeP${p}Regression`,
      expr: `(${q('')} > ${t.runtimeRegression.ratio} * ${q(' offset 1w')}) and on (name) (${ranEnough('')}) and on (name) (${ranEnough(' offset 1w')})`,
      for: '10m',
      labels: { ...stack, severity: 'ticket' },
      annotations: {
        summary: `p${p} runtime of {{ $labels.name }} is more than ${t.runtimeRegression.ratio}x last week's`,
        description: `Over the last ${window}, the p${p} runtime of {{ $labels.name }} is {{ $value | humanizeDuration }}, more than ${t.runtimeRegression.ratio} times the same quantile one week earlier.`,
        runbook: `${RUNBOOK}#runtime-regression`,
      },
    };
  };

  const rules: AlertRule[] = [
    {
      alert: 'CeleryQueueTooLong',
      expr: `max by (queue_name) (celery_queue_length${sel()}) > ${t.queueLength.threshold}`,
      for: `${t.queueLength.forMinutes}m`,
      labels: { ...stack, severity: 'page' },
      annotations: {
        summary: 'Queue {{ $labels.queue_name }} has {{ $value }} waiting tasks',
        description: `More than ${t.queueLength.threshold} tasks have waited in {{ $labels.queue_name }} for ${t.queueLength.forMinutes} minutes: its workers are falling behind.`,
        runbook: `${RUNBOOK}#queue-too-long`,
      },
    },
    runtime(0.95),
    runtime(0.99),
    ...spec.pools
      .filter((pool) => pool.expectedWorkers > 0)
      .map((pool) => ({
        alert: 'CeleryWorkersBelowExpected',
        expr: `max(celery_active_worker_count${sel(`queue_name=~"${queueNameRegex(pool.queues)}"`)}) < ${pool.expectedWorkers}`,
        for: `${t.workersBelowExpected.forMinutes}m`,
        labels: { ...stack, severity: 'page', pool: pool.name },
        annotations: {
          summary: `Pool ${pool.name} has {{ $value }} live workers, expected at least ${pool.expectedWorkers}`,
          description: `Fewer workers than the pool's minimum (${pool.expectedWorkers}) have consumed ${pool.queues.join(', ')} for ${t.workersBelowExpected.forMinutes} minutes.`,
          runbook: `${RUNBOOK}#workers-below-expected`,
        },
      })),
    {
      alert: 'CeleryTaskFailureSpike',
      expr:
        `(sum by (name) (rate(celery_task_failed_total${sel()}[5m])) > ${t.failureSpike.ratio} * sum by (name) (rate(celery_task_failed_total${sel()}[1d] offset 5m)))` +
        ` and (sum by (name) (rate(celery_task_failed_total${sel()}[5m])) * 60 >= ${t.failureSpike.minFailuresPerMinute})`,
      for: '2m',
      labels: { ...stack, severity: 'page' },
      annotations: {
        summary: '{{ $labels.name }} fails far more often than usual',
        description: `{{ $labels.name }} failed at {{ $value | humanize }}/s over 5 minutes, more than ${t.failureSpike.ratio} times its rate over the previous day and at least ${t.failureSpike.minFailuresPerMinute} per minute.`,
        runbook: `${RUNBOOK}#failure-spike`,
      },
    },
    {
      alert: 'CeleryExporterDown',
      expr: `up${sel(`job="${job}"`)} == 0 or absent(up${sel(`job="${job}"`)})`,
      for: '5m',
      labels: { ...stack, severity: 'page' },
      annotations: {
        summary: 'celery-exporter cannot be scraped',
        description: 'Without the exporter, no other Celery alert can fire.',
        runbook: `${RUNBOOK}#exporter-down`,
      },
    },
    {
      alert: 'CeleryExporterSilent',
      expr: `absent_over_time(celery_queue_length${sel()}[10m])`,
      for: '5m',
      labels: { ...stack, severity: 'page' },
      annotations: {
        summary: 'celery-exporter reports no queue lengths',
        description: 'The exporter has reported no queue length for 10 minutes: it cannot reach the broker, or the broker is down.',
        runbook: `${RUNBOOK}#exporter-silent`,
      },
    },
    ...deadLetterAlert(spec, sel),
  ];
  return rules;
}

/**
 * One alert for all dead-letter queues: a message there was delivered DELIVERY_LIMIT + 1 times
 * without an acknowledgement (its task kept killing the worker) and stays there until an operator
 * looks. A ticket, not a page: nothing else waits behind it.
 */
function deadLetterAlert(spec: DeploymentSpec, sel: (extra?: string) => string): AlertRule[] {
  const queues = deadLetterQueueNames(spec);
  if (queues.length === 0) return [];
  return [
    {
      alert: 'CeleryDeadLetterQueueNotEmpty',
      expr: `max by (queue_name) (celery_queue_length${sel(`queue_name=~"${queueNameRegex(queues)}"`)}) > 0`,
      for: '1m',
      labels: { stack: spec.stackId, severity: 'ticket' },
      annotations: {
        summary: '{{ $labels.queue_name }} holds {{ $value }} dead-lettered tasks',
        description: `Tasks in {{ $labels.queue_name }} were delivered more than ${DELIVERY_LIMIT} times without finishing (each run killed its worker, e.g. out of memory) and will not run again by themselves.`,
        runbook: `${RUNBOOK}#dead-letter-queue-not-empty`,
      },
    },
  ];
}

/** The rule file (Prometheus YAML) for one stack. */
export function renderAlertRules(spec: DeploymentSpec, options: AlertRuleOptions = {}): string {
  return stringify({ groups: [{ name: `celerykit-${spec.stackId}`, rules: alertRules(spec, options) }] }, { lineWidth: 0 });
}
