/**
 * The alert rules, checked and unit-tested by the real promtool: each alert fires on a series
 * that should fire it and stays silent on one that should not.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertRules, renderAlertRules } from '../../../constructs/celery/alert-rules';
import { loadParameterFile } from '../../../spec/load';
import { tempDir } from '../../helpers/parameter-files';
import { assertToolPresent, requireTool } from '../../helpers/tools';
import { runAsync, runQuick } from '../../helpers/run';

const promtool = requireTool('alert rules', 'promtool', ['--version'], 'install the Debian package prometheus');
const loaded = loadParameterFile('customers/acme-prod.yaml');
if (!loaded.ok) throw new Error('example does not load');
const spec = loaded.spec;
const STACK = spec.stackId;

/** `count` values from `start`, each `step` higher: promtool's "a+bxn" notation (n+1 values). */
const ramp = (start: number, step: number, count: number) => `${start}+${step}x${count - 1}`;

interface AlertCase {
  readonly name: string;
  readonly interval: string;
  readonly series: Array<{ series: string; values: string }>;
  readonly evalTime: string;
  readonly alertname: string;
  /** Labels of the firing alerts expected; empty means silent. */
  readonly firing: Array<Record<string, string>>;
  /** How `{{ $value }}` renders in the firing alert's annotations (after its filter). */
  readonly value?: string;
}

/** The annotations promtool must see: the rule's templates with labels and the value filled in. */
function expectedAnnotations(alertname: string, labels: Record<string, string>, value: string | undefined): Record<string, string> {
  const rule = alertRules(spec).find((r) => r.alert === alertname && (r.labels.pool === undefined || r.labels.pool === labels.pool))!;
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([key, template]) => [
      key,
      template
        .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? '')
        .replace(/\{\{ \$value(?: \| \w+)? \}\}/g, () => value ?? ''),
    ]),
  );
}

