/**
 * A busy-idle-busy day of one pool, then an exporter outage, as celery-exporter would report it:
 * per-phase queue lengths and per-worker active tasks, with another pool's busy worker alongside
 * (it must never count for this pool). Shared by the rule tests of both clouds.
 */
import type { WorkerPoolSpec } from '../../spec/types';

export interface ScenarioPhase {
  readonly name: string;
  /** Waiting messages per queue of the pool; undefined while the exporter is down. */
  readonly waiting?: number;
  /** Active tasks of each of the pool's workers (by host). */
  readonly active: Readonly<Record<string, number>>;
}

/** Hosts of the pool under test, and one host of another pool that runs tasks throughout. */
export const POOL_HOSTS = ['ip-10-40-1-11', 'ip-10-40-2-12'] as const;
export const OTHER_POOL_HOST = 'ip-10-40-3-13';
export const OTHER_POOL_ACTIVE = 3;

export const SCENARIO: readonly ScenarioPhase[] = [
  { name: 'busy: backlog and every slot taken', waiting: 6, active: { [POOL_HOSTS[0]]: 2, [POOL_HOSTS[1]]: 2 } },
  { name: 'long tasks, empty queue', waiting: 0, active: { [POOL_HOSTS[0]]: 1, [POOL_HOSTS[1]]: 1 } },
  { name: 'idle', waiting: 0, active: { [POOL_HOSTS[0]]: 0, [POOL_HOSTS[1]]: 0 } },
  { name: 'busy again from idle', waiting: 4, active: { [POOL_HOSTS[0]]: 0, [POOL_HOSTS[1]]: 0 } },
  { name: 'long tasks running', waiting: 0, active: { [POOL_HOSTS[0]]: 1, [POOL_HOSTS[1]]: 0 } },
  { name: 'exporter outage', active: {} },
];

/** Tasks running in the pool during a phase. */
export function runningTasks(phase: ScenarioPhase): number {
  return Object.values(phase.active).reduce((a, b) => a + b, 0);
}

/** Workers of the pool that are running a task. */
export function busyWorkers(phase: ScenarioPhase): number {
  return Object.values(phase.active).filter((n) => n > 0).length;
}

/** What the kit's rule must give: ceil(max(busy, (waiting + running) / backlogPerWorker)); the last value in an outage. */
export function expectedWorkers(pool: WorkerPoolSpec, phases: readonly ScenarioPhase[], index: number): number {
  const phase = phases[index]!;
  if (phase.waiting === undefined) return index === 0 ? NaN : expectedWorkers(pool, phases, index - 1);
  const queued = phase.waiting * pool.queues.length;
  return Math.ceil(Math.max(busyWorkers(phase), (queued + runningTasks(phase)) / pool.autoscale.backlogPerWorker));
}

/** The queue length the old rule (waiting only, 0 when missing) gave: what scaled busy pools in. */
export function oldBacklog(pool: WorkerPoolSpec, phase: ScenarioPhase): number {
  return (phase.waiting ?? 0) * pool.queues.length;
}
