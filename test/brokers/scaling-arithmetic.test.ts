/**
 * Scaling arithmetic of both clouds, on the kit's own expressions: a live Prometheus on loopback
 * scrapes a stand-in for celery-exporter through a busy-idle-busy day of one pool and then an
 * exporter outage, and evaluates the kit's recording rules in real time (what GCP's autoscaler
 * and, federated to CloudWatch, AWS's read). The recorded need is then fed to the kit's AWS metric
 * math (a small evaluator of exactly its functions) and a model of its two scaling policies.
 * Desired capacity must never drop below the workers that run a task, and must hold when the
 * metric is missing. Every figure is printed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolScalingMath } from '../../constructs/aws/queue-depth-scaling';
import { poolBacklogRules } from '../../constructs/celery/pool-backlog-rules';
import { loadParameterFile } from '../../spec/load';
import { evaluateMetricMath } from '../helpers/metric-math';
import { PrometheusServer } from '../helpers/prometheus-server';
import { busyWorkers, expectedWorkers, oldBacklog, OTHER_POOL_ACTIVE, OTHER_POOL_HOST, POOL_HOSTS, runningTasks, SCENARIO, type ScenarioPhase } from '../helpers/scaling-scenario';
import { assertToolPresent, requireTool } from '../helpers/tools';

const prometheusTool = requireTool('scaling arithmetic', 'prometheus', ['--version'], 'install the Debian package prometheus');
const loaded = loadParameterFile('customers/initech-prod.yaml');
if (!loaded.ok) throw new Error('example does not load');
const spec = loaded.spec;
const pool = spec.pools.find((p) => p.name === 'ml')!;

/** Seconds between scrapes and rule evaluations (the kit uses 30; 1 keeps the test short). */
const INTERVAL = 1;
/** Seconds each phase lasts: enough evaluations for the need to settle. */
const PHASE_SECONDS = 6;
/** Seconds after a phase change in which the previous phase may still show (scrape + evaluation). */
const LAG = 3;

/** What celery-exporter would expose during a phase (or undefined: the exporter is down). */
function exposition(phase: ScenarioPhase): string | undefined {
  if (phase.waiting === undefined) return undefined;
  const lines = [
    ...pool.queues.map((q) => `celery_queue_length{queue_name="${q}"} ${phase.waiting}`),
    'celery_queue_length{queue_name="reports"} 9',
    ...POOL_HOSTS.flatMap((host) => [
      `celery_worker_tasks_active{hostname="${host}"} ${phase.active[host] ?? 0}`,
      `celery_task_received_total{hostname="${host}",queue_name="${pool.queues[0]}",name="ml.train"} 5`,
    ]),
    `celery_worker_tasks_active{hostname="${OTHER_POOL_HOST}"} ${OTHER_POOL_ACTIVE}`,
    `celery_task_received_total{hostname="${OTHER_POOL_HOST}",queue_name="reports",name="reports.render"} 7`,
  ];
  return `${lines.join('\n')}\n`;
}

interface Sample {
  readonly t: number;
  readonly value: number;
}