async function runPromtoolTests(cases: AlertCase[], evaluationInterval: string): Promise<{ status: number | null; output: string }> {
  const dir = tempDir('celerykit-alerts-');
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, renderAlertRules(spec));
  const tests = {
    rule_files: [rules],
    evaluation_interval: evaluationInterval,
    tests: cases.map((c) => ({
      name: c.name,
      interval: c.interval,
      input_series: c.series,
      alert_rule_test: [
        {
          eval_time: c.evalTime,
          alertname: c.alertname,
          exp_alerts: c.firing.map((labels) => ({ exp_labels: labels, exp_annotations: expectedAnnotations(c.alertname, labels, c.value) })),
        },
      ],
    })),
  };
  const file = join(dir, 'tests.yaml');
  writeFileSync(file, stringify(tests, { lineWidth: 0 }));
  const r = await runAsync('promtool', ['test', 'rules', file], { timeoutMs: 120_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** Week-long histories are evaluated every 5 minutes: rule evaluation over a week at 1 minute takes minutes. */
async function expectCasesPass(cases: AlertCase[], evaluationInterval = '1m'): Promise<void> {
  assertToolPresent(promtool);
  const result = await runPromtoolTests(cases, evaluationInterval);
  expect(result.output).toContain('SUCCESS');
  expect(result.status, result.output).toBe(0);
}

const page = (extra: Record<string, string>) => ({ stack: STACK, severity: 'page', ...extra });

describe.skipIf(promtool.skip)('the rendered alert rules', () => {
  it('pass promtool check rules with the GCP stack selector too', () => {
    assertToolPresent(promtool);
    const file = join(tempDir('celerykit-alerts-'), 'rules.yaml');
    writeFileSync(file, renderAlertRules(spec, { selector: 'cluster="acme-prod"' }));
    const r = runQuick('promtool', ['check', 'rules', file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('celery_queue_length{cluster="acme-prod"}');
  });

  it('pass promtool check rules', () => {
    assertToolPresent(promtool);
    const file = join(tempDir('celerykit-alerts-'), 'rules.yaml');
    writeFileSync(file, renderAlertRules(spec));
    const r = runQuick('promtool', ['check', 'rules', file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${alertRules(spec).length} rules found`);
  });

  it('fire on a queue that stays over 500 for 5 minutes, not on a brief spike or a short queue', async () => {
    await expectCasesPass([
      { name: 'sustained backlog', interval: '1m', series: [{ series: 'celery_queue_length{queue_name="email"}', values: '600x15' }], evalTime: '10m', alertname: 'CeleryQueueTooLong', firing: [page({ queue_name: 'email' })], value: '600' },
      { name: 'brief spike', interval: '1m', series: [{ series: 'celery_queue_length{queue_name="email"}', values: '600x3 10x12' }], evalTime: '10m', alertname: 'CeleryQueueTooLong', firing: [] },
      { name: 'short queue', interval: '1m', series: [{ series: 'celery_queue_length{queue_name="email"}', values: '400x15' }], evalTime: '10m', alertname: 'CeleryQueueTooLong', firing: [] },
    ]);
  });

  it('fire when a pool has fewer live workers than its minimum for 2 minutes, not at its minimum or on a blip', async () => {
    // The fast pool (email, webhooks) has autoscale.min 2.
    const workers = (values: string) => [
      { series: 'celery_active_worker_count{queue_name="email"}', values },
      { series: 'celery_active_worker_count{queue_name="webhooks"}', values },
    ];
    await expectCasesPass([
      { name: 'one worker left', interval: '1m', series: workers('2x2 1x10'), evalTime: '8m', alertname: 'CeleryWorkersBelowExpected', firing: [page({ pool: 'fast' })], value: '1' },
      { name: 'autoscaled pool at its minimum', interval: '1m', series: workers('2x12'), evalTime: '8m', alertname: 'CeleryWorkersBelowExpected', firing: [] },
      { name: 'one-minute blip during a deploy', interval: '1m', series: workers('2x3 1x1 2x8'), evalTime: '8m', alertname: 'CeleryWorkersBelowExpected', firing: [] },
    ]);
  });

  it('never expect workers from a pool that may scale to zero', () => {
    const pools = alertRules(spec).filter((r) => r.alert === 'CeleryWorkersBelowExpected').map((r) => r.labels.pool);
    expect(pools).toEqual(spec.pools.filter((p) => p.autoscale.min > 0).map((p) => p.name));
    expect(pools).not.toContain('ml');
  });

  it('fire on a failure rate far above its own baseline, not on a quiet task failing once or a steady rate', async () => {
    // A day and a bit of history at 1-minute resolution; counters are cumulative.
    const day = 24 * 60;
    const counter = (name: string, baselinePerMinute: number, spikePerMinute: number) => ({
      series: `celery_task_failed_total{name="${name}",hostname="h",exception="Timeout",queue_name="email"}`,
      values: `${ramp(0, baselinePerMinute, day + 1)} ${ramp(baselinePerMinute * (day + 1), spikePerMinute, 20)}`,
    });
    await expectCasesPass([
      { name: 'spike', interval: '1m', series: [counter('myapp.tasks.email.send', 2, 30)], evalTime: `${day + 15}m`, alertname: 'CeleryTaskFailureSpike', firing: [page({ name: 'myapp.tasks.email.send' })], value: '500m' },
      { name: 'steady failures', interval: '1m', series: [counter('myapp.tasks.email.send', 5, 5)], evalTime: `${day + 15}m`, alertname: 'CeleryTaskFailureSpike', firing: [] },
      { name: 'quiet task fails a little more than never', interval: '1m', series: [counter('myapp.tasks.email.rare', 0, 0.2)], evalTime: `${day + 15}m`, alertname: 'CeleryTaskFailureSpike', firing: [] },
    ]);
    // promtool over a day of samples: measured 11.5 s at load average 7 and 19.9 s at 12, on 2 cores: about 4x that.
  }, 80_000);

  it('fire on a p95 and p99 regression against last week, not for a task that ran too rarely', async () => {
    // 5-minute samples over a week and an hour: last week ~all tasks under 1 s; this hour ~all between 2.5 and 5 s.
    const week = (7 * 24 * 60) / 5;
    const steps = 12;
    const histogram = (name: string, perStep: number, regressed = true) => {
      const bucket = (le: string, before: number, regressedAfter: number) => ({
        series: `celery_task_runtime_bucket{name="${name}",hostname="h",queue_name="reports",le="${le}"}`,
        values: `${ramp(0, before, week + 1)} ${ramp(before * (week + 1), regressed ? regressedAfter : before, steps)}`,
      });
      return [
        bucket('0.5', perStep / 2, 0),
        bucket('1', perStep, 0),
        bucket('2.5', perStep, 0),
        bucket('5', perStep, perStep),
        bucket('+Inf', perStep, perStep),
        {
          series: `celery_task_runtime_count{name="${name}",hostname="h",queue_name="reports"}`,
          values: `${ramp(0, perStep, week + 1)} ${ramp(perStep * (week + 1), perStep, steps)}`,
        },
      ];
    };
    const at = `${week * 5 + 55}m`;
    const ticket = (alert: string, name: string, value: string) => ({ alertname: alert, firing: [{ stack: STACK, severity: 'ticket', name }], value });
    await expectCasesPass([
      { name: 'p95 regression', interval: '5m', series: histogram('myapp.tasks.reports.build', 100), evalTime: at, ...ticket('CeleryTaskRuntimeP95Regression', 'myapp.tasks.reports.build', '4.875s') },
      { name: 'p99 regression', interval: '5m', series: histogram('myapp.tasks.reports.build', 100), evalTime: at, ...ticket('CeleryTaskRuntimeP99Regression', 'myapp.tasks.reports.build', '4.975s') },
      { name: 'low-traffic task', interval: '5m', series: histogram('myapp.tasks.reports.rare', 1), evalTime: at, alertname: 'CeleryTaskRuntimeP95Regression', firing: [] },
      { name: 'unchanged runtime', interval: '5m', series: histogram('myapp.tasks.reports.build', 100, false), evalTime: at, alertname: 'CeleryTaskRuntimeP95Regression', firing: [] },
    ], '5m');
  }, 120_000);

  it('fire when the exporter is down, and when it reports nothing, but not while it works', async () => {
    await expectCasesPass([
      { name: 'exporter down', interval: '1m', series: [{ series: 'up{job="celery-exporter"}', values: '1x2 0x10' }, { series: 'celery_queue_length{queue_name="email"}', values: '0x12' }], evalTime: '10m', alertname: 'CeleryExporterDown', firing: [page({ job: 'celery-exporter' })] },
      { name: 'exporter healthy', interval: '1m', series: [{ series: 'up{job="celery-exporter"}', values: '1x20' }, { series: 'celery_queue_length{queue_name="email"}', values: '0x20' }], evalTime: '18m', alertname: 'CeleryExporterSilent', firing: [] },
      { name: 'exporter silent', interval: '1m', series: [{ series: 'up{job="celery-exporter"}', values: '1x30' }, { series: 'celery_queue_length{queue_name="email"}', values: '0x2' }], evalTime: '25m', alertname: 'CeleryExporterSilent', firing: [page({})] },
    ]);
  });
});

describe('the alert runbooks', () => {
  it('point at sections that exist in docs/monitoring.md', () => {
    const doc = readFileSync('docs/monitoring.md', 'utf8');
    for (const rule of alertRules(spec)) {
      const [file, anchor] = rule.annotations.runbook!.split('#');
      expect(file).toBe('docs/monitoring.md');
      expect(doc).toContain(`<a id="${anchor}"></a>`);
    }
  });
});
