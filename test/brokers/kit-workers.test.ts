/**
 * The kit's workers on real brokers with Celery 5.6 (../shared/python-celery, unmodified release
 * sources found by ./celery-5-6.ts, run by Debian's Python): soft shutdown on Redis and RabbitMQ
 * (and, on Redis, the warm shutdown without REMAP_SIGTERM, where the same check must fail), the poison-message cap
 * on both (delivery limit and dead-letter queue on RabbitMQ, one run on Redis) and native delayed
 * delivery on RabbitMQ, a three-node RabbitMQ cluster losing its queue leader, and Redis kill -9
 * with the stack's persistence (and without it, where the same check must fail). Every setting comes from the kit's output: the
 * generated celery_settings.py, and the worker command line, environment and stop window read
 * back from the synthesized stack (the GCE Spot `ml` pool of the GCP examples, the shortest stop
 * window the kit deploys), and the Redis persistence of the stack's Memorystore instance. Each
 * test prints its figures.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { deployedWorker, type DeployedWorker } from '../helpers/deployed-worker';
import { tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { onlyResource, synthesizeDir, type SynthesizedStack } from '../helpers/synth';
import { assertToolPresent } from '../helpers/tools';
import { celery56Env, requireCelery56 } from './celery-5-6';

// Celery 5.6 and the servers: ./celery-5-6.ts finds ../shared/python-celery from main and from a worktree.
const celery56 = celery56Env();
const tools = requireCelery56('Celery 5.6 broker tests', 'shutil.which("redis-server") and shutil.which("rabbitmq-server")', 'install redis-server, rabbitmq-server and the Debian packages in scripts/install-test-tools.sh');

const stacks = synthesizeDir();
const POOL = 'ml';

function example(broker: 'redis' | 'rabbitmq'): SynthesizedStack {
  const stack = stacks.find((s) => s.spec.cloud === 'gcp' && s.spec.broker.kind === broker && s.spec.pools.some((p) => p.name === POOL && p.spot));
  if (stack === undefined) throw new Error(`no GCP example on ${broker} with a Spot pool ${POOL}`);
  return stack;
}

/**
 * redis-server options for the persistence a GCP stack gives Memorystore (persistence_config and
 * engine_configs of google_memorystore_instance), so the kill -9 test runs what the stack deploys.
 */
function redisServerArgs(stack: SynthesizedStack): string[] {
  const instance = onlyResource(stack.json, 'google_memorystore_instance');
  const persistence = instance.persistence_config as { mode: string; aof_config?: { append_fsync: string } };
  const fsync: Record<string, string> = { EVERY_SEC: 'everysec', ALWAYS: 'always', NEVER: 'no' };
  const policy = (instance.engine_configs as Record<string, string>)['maxmemory-policy'] ?? 'noeviction';
  const aof = persistence.mode === 'AOF' ? ['--appendonly', 'yes', '--appendfsync', fsync[persistence.aof_config!.append_fsync]!] : ['--appendonly', 'no'];
  return [...aof, '--save', persistence.mode === 'RDB' ? '3600 1' : '', '--maxmemory-policy', policy];
}

/**
 * Runs one of ./python's test modules (or `module.Class.test`) against the kit's settings and
 * worker and prints the figures it prints. `editSettings` and `worker` change the generated settings
 * and the synthesized worker, only for the checks that show what a setting prevents.
 */
