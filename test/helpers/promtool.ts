/**
 * `promtool test rules` on a test file built in the test: writes it beside the rules and runs the
 * real promtool (asynchronously, see run.ts).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runAsync } from './run';

/** One promtool test group over `rulesFile`: series sampled every `interval`, evaluated at that interval too. */
export interface PromtoolGroup {
  readonly interval: string;
  readonly series: Record<string, string>;
  readonly alertTests: readonly Record<string, unknown>[];
}

export async function promtoolTestRules(rulesFile: string, group: PromtoolGroup): Promise<{ status: number | null; output: string }> {
  const tests = {
    rule_files: [rulesFile],
    evaluation_interval: group.interval,
    tests: [{ interval: group.interval, input_series: Object.entries(group.series).map(([series, values]) => ({ series, values })), alert_rule_test: group.alertTests }],
  };
  const file = join(dirname(rulesFile), 'promtool-tests.yaml');
  writeFileSync(file, stringify(tests, { lineWidth: 0 }));
  const r = await runAsync('promtool', ['test', 'rules', file], { timeoutMs: 60_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}
