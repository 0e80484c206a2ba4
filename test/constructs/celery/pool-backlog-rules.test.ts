/**
 * The per-pool worker-need recording rules, checked and unit-tested by the real promtool: load is
 * waiting plus running tasks of exactly the pool's own workers, never fewer workers than are busy,
 * and the last value is held while the exporter reports nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { poolBacklogRules } from '../../../constructs/celery/pool-backlog-rules';
import { loadParameterFile } from '../../../spec/load';
import { tempDir } from '../../helpers/parameter-files';
import { assertToolPresent, requireTool } from '../../helpers/tools';
import { runAsync, runQuick } from '../../helpers/run';
import { expectedWorkers, OTHER_POOL_ACTIVE, OTHER_POOL_HOST, POOL_HOSTS, SCENARIO } from '../../helpers/scaling-scenario';

const promtool = requireTool('pool worker rules', 'promtool', ['--version'], 'install the Debian package prometheus');
const loaded = loadParameterFile('customers/initech-prod.yaml');
if (!loaded.ok) throw new Error('example does not load');
const spec = loaded.spec;
const ml = spec.pools.find((p) => p.name === 'ml')!;
const reports = spec.pools.find((p) => p.name === 'reports')!;

/** Samples per phase (30 s apart). */
const PER_PHASE = 4;
/** promtool's series notation: each phase's value PER_PHASE times; `stale` then gaps in the outage. */
function notation(value: (phaseIndex: number) => number | undefined): string {
  return SCENARIO.map((_, i) => {
    const v = value(i);
    return v === undefined ? `stale _x${PER_PHASE - 2}` : `${v}x${PER_PHASE - 1}`;
  }).join(' ');
}

describe.skipIf(promtool.skip)('the pool worker-need recording rules', () => {
  const dir = tempDir('celerykit-rules-');
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, poolBacklogRules(spec));

  it('pass promtool check rules', () => {
    assertToolPresent(promtool);
    const r = runQuick('promtool', ['check', 'rules', rules]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${spec.pools.length} rules found`);
  });

  it('count waiting and running tasks of the pool, never fewer than its busy workers, and hold through an outage (promtool test rules)', async () => {
    assertToolPresent(promtool);
    const up = (i: number) => SCENARIO[i]!.waiting !== undefined;
    const input_series = [
      { series: 'celery_queue_length{queue_name="ml"}', values: notation((i) => SCENARIO[i]!.waiting) },
      // Another pool's queue is long throughout; it must not count for ml.
      { series: 'celery_queue_length{queue_name="reports"}', values: notation((i) => (up(i) ? 9 : undefined)) },
      ...POOL_HOSTS.flatMap((host) => [
        { series: `celery_worker_tasks_active{hostname="${host}"}`, values: notation((i) => (up(i) ? (SCENARIO[i]!.active[host] ?? 0) : undefined)) },
        { series: `celery_task_received_total{hostname="${host}",queue_name="ml",name="ml.train"}`, values: notation((i) => (up(i) ? 5 : undefined)) },
      ]),
      { series: `celery_worker_tasks_active{hostname="${OTHER_POOL_HOST}"}`, values: notation((i) => (up(i) ? OTHER_POOL_ACTIVE : undefined)) },
      { series: `celery_task_received_total{hostname="${OTHER_POOL_HOST}",queue_name="reports",name="reports.render"}`, values: notation((i) => (up(i) ? 7 : undefined)) },
    ];
    const evalAt = (i: number) => `${((i + 1) * PER_PHASE - 1) * 30}s`;
    const sample = (pool: string, value: number) => ({ labels: `celerykit_pool_workers{stack="${spec.stackId}",pool="${pool}"}`, value });
    const promql_expr_test = SCENARIO.flatMap((_, i) => [
      { expr: 'celerykit_pool_workers{pool="ml"}', eval_time: evalAt(i), exp_samples: [sample('ml', expectedWorkers(ml, SCENARIO, i))] },
      // reports: 9 waiting + 3 running / 4 per worker = 3, held through the outage.
      { expr: 'celerykit_pool_workers{pool="reports"}', eval_time: evalAt(i), exp_samples: [sample('reports', (9 + OTHER_POOL_ACTIVE) / reports.autoscale.backlogPerWorker)] },
    ]);
    const tests = { rule_files: [rules], evaluation_interval: '30s', tests: [{ interval: '30s', input_series, promql_expr_test }] };
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify(tests));
    const r = await runAsync('promtool', ['test', 'rules', file], { timeoutMs: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
});
