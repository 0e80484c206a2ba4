/**
 * The kit's Grafana dashboard for one stack, generated from the spec so every pool and queue has
 * its panel: queue length per queue, live workers per pool, task rate by state, failure rate,
 * runtime p50/p95/p99 per task, an estimate of queue wait time, and (RabbitMQ) the tasks in
 * each dead-letter queue.
 */
import type { DeploymentSpec } from '../../spec/types';
import { deadLetterQueueNames } from './celery-settings';
import { queueNameRegex } from './promql';

export interface DashboardPanelQuery {
  readonly panel: string;
  readonly expr: string;
  readonly legend: string;
}

export interface DashboardOptions {
  /**
   * Label matchers selecting the stack's series where stores are shared (GCP), e.g. `cluster="x"`.
   * @default ""
   */
  readonly selector?: string;
}

/** Every query of the dashboard, by panel; also what the tests run against a real Prometheus. */
export function dashboardQueries(spec: DeploymentSpec, options: DashboardOptions = {}): DashboardPanelQuery[] {
  const sel = (extra = '') => `{${[options.selector ?? '', extra].filter(Boolean).join(',')}}`;
  const rate = (metric: string, by = '') => `sum${by ? ` by (${by})` : ''} (rate(${metric}${sel()}[5m]))`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (name, le) (rate(celery_task_runtime_bucket${sel()}[5m])))`;
  return [
    { panel: 'Queue length', expr: `max by (queue_name) (celery_queue_length${sel()})`, legend: '{{queue_name}}' },
    ...spec.pools.map((pool) => ({
      panel: 'Live workers per pool',
      expr: `max(celery_active_worker_count${sel(`queue_name=~"${queueNameRegex(pool.queues)}"`)})`,
      legend: pool.name,
    })),
    ...(['received', 'started', 'succeeded', 'failed', 'retried'] as const).map((state) => ({
      panel: 'Task rate by state',
      expr: rate(`celery_task_${state}_total`),
      legend: state,
    })),
    { panel: 'Failure rate per task', expr: rate('celery_task_failed_total', 'name'), legend: '{{name}}' },
    { panel: 'Runtime per task (p50/p95/p99)', expr: quantile(0.5), legend: 'p50 {{name}}' },
    { panel: 'Runtime per task (p50/p95/p99)', expr: quantile(0.95), legend: 'p95 {{name}}' },
    { panel: 'Runtime per task (p50/p95/p99)', expr: quantile(0.99), legend: 'p99 {{name}}' },
    {
      // Little's law: tasks waiting divided by the rate they start gives the wait a new task sees.
      panel: 'Estimated queue wait',
      expr: `max by (queue_name) (celery_queue_length${sel()}) / clamp_min(sum by (queue_name) (rate(celery_task_started_total${sel()}[5m])), 0.001)`,
      legend: '{{queue_name}}',
    },
    ...(deadLetterQueueNames(spec).length === 0
      ? []
      : [{ panel: 'Dead-lettered tasks', expr: `max by (queue_name) (celery_queue_length${sel(`queue_name=~"${queueNameRegex(deadLetterQueueNames(spec))}"`)})`, legend: '{{queue_name}}' }]),
  ];
}

const UNITS: Record<string, string> = {
  'Queue length': 'short',
  'Live workers per pool': 'short',
  'Task rate by state': 'ops',
  'Failure rate per task': 'ops',
  'Runtime per task (p50/p95/p99)': 's',
  'Estimated queue wait': 's',
  'Dead-lettered tasks': 'short',
};

/** Grafana dashboard JSON (schema 39) reading a Prometheus data source chosen at import. */
export function grafanaDashboard(spec: DeploymentSpec, options: DashboardOptions = {}): Record<string, unknown> {
  const queries = dashboardQueries(spec, options);
  const panels = [...new Set(queries.map((q) => q.panel))].map((title, i) => ({
    id: i + 1,
    type: 'timeseries',
    title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    fieldConfig: { defaults: { unit: UNITS[title] ?? 'short' }, overrides: [] },
    targets: queries
      .filter((q) => q.panel === title)
      .map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend, datasource: { type: 'prometheus', uid: '${datasource}' } })),
  }));
  return {
    uid: `celerykit-${spec.stackId}`.slice(0, 40),
    title: `Celery — ${spec.stackId}`,
    tags: ['celery', 'celerykit', spec.customer, spec.environment],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }] },
    panels,
  };
}
