/**
 * The dashboard and the alerts against a real Prometheus on loopback, loaded with sample
 * exporter series: every panel query returns data, and every alert expression evaluates (and
 * returns data where the sample makes its condition true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRules } from '../../../constructs/celery/alert-rules';
import { dashboardQueries, grafanaDashboard } from '../../../constructs/celery/dashboards';
import { loadParameterFile } from '../../../spec/load';
import { PrometheusServer } from '../../helpers/prometheus-server';
import { sampleCeleryMetrics } from '../../helpers/sample-celery-metrics';
import { assertToolPresent, requireTool } from '../../helpers/tools';

const prometheus = requireTool('dashboards against Prometheus', 'prometheus', ['--version'], 'install the Debian package prometheus');
const loaded = loadParameterFile('customers/acme-prod.yaml');
if (!loaded.ok) throw new Error('example does not load');
const spec = loaded.spec;
const END = Math.floor(Date.now() / 1000 / 60) * 60 - 600;

describe('the Grafana dashboard', () => {
  const dashboard = grafanaDashboard(spec) as { uid: string; panels: Array<{ title: string; targets: Array<{ expr: string }> }> };

  it('has the panels operators look at first', () => {
    expect(dashboard.panels.map((p) => p.title)).toEqual([
      'Queue length',
      'Live workers per pool',
      'Task rate by state',
      'Failure rate per task',
      'Runtime per task (p50/p95/p99)',
      'Estimated queue wait',
    ]);
    expect(dashboard.uid).toBe('celerykit-acme-prod');
  });

  it('has one live-workers line per pool', () => {
    expect(dashboard.panels[1]!.targets).toHaveLength(spec.pools.length);
  });
});

describe.skipIf(prometheus.skip)('queries against a real Prometheus loaded with sample exporter series', () => {
  let server: PrometheusServer | undefined;
  beforeAll(async () => {
    assertToolPresent(prometheus);
    server = await PrometheusServer.start(sampleCeleryMetrics(spec, END));
  }, 120_000);
  afterAll(() => server?.stop());

  it.each(dashboardQueries(spec).map((q) => [`${q.panel}: ${q.legend}`, q] as const))('panel %s returns data', async (_name, query) => {
    const result = await server!.query(query.expr, END);
    expect(result.status, result.error).toBe('success');
    expect(result.data!.result.length).toBeGreaterThan(0);
  });

  const firing = alertRules(spec).filter((r) => r.alert !== 'CeleryExporterSilent');
  it.each(firing.map((r) => [`${r.alert}${r.labels.pool ? ` (${r.labels.pool})` : ''}`, r] as const))('alert %s evaluates and fires on the sample', async (_name, rule) => {
    const result = await server!.query(rule.expr, END);
    expect(result.status, result.error).toBe('success');
    expect(result.data!.result.length).toBeGreaterThan(0);
  });

  it('alert CeleryExporterSilent evaluates and stays quiet while queue lengths arrive', async () => {
    const rule = alertRules(spec).find((r) => r.alert === 'CeleryExporterSilent')!;
    const result = await server!.query(rule.expr, END);
    expect(result.status).toBe('success');
    expect(result.data!.result).toEqual([]);
  });
});
