/**
 * Dead-letter queues are watched: the exporter reports their length, an alert (checked by the real
 * promtool) fires when one holds a task, and the dashboard shows them. RabbitMQ only; a Redis
 * stack has no dead-letter queue.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertRules, renderAlertRules } from '../../../constructs/celery/alert-rules';
import { deadLetterQueueNames } from '../../../constructs/celery/celery-settings';
import { dashboardQueries } from '../../../constructs/celery/dashboards';
import { celeryExporterArgs } from '../../../constructs/celery/exporter-args';
import { loadParameterFile } from '../../../spec/load';
import type { DeploymentSpec } from '../../../spec/types';
import { tempDir } from '../../helpers/parameter-files';
import { promtoolTestRules } from '../../helpers/promtool';
import { assertToolPresent, requireTool } from '../../helpers/tools';

const promtool = requireTool('dead-letter alert', 'promtool', ['--version'], 'install the Debian package prometheus');

function example(file: string): DeploymentSpec {
  const loaded = loadParameterFile(`customers/${file}`);
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.spec;
}
const rabbit = example('globex-prod.yaml');
const redis = example('acme-prod.yaml');
const ALERT = 'CeleryDeadLetterQueueNotEmpty';

describe('dead-letter queues on RabbitMQ', () => {
  it('are reported by the exporter next to the task queues', () => {
    const queues = celeryExporterArgs(rabbit).find((a) => a.startsWith('--queues='))!.slice('--queues='.length).split(',');
    expect(queues).toEqual([...rabbit.queues.map((q) => q.name), ...rabbit.queues.map((q) => `${q.name}.dead-letter`)]);
    expect(celeryExporterArgs(redis).find((a) => a.startsWith('--queues='))).not.toMatch(/dead-letter/);
  });

  it('have a dashboard panel selecting exactly them, and no panel or alert on Redis', () => {
    const panel = dashboardQueries(rabbit).filter((q) => q.panel === 'Dead-lettered tasks');
    expect(panel).toHaveLength(1);
    expect(panel[0]!.expr).toBe(`max by (queue_name) (celery_queue_length{queue_name=~"${deadLetterQueueNames(rabbit).map((n) => n.replace('.', '\\\\.')).join('|')}"})`);
    expect(dashboardQueries(redis).some((q) => q.panel === 'Dead-lettered tasks')).toBe(false);
    expect(alertRules(redis).some((r) => r.alert === ALERT)).toBe(false);
  });

  it.skipIf(promtool.skip)('page a ticket once a dead-letter queue holds a task for a minute, not for a long task queue', async () => {
    assertToolPresent(promtool);
    const dir = tempDir('celerykit-dlq-alert-');
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, renderAlertRules(rabbit));
    const rule = alertRules(rabbit).find((r) => r.alert === ALERT)!;
    const labels = { stack: rabbit.stackId, severity: 'ticket', queue_name: 'email.dead-letter' };
    const { status, output } = await promtoolTestRules(rules, {
      interval: '1m',
      series: {
        // empty for 5 minutes, then one poison task arrives and stays
        'celery_queue_length{queue_name="email.dead-letter"}': '0x4 1x10',
        'celery_queue_length{queue_name="reports.dead-letter"}': '0x15',
        // a long task queue is another alert's business
        'celery_queue_length{queue_name="email"}': '900x15',
      },
      alertTests: [
        { eval_time: '5m', alertname: ALERT, exp_alerts: [] },
        {
          eval_time: '7m',
          alertname: ALERT,
          exp_alerts: [
            {
              exp_labels: labels,
              exp_annotations: {
                summary: 'email.dead-letter holds 1 dead-lettered tasks',
                description: rule.annotations.description!.replace('{{ $labels.queue_name }}', 'email.dead-letter'),
                runbook: rule.annotations.runbook!,
              },
            },
          ],
        },
      ],
    });
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  }, 90_000);
});
