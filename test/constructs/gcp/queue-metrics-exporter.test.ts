/**
 * The GCP exporter VM: one instance, reporting every queue with buckets covering the longest time
 * limit, and a managed Prometheus that records every pool's backlog.
 */
import { deadLetterQueueNames } from '../../../constructs/celery/celery-settings';
import { describe, expect, it } from 'vitest';
import { poolBacklogRules } from '../../../constructs/celery/pool-backlog-rules';
import { resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'gcp');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the queue metrics exporter of %s', (id, stack) => {
  const group = Object.values(resourcesOf(stack.json, 'google_compute_region_instance_group_manager')).find((g) => g.name === `${id}-exporter`)!;
  const template = Object.values(resourcesOf(stack.json, 'google_compute_instance_template')).find((t) => t.name_prefix === `${id}-exporter-`)!;
  const script = String((template.metadata as Record<string, string>)['startup-script']);

  it('runs exactly one VM, so the summed backlog is never counted twice', () => {
    expect(group.target_size).toBe(1);
    // Not even during an update: no surge VM beside the old one.
    expect(group.update_policy).toMatchObject({ max_surge_fixed: 0, replacement_method: 'RECREATE' });
    expect(Object.values(resourcesOf(stack.json, 'google_compute_region_autoscaler')).some((a) => String(a.name).endsWith('-exporter'))).toBe(false);
  });

  it('reports every queue, with runtime buckets past the longest time limit', () => {
    expect(script).toContain(`'--queues=${[...stack.spec.queues.map((q) => q.name), ...deadLetterQueueNames(stack.spec)].join(',')}'`);
    const buckets = /'--buckets=([^']+)'/.exec(script)![1]!.split(',').map(Number);
    expect(buckets[buckets.length - 1]).toBeGreaterThanOrEqual(stack.spec.derived.longestTimeLimit!);
  });

  it('records each pool backlog with the managed Prometheus collector', () => {
    expect(script).toContain(poolBacklogRules(stack.spec).trimEnd());
    expect(script).toContain("'gke.gcr.io/prometheus-engine/prometheus:v2.53.5-gmp.1-gke.2'");
    expect(script).toContain(`'--export.label.cluster=${id}'`);
  });
});
