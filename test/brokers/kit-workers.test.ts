/**
 * The kit's workers on real brokers with Celery 5.6 (../shared/python-celery, unmodified release
 * sources found by ./celery-5-6.ts, run by Debian's Python): soft shutdown on Redis and RabbitMQ, the poison-message cap
 * and native delayed delivery on RabbitMQ, a three-node RabbitMQ cluster losing its queue leader,
 * and Redis kill -9 with the stack's persistence. Every setting comes from the kit's output: the
 * generated celery_settings.py, and the worker command line, environment and stop window read
 * back from the synthesized stack (the GCE Spot `ml` pool of the GCP examples, the shortest stop
 * window the kit deploys), and the Redis persistence of the stack's Memorystore instance. Each
 * test prints its figures.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { deployedWorker } from '../helpers/deployed-worker';
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

async function runKitPython(module: string, stack: SynthesizedStack, extraEnv: Record<string, string> = {}): Promise<string> {
  const dir = tempDir('celerykit-kit-broker-');
  const settings = join(dir, 'celery_settings.py');
  writeFileSync(settings, celerySettingsModule(stack.spec));
  const pool = stack.spec.pools.find((p) => p.name === POOL)!;
  const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', module], {
    cwd: resolve(__dirname, 'python'),
    env: {
      ...celery56,
      ...extraEnv,
      CELERYKIT_SETTINGS: settings,
      CELERYKIT_WORKER: JSON.stringify(deployedWorker(stack, POOL)),
      CELERYKIT_QUEUE: pool.queues[0]!,
      CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    timeoutMs: 170_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  for (const line of output.split('\n').filter((l) => /^\[(redis|rabbitmq)\]/.test(l))) console.log(line);
  expect(r.status, output).toBe(0);
  return output;
}

describe.skipIf(tools.skip)('the kit worker on real brokers with Celery 5.6', () => {
  it.each(['redis', 'rabbitmq'] as const)('on %s, returns a task cut off by SIGTERM to another worker within the stop window', async (broker) => {
    assertToolPresent(tools);
    const output = await runKitPython('test_soft_shutdown', example(broker), { CELERYKIT_BROKER: broker });
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(new RegExp(`\\[${broker}\\] soft shutdown \\(REMAP_SIGTERM=SIGQUIT, 15 s, stop window 25 s`));
  }, 180_000);

  it('on RabbitMQ, dead-letters a poison task after the delivery limit and keeps countdowns out of worker slots', async () => {
    assertToolPresent(tools);
    const output = await runKitPython('test_rabbitmq_delivery', example('rabbitmq'));
    expect(output).toMatch(/Ran 2 tests/);
    expect(output).toMatch(/x-death reason: delivery_limit/);
    expect(output).toMatch(/tasks held by the worker while waiting: 0/);
  }, 180_000);

  it('on a three-node RabbitMQ cluster, runs every confirmed task although the queue leader is killed mid-publish', async () => {
    assertToolPresent(tools);
    const output = await runKitPython('test_rabbitmq_cluster', example('rabbitmq'));
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(/lost=0/);
  }, 180_000);

  it("on Redis with the stack's persistence, loses at most the last seconds of enqueues to kill -9", async () => {
    assertToolPresent(tools);
    const stack = example('redis');
    const args = redisServerArgs(stack);
    expect(args.slice(0, 4)).toEqual(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const output = await runKitPython('test_redis_persistence', stack, { CELERYKIT_REDIS_ARGS: JSON.stringify(args) });
    expect(output).toMatch(/Ran 1 test/);
  }, 90_000);
});
