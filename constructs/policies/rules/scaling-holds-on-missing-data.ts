import { block, blocks, type PolicyRule } from '../policy-rule';

/** Namespaces of the kit's own Celery metrics (queue lengths, pool needs): `Celery/<stack>`. */
const CELERY_NAMESPACE = /^Celery\//;

/**
 * A target-tracking policy must not fill a missing Celery metric with a number: an exporter
 * outage would then read as an empty queue and scale busy pools in (issue 17). Left unfilled, the
 * policy's alarms go to INSUFFICIENT_DATA and nothing scales.
 */
export const scalingHoldsOnMissingData: PolicyRule = {
  id: 'CK-SCALING-HOLDS-ON-MISSING-DATA',
  title: 'scaling holds when the Celery metric is missing',
  rationale: 'a filled-in 0 turns an exporter outage into scale-in of busy workers',
  fix: 'leave the Celery metric unfilled in the metric math (FILL only the running-task count)',
  resourceTypes: ['aws_appautoscaling_policy'],
  check: ({ config }) => {
    const tracking = block(config, 'target_tracking_scaling_policy_configuration');
    const metrics = blocks(block(tracking ?? {}, 'customized_metric_specification') ?? {}, 'metrics');
    const celeryIds = new Set(
      metrics
        .filter((m) => CELERY_NAMESPACE.test(String(block(block(m, 'metric_stat') ?? {}, 'metric')?.namespace ?? '')))
        .map((m) => String(m.id)),
    );
    for (const m of metrics) {
      for (const [, id] of String(m.expression ?? '').matchAll(/FILL\(\s*([a-z][A-Za-z0-9_]*)\s*,/g)) {
        if (celeryIds.has(id!)) return `${m.id as string} fills the Celery metric ${id} (FILL(${id}, ...))`;
      }
    }
    return undefined;
  },
};
