/**
 * Each pool scales on the workers its own load needs (waiting plus running tasks, recorded by the
 * exporter task's Prometheus) per running task; pools that may idle at zero are started by a step
 * policy when work arrives. A missing need is never filled with 0.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeDir, type ResourceBody } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

interface MetricQuery {
  id: string;
  expression?: string;
  return_data: boolean;
  metric_stat?: { metric: { namespace: string; metric_name: string; dimensions: Array<{ name: string; value: string }> }; stat: string };
}

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('queue-depth scaling of %s', (id, stack) => {
  const targets = Object.values(resourcesOf(stack.json, 'aws_appautoscaling_target'));
  const policies = Object.values(resourcesOf(stack.json, 'aws_appautoscaling_policy'));
  const backlogPolicy = (pool: string): ResourceBody => policies.find((p) => p.name === `${id}-${pool}-backlog-per-worker`)!;

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('gives %s its own scaling target with its bounds', (name, pool) => {
    const matching = targets.filter((t) => t.resource_id === `service/${id}/${name}`);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ min_capacity: pool.autoscale.min, max_capacity: pool.autoscale.max, scalable_dimension: 'ecs:service:DesiredCount' });
  });

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('tracks the workers %s needs per running task, and never fills a missing need with 0', (name) => {
    const config = backlogPolicy(name).target_tracking_scaling_policy_configuration as {
      target_value: number;
      scale_in_cooldown: number;
      scale_out_cooldown: number;
      customized_metric_specification: { metrics: MetricQuery[] };
    };
    expect(config.target_value).toBe(1);
    const metrics = config.customized_metric_specification.metrics;
    const workers = metrics.find((m) => m.id === 'workers')!;
    expect(workers.metric_stat!.metric).toEqual({ namespace: `Celery/${id}`, metric_name: 'celerykit_pool_workers', dimensions: [{ name: 'pool', value: name }] });
    const running = metrics.find((m) => m.id === 'running')!;
    expect(running.metric_stat!.metric).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount' });
    expect(running.metric_stat!.metric.dimensions).toEqual([{ name: 'ClusterName', value: id }, { name: 'ServiceName', value: name }]);
    const returned = metrics.filter((m) => m.return_data);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.expression).toBe('workers / IF(FILL(running, 0) < 1, 1, FILL(running, 0))');
    // An exporter outage must not read as an empty queue (issue 17 item 2).
    expect(metrics.map((m) => m.expression ?? '').join(' ')).not.toMatch(/FILL\(workers/);
    expect(config.scale_out_cooldown).toBe(60);
    expect(config.scale_in_cooldown).toBeGreaterThan(config.scale_out_cooldown);
  });

  it('scales in more slowly for pools with long time limits', () => {
    const reports = backlogPolicy('reports').target_tracking_scaling_policy_configuration as { scale_in_cooldown: number };
    const fast = backlogPolicy('fast').target_tracking_scaling_policy_configuration as { scale_in_cooldown: number };
    expect(reports.scale_in_cooldown).toBe(3600);
    expect(fast.scale_in_cooldown).toBe(300);
  });

  it('starts the first worker of a pool at zero when its queues have a backlog, and only for such pools', () => {
    const alarms = Object.values(resourcesOf(stack.json, 'aws_cloudwatch_metric_alarm'));
    for (const pool of stack.spec.pools) {
      const step = policies.find((p) => p.name === `${id}-${pool.name}-start-from-zero`);
      const alarm = alarms.find((a) => a.alarm_name === `${id}-${pool.name}-backlog-while-idle`);
      if (pool.autoscale.min > 0) {
        expect(step).toBeUndefined();
        expect(alarm).toBeUndefined();
        continue;
      }
      expect(step!.step_scaling_policy_configuration).toMatchObject({ adjustment_type: 'ChangeInCapacity', step_adjustment: [{ metric_interval_lower_bound: '0', scaling_adjustment: 1 }] });
      expect(alarm!.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_appautoscaling_policy\.[^.]+\.arn\}$/)]);
      expect(alarm!.treat_missing_data).toBe('notBreaching');
      const queries = alarm!.metric_query as Array<{ id: string; expression?: string; metric?: { metric_name: string; dimensions: Record<string, string> } }>;
      expect(queries.find((q) => q.id === 'workers')!.metric).toMatchObject({ metric_name: 'celerykit_pool_workers', dimensions: { pool: pool.name } });
      expect(queries.find((q) => q.expression !== undefined)!.expression).toBe('IF(FILL(running, 0) < 1 AND workers > 0, 1, 0)');
    }
  });
});

it('the examples include a pool that may scale to zero, so the start-from-zero path is exercised', () => {
  expect(stacks.some((s) => s.spec.pools.some((p) => p.autoscale.min === 0))).toBe(true);
});