async function runKitPythonRaw(
  module: string,
  stack: SynthesizedStack,
  extraEnv: Record<string, string> = {},
  { editSettings = (s) => s, worker }: { editSettings?: (settings: string) => string; worker?: DeployedWorker } = {},
): Promise<{ status: number | null; output: string }> {
  const dir = tempDir('celerykit-kit-broker-');
  const settings = join(dir, 'celery_settings.py');
  writeFileSync(settings, editSettings(celerySettingsModule(stack.spec)));
  const pool = stack.spec.pools.find((p) => p.name === POOL)!;
  const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', module], {
    cwd: resolve(__dirname, 'python'),
    env: {
      ...celery56,
      ...extraEnv,
      CELERYKIT_SETTINGS: settings,
      CELERYKIT_WORKER: JSON.stringify(worker ?? deployedWorker(stack, POOL)),
      CELERYKIT_QUEUE: pool.queues[0]!,
      CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    timeoutMs: 170_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  for (const line of output.split('\n').filter((l) => /^\[(redis|rabbitmq)\]/.test(l))) console.log(line);
  return { status: r.status, output };
}

async function runKitPython(module: string, stack: SynthesizedStack, extraEnv: Record<string, string> = {}): Promise<string> {
  const { status, output } = await runKitPythonRaw(module, stack, extraEnv);
  expect(status, output).toBe(0);
  return output;
}

// The tests run side by side (up to vitest's maxConcurrency): each starts its own servers on free
// ports and waits on them most of the time (about 78 s of CPU in 210 s when run one after another).
describe.skipIf(tools.skip).concurrent('the kit worker on real brokers with Celery 5.6', () => {
  // The longest first, so that it does not run alone at the end.
  it('on a three-node RabbitMQ cluster, runs every confirmed task although the queue leader is killed mid-publish', async () => {
    assertToolPresent(tools);
    const output = await runKitPython('test_rabbitmq_cluster', example('rabbitmq'));
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(/lost=0/);
  }, 180_000);

  it.each(['redis', 'rabbitmq'] as const)('on %s, returns a task cut off by SIGTERM to another worker within the stop window', async (broker) => {
    assertToolPresent(tools);
    const output = await runKitPython('test_soft_shutdown', example(broker), { CELERYKIT_BROKER: broker });
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(new RegExp(`\\[${broker}\\] soft shutdown \\(REMAP_SIGTERM=SIGQUIT, 15 s, stop window 25 s`));
  }, 180_000);

  it('on Redis without REMAP_SIGTERM (a warm shutdown), the same check fails: the worker is killed and the task waits for the visibility timeout', async () => {
    assertToolPresent(tools);
    const stack = example('redis');
    const deployed = deployedWorker(stack, POOL);
    expect(deployed.env.REMAP_SIGTERM).toBe('SIGQUIT');
    const { REMAP_SIGTERM: _remap, ...warm } = deployed.env;
    const { status, output } = await runKitPythonRaw('test_soft_shutdown', stack, { CELERYKIT_BROKER: 'redis', CELERYKIT_PICKUP_WAIT_SECONDS: '10' }, { worker: { ...deployed, env: warm } });
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/\[redis\] soft shutdown \(REMAP_SIGTERM=None, 15 s, stop window 25 s, visibility timeout 9000\): first worker exited [\d.]+ s after SIGTERM \(killed: True\);.* not within 10 s/);
  }, 120_000);

  it('on RabbitMQ, dead-letters a poison task after the delivery limit and keeps countdowns out of worker slots', async () => {
    assertToolPresent(tools);
    const output = await runKitPython('test_rabbitmq_delivery', example('rabbitmq'));
    expect(output).toMatch(/Ran 2 tests/);
    expect(output).toMatch(/x-death reason: delivery_limit/);
    expect(output).toMatch(/tasks held by the worker while waiting: 0/);
  }, 180_000);

  it('on RabbitMQ with direct exchanges instead of the generated topic ones, the countdown check fails: the worker holds the task', async () => {
    assertToolPresent(tools);
    const toDirect = (settings: string) => {
      const edited = settings.replaceAll('type="topic"', 'type="direct"');
      expect(edited, 'the generated settings declare topic exchanges').not.toBe(settings);
      return edited;
    };
    const countdown = 'test_rabbitmq_delivery.RabbitmqDeliveryTest.test_a_countdown_waits_in_the_broker_not_in_a_worker_slot';
    const { status, output } = await runKitPythonRaw(countdown, example('rabbitmq'), {}, { editSettings: toDirect });
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/\[rabbitmq\] countdown 8 s: tasks held by the worker while waiting: 1; messages in celery_delayed_\* queues: 0/);
    expect(output).toMatch(/AssertionError: 1 != 0/);
  }, 120_000);

  it('on Redis, which counts no deliveries, fails a task that kills its child once instead of returning it', async () => {
    assertToolPresent(tools);
    const output = await runKitPython('test_redis_delivery', example('redis'));
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(/\[redis\] poison task \(task_reject_on_worker_lost=False, .*\): ran 1 time\(s\)/);
  }, 120_000);

  it("on Redis with the stack's persistence, loses at most the last seconds of enqueues to kill -9", async () => {
    assertToolPresent(tools);
    const stack = example('redis');
    const args = redisServerArgs(stack);
    expect(args.slice(0, 4)).toEqual(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const output = await runKitPython('test_redis_persistence', stack, { CELERYKIT_REDIS_ARGS: JSON.stringify(args) });
    expect(output).toMatch(/Ran 1 test/);
  }, 90_000);

  it('with persistence off, the same kill -9 test fails on what it loses', async () => {
    assertToolPresent(tools);
    // Neither AOF nor snapshots: what a Redis without the stack's persistence keeps through kill -9.
    const off = ['--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction'];
    const { status, output } = await runKitPythonRaw('test_redis_persistence', example('redis'), { CELERYKIT_REDIS_ARGS: JSON.stringify(off) });
    expect(status, output).not.toBe(0);
    // It fails on the loss, not on anything else: nothing survived, and more was lost than allowed.
    expect(output).toMatch(/\[redis\] kill -9 while enqueueing \(--appendonly no .*\): \d+ enqueued in 4 s, 0 survived, lost [1-9]\d*/);
    expect(output).toMatch(/AssertionError: \d+ not less than or equal to \d+/);
    expect(output).toMatch(/FAILED \(failures=1\)/);
  }, 90_000);
});
