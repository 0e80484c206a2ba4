/**
 * The per-pool backlog recording rules, checked and unit-tested by the real promtool: a pool's
 * backlog is the sum of exactly its own queues, and zero before any queue is reported.
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

const promtool = requireTool('pool backlog rules', 'promtool', ['--version'], 'install the Debian package prometheus');
const loaded = loadParameterFile('customers/initech-prod.yaml');
if (!loaded.ok) throw new Error('example does not load');
const spec = loaded.spec;

describe.skipIf(promtool.skip)('the pool backlog recording rules', () => {
  const dir = tempDir('celerykit-rules-');
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, poolBacklogRules(spec));

  it('pass promtool check rules', () => {
    assertToolPresent(promtool);
    const r = runQuick('promtool', ['check', 'rules', rules]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${spec.pools.length} rules found`);
  });

  it('sum exactly the queues of each pool, and give 0 while nothing is reported (promtool test rules)', async () => {
    assertToolPresent(promtool);
    const at = (pool: string) => ({ stack: spec.stackId, pool });
    const tests = {
      rule_files: [rules],
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: [
            { series: 'celery_queue_length{queue_name="email"}', values: '10x10' },
            { series: 'celery_queue_length{queue_name="webhooks"}', values: '5x10' },
            { series: 'celery_queue_length{queue_name="reports"}', values: '7x10' },
          ],
          promql_expr_test: [
            { expr: 'celerykit_pool_backlog{pool="fast"}', eval_time: '2m', exp_samples: [{ labels: `celerykit_pool_backlog{stack="${at('fast').stack}",pool="fast"}`, value: 15 }] },
            { expr: 'celerykit_pool_backlog{pool="reports"}', eval_time: '2m', exp_samples: [{ labels: `celerykit_pool_backlog{stack="${spec.stackId}",pool="reports"}`, value: 7 }] },
            { expr: 'celerykit_pool_backlog{pool="ml"}', eval_time: '2m', exp_samples: [{ labels: `celerykit_pool_backlog{stack="${spec.stackId}",pool="ml"}`, value: 0 }] },
          ],
        },
      ],
    };
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify(tests));
    const r = await runAsync('promtool', ['test', 'rules', file], { timeoutMs: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
});
