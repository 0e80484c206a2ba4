/**
 * The playbook's promises on real brokers from Debian (started on loopback by the Python tests,
 * stopped after each): routing by the generated settings, redelivery of a task whose worker was
 * killed, prefetch 1 against a larger prefetch, and what Redis with AOF every second keeps
 * through kill -9. Their figures are printed to the test log.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { BASE_FILE, editBase, specFromYaml, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent, requireTool } from '../helpers/tools';

const redisTools = requireTool('Redis broker tests', '/usr/bin/python3', ['-c', 'import celery, redis, shutil, sys; sys.exit(0 if shutil.which("redis-server") else 1)'], 'install the Debian packages redis-server, python3-redis and python3-celery');

const rabbitTools = requireTool('RabbitMQ broker tests', '/usr/bin/python3', ['-c', 'import celery, shutil, sys; sys.exit(0 if shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl") else 1)'], 'install the Debian packages rabbitmq-server and python3-celery');

async function runPython(module: string, settings: string): Promise<{ status: number | null; output: string }> {
  const records = tempDir('celerykit-broker-run-');
  const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', module], {
    cwd: resolve(__dirname, 'python'),
    env: { ...process.env, CELERYKIT_SETTINGS: settings, CELERYKIT_RECORD_DIR: records, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 420_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe.skipIf(redisTools.skip)('a real Redis broker with the generated settings', () => {
  it('routes, redelivers a killed task once, shows the prefetch difference and keeps enqueued tasks through kill -9', async () => {
    assertToolPresent(redisTools);
    const settings = join(tempDir('celerykit-broker-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(specFromYaml(BASE_FILE)));
    const { status, output } = await runPython('test_redis_broker', settings);
    for (const line of output.split('\n').filter((l) => l.startsWith('[redis]'))) console.log(line);
    expect(status, output).toBe(0);
    expect(output).toMatch(/Ran 4 tests/);
    expect(output).toMatch(/\[redis\] SIGKILL mid-task: 2 runs, 1 final write/);
  }, 480_000);
});

describe.skipIf(rabbitTools.skip)('a real RabbitMQ broker with the generated settings', () => {
  it('declares quorum queues, confirms publishes, routes, and redelivers a killed task once', async () => {
    assertToolPresent(rabbitTools);
    const settings = join(tempDir('celerykit-broker-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(specFromYaml(editBase({ 9: '  kind: rabbitmq' }))));
    const { status, output } = await runPython('test_rabbitmq_broker', settings);
    for (const line of output.split('\n').filter((l) => l.startsWith('[rabbitmq]'))) console.log(line);
    expect(status, output).toBe(0);
    expect(output).toMatch(/Ran 3 tests/);
    expect(output).toMatch(/'email': 'quorum'/);
  }, 480_000);
});
