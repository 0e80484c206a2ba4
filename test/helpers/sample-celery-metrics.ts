/**
 * A deployment's worth of celery-exporter series in which every alert condition holds at `end`:
 * long queues, a pool below its minimum, a failure spike, a runtime regression against last week,
 * and the exporter's own scrape failing.
 */
import type { DeploymentSpec } from '../../spec/types';
import type { SampleSeries } from './prometheus-server';

export function sampleCeleryMetrics(spec: DeploymentSpec, end: number): SampleSeries[] {
  const range = (from: number, step: number) => {
    const times: number[] = [];
    for (let t = from; t <= end; t += step) times.push(t);
    return times;
  };
  const recent = range(end - 2 * 3600, 60);
  const week = range(end - 8 * 24 * 3600, 300);
  const series: SampleSeries[] = [];
  const task = spec.schedules[0]?.task ?? `${spec.app.module}.tasks.sample`;
  const queue = spec.schedules[0]?.queue ?? spec.defaultQueue;
  const taskLabels = { name: task, hostname: 'ip-10-40-1-23', queue_name: queue };

  for (const q of spec.queues) series.push({ name: 'celery_queue_length', labels: { queue_name: q.name }, samples: recent.map((t) => [t, 600]) });
  for (const pool of spec.pools) {
    const live = Math.max(0, pool.expectedWorkers - 1);
    for (const q of pool.queues) series.push({ name: 'celery_active_worker_count', labels: { queue_name: q }, samples: recent.map((t) => [t, live]) });
  }
  // Counters: steady for a week, faster in the last 15 minutes (failures spike).
  const counter = (perMinute: number, spikePerMinute: number) => {
    let total = 0;
    return week.map((t, i) => {
      if (i > 0) total += (t > end - 900 ? spikePerMinute : perMinute) * 5;
      return [t, total] as const;
    });
  };
  for (const state of ['received', 'started', 'succeeded', 'retried']) {
    series.push({ name: `celery_task_${state}_total`, labels: taskLabels, samples: counter(60, 60) });
  }
  series.push({ name: 'celery_task_failed_total', labels: { ...taskLabels, exception: 'TimeoutError' }, samples: counter(1, 30) });
  // Runtime histogram: under a second until the last hour, then between 2.5 and 5 seconds.
  const buckets = [0.5, 1, 2.5, 5, 10];
  const slow = (t: number) => t > end - 3600;
  const histogram = (le: number | '+Inf') => {
    let total = 0;
    return week.map((t, i) => {
      if (i > 0) total += (le === '+Inf' || le >= (slow(t) ? 5 : 1) ? 300 : 0);
      return [t, total] as const;
    });
  };
  for (const le of [...buckets, '+Inf' as const]) series.push({ name: 'celery_task_runtime_bucket', labels: { ...taskLabels, le: String(le) }, samples: histogram(le) });
  series.push({ name: 'celery_task_runtime_count', labels: taskLabels, samples: histogram('+Inf') });
  series.push({ name: 'up', labels: { job: 'celery-exporter', instance: 'localhost:9808' }, samples: recent.map((t) => [t, t > end - 900 ? 0 : 1]) });
  return series;
}