describe.skipIf(prometheusTool.skip)('scaling arithmetic through a real Prometheus', () => {
  let exporter: Server;
  let prometheus: PrometheusServer;
  let current: ScenarioPhase = SCENARIO[0]!;
  const served: Array<{ t: number; phase: ScenarioPhase }> = [];
  let samples: Sample[] = [];
  /** The recorded need at the end of each phase. */
  const atEnd: number[] = [];

  beforeAll(async () => {
    assertToolPresent(prometheusTool);
    exporter = createServer((_req, res) => {
      // What Prometheus saw, and when: phases switch for the rules at the first scrape after the switch.
      served.push({ t: Date.now() / 1000, phase: current });
      const body = exposition(current);
      if (body === undefined) {
        res.writeHead(503).end('exporter down');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    prometheus = await PrometheusServer.startLive({ rules: poolBacklogRules(spec, INTERVAL), target, intervalSeconds: INTERVAL });

    const series = `celerykit_pool_workers{pool="${pool.name}"}`;
    const recorded = async (): Promise<number> => {
      const r = await prometheus.query(series, Date.now() / 1000);
      const result = (r.data?.result ?? []) as Array<{ value: [number, string] }>;
      return result.length === 0 ? NaN : Number(result[0]!.value[1]);
    };
    const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));
    // The clock starts at the first evaluation, not at Prometheus's start: a loaded machine takes
    // seconds to get there, and the first phase must not be judged before it was seen.
    current = SCENARIO[0]!;
    for (let waited = 0; Number.isNaN(await recorded()) && waited < 60; waited += 0.5) await sleep(0.5);
    const start = Date.now() / 1000;
    for (const [i, phase] of SCENARIO.entries()) {
      current = phase;
      await sleep(PHASE_SECONDS);
      // A busy machine can hold a scrape or an evaluation past the phase; give it up to 15 s more
      // to show the phase's value (the next test still checks every evaluation on the way).
      for (let extra = 0; (await recorded()) !== expectedWorkers(pool, SCENARIO, i) && extra < 15; extra += 0.5) await sleep(0.5);
      atEnd.push(await recorded());
    }
    const range = await prometheus.queryRange(series, start, Date.now() / 1000, INTERVAL);
    const values = ((range.data?.result ?? []) as Array<{ values: Array<[number, string]> }>)[0]?.values ?? [];
    samples = values.map(([t, v]) => ({ t, value: Number(v) }));
  }, 120_000);

  afterAll(() => {
    prometheus?.stop();
    exporter?.close();
  });

  /** The phase the rules saw at `t`: that of the last scrape at or before `t`. */
  const phaseAt = (t: number) => ([...served].reverse().find((s) => s.t <= t) ?? served[0]!).phase;

  it('records, for each phase, max(busy workers, (waiting + running) / backlogPerWorker), and the last value through the outage (GCP reads this series)', () => {
    const rows = SCENARIO.map((phase, i) => ({
      phase: phase.name,
      waiting: phase.waiting ?? 'n/a',
      running: phase.waiting === undefined ? 'n/a' : runningTasks(phase),
      busyWorkers: phase.waiting === undefined ? 'n/a' : busyWorkers(phase),
      oldRuleVMs: Math.ceil(oldBacklog(pool, phase) / pool.autoscale.backlogPerWorker),
      recordedWorkers: atEnd[i],
      expected: expectedWorkers(pool, SCENARIO, i),
    }));
    console.log(`[scaling arithmetic] pool ${pool.name} (backlogPerWorker ${pool.autoscale.backlogPerWorker}), live Prometheus, ${INTERVAL} s scrape and evaluation:`);
    console.table(rows);
    for (const row of rows) expect(row.recordedWorkers, row.phase).toBe(row.expected);
    // The old rule (waiting only, 0 when missing) would have given fewer VMs than busy workers here.
    expect(rows.some((r) => typeof r.busyWorkers === 'number' && r.oldRuleVMs < r.busyWorkers)).toBe(true);
  });

  it('never records fewer workers than are busy, at any evaluation, and never reads the outage as zero', () => {
    expect(samples.length).toBeGreaterThan(SCENARIO.length * (PHASE_SECONDS - LAG));
    let lastBeforeOutage = NaN;
    let below = 0;
    for (const s of samples) {
      const phase = phaseAt(s.t);
      const earlier = phaseAt(s.t - LAG);
      if (phase.waiting === undefined) {
        if (earlier.waiting === undefined) expect(s.value, `outage sample at ${s.t}`).toBe(lastBeforeOutage);
        continue;
      }
      lastBeforeOutage = s.value;
      const floor = Math.min(busyWorkers(phase), earlier.waiting === undefined ? Infinity : busyWorkers(earlier));
      if (s.value < floor) below++;
    }
    console.log(`[scaling arithmetic] ${samples.length} evaluations, ${below} below the busy workers; outage held at ${lastBeforeOutage}`);
    expect(below).toBe(0);
    expect(lastBeforeOutage).toBeGreaterThan(0);
  });

  it('on AWS, the metric math and both policies keep capacity at or above the busy workers and hold when the metric is missing', () => {
    const math = poolScalingMath();
    const { min, max } = pool.autoscale;
    /** Target tracking (target 1) and start-from-zero, as configured: one step of each per period. */
    const step = (capacity: number, workers: number | undefined) => {
      const running = capacity === 0 ? undefined : capacity;
      let next = capacity;
      if ((evaluateMetricMath(math.idleWithWork, { workers, running }) ?? 0) >= 1) next = Math.min(max, next + 1);
      const ratio = evaluateMetricMath(math.workersPerRunningTask, { workers, running: next === 0 ? undefined : next });
      // No data point: the alarms are INSUFFICIENT_DATA and nothing scales.
      if (ratio !== undefined && next > 0) next = Math.min(max, Math.max(min, Math.ceil(next * ratio)));
      return { next, ratio };
    };
    /** The old expression, FILL(q, 0) / running tracked at backlogPerWorker, for comparison. */
    const oldStep = (capacity: number, queued: number | undefined) => {
      const r = capacity === 0 ? undefined : capacity;
      const value = evaluateMetricMath('FILL(q0, 0) / IF(FILL(running, 0) < 1, 1, FILL(running, 0))', { q0: queued, running: r });
      if (capacity === 0) return (queued ?? 0) > 0 ? 1 : 0;
      return Math.min(max, Math.max(min, Math.ceil((capacity * value!) / pool.autoscale.backlogPerWorker)));
    };

    const rows: Array<Record<string, string | number>> = [];
    let capacity = min;
    let old = min;
    let heldBeforeOutage = NaN;
    SCENARIO.forEach((phase, i) => {
      // When only celery-exporter is silent, Prometheus holds the need (atEnd); when the whole
      // exporter task is gone, CloudWatch has no data point at all.
      const variants = phase.waiting === undefined ? [['exporter silent', atEnd[i]] as const, ['exporter task gone', undefined] as const] : [['', atEnd[i]] as const];
      for (const [variant, workers] of variants) {
        let ratio: number | undefined;
        for (let period = 0; period < 3; period++) ({ next: capacity, ratio } = step(capacity, workers));
        for (let period = 0; period < 3; period++) old = oldStep(old, phase.waiting === undefined ? undefined : oldBacklog(pool, phase));
        rows.push({ phase: `${phase.name}${variant ? ` (${variant})` : ''}`, workersMetric: workers ?? 'missing', ratio: ratio ?? 'no data', desired: capacity, busyWorkers: phase.waiting === undefined ? 'n/a' : busyWorkers(phase), oldDesired: old });
        if (phase.waiting === undefined) expect(capacity, `${phase.name} ${variant}`).toBe(heldBeforeOutage);
        else expect(capacity, phase.name).toBeGreaterThanOrEqual(busyWorkers(phase));
      }
      if (phase.waiting !== undefined) heldBeforeOutage = capacity;
    });
    console.log(`[scaling arithmetic] AWS ${pool.name}: min ${min}, max ${max}, three one-minute periods per phase (old = FILL(q, 0) tracked at ${pool.autoscale.backlogPerWorker}):`);
    console.table(rows);
    // Start from zero still works: the pool left 0 when work arrived after the idle phase.
    const idle = rows.findIndex((r) => r.phase === 'idle');
    expect(rows[idle]!.desired).toBe(0);
    expect(Number(rows[idle + 1]!.desired)).toBeGreaterThan(0);
    // The old expression scaled the busy pool below its busy workers.
    expect(rows.some((r) => typeof r.busyWorkers === 'number' && Number(r.oldDesired) < r.busyWorkers)).toBe(true);
  });
});
