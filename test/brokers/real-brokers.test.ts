/**
 * The playbook's promises on real brokers from Debian (started on loopback by the Python tests,
 * stopped after each) with Celery 5.6 (./celery-5-6.ts): routing by the generated settings,
 * redelivery of a task whose worker was killed, prefetch 1 against a larger prefetch, what Redis
 * with AOF every second keeps through kill -9, and quorum queues consumed without any test-side
 * QoS patch (Celery 5.6 detects them). Their figures are printed to the test log.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { BASE_FILE, editBase, specFromYaml, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent } from '../helpers/tools';
import { celery56Env, requireCelery56 } from './celery-5-6';

const redisTools = requireCelery56('Redis broker tests', '__import__("redis") and shutil.which("redis-server")', 'install redis-server and the Debian packages in scripts/install-test-tools.sh');

const rabbitTools = requireCelery56('RabbitMQ broker tests', 'shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl")', 'install rabbitmq-server and the Debian packages in scripts/install-test-tools.sh');

/** The Python tests print the Celery their worker reports; the figures below are for 5.6 only. */
const CELERY_LINE = (broker: string): RegExp => new RegExp(`\\[${broker}\\] celery 5\\.6\\.\\d+, kombu 5\\.6\\.\\d+ from .*; worker reports: software -> celery:5\\.6\\.\\d+`);

async function runPython(module: string, settings: string): Promise<{ status: number | null; output: string }> {
  const records = tempDir('celerykit-broker-run-');
  const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', module], {
    cwd: resolve(__dirname, 'python'),
    env: { ...celery56Env(), CELERYKIT_SETTINGS: settings, CELERYKIT_RECORD_DIR: records, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 420_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

// Each test starts its own servers on free ports, so the two suites run side by side.
describe.skipIf(redisTools.skip).concurrent('a real Redis broker with the generated settings and Celery 5.6', () => {
  it('routes, redelivers a killed task once, shows the prefetch difference and keeps enqueued tasks through kill -9', async () => {
    assertToolPresent(redisTools);
    const settings = join(tempDir('celerykit-broker-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(specFromYaml(BASE_FILE)));
    const { status, output } = await runPython('test_redis_broker', settings);
    for (const line of output.split('\n').filter((l) => l.startsWith('[redis]'))) console.log(line);
    expect(status, output).toBe(0);
    expect(output).toMatch(/Ran 5 tests/);
    expect(output).toMatch(CELERY_LINE('redis'));
    expect(output).toMatch(/\[redis\] SIGKILL mid-task: 2 runs, 1 final write/);
  }, 480_000);
});

describe.skipIf(rabbitTools.skip).concurrent('a real RabbitMQ broker with the generated settings and Celery 5.6', () => {
  it('declares quorum queues that workers consume without a QoS patch, confirms publishes, routes, and redelivers a killed task once', async () => {
    assertToolPresent(rabbitTools);
    const settings = join(tempDir('celerykit-broker-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(specFromYaml(editBase({ 9: '  kind: rabbitmq' }))));
    const { status, output } = await runPython('test_rabbitmq_broker', settings);
    for (const line of output.split('\n').filter((l) => l.startsWith('[rabbitmq]'))) console.log(line);
    expect(status, output).toBe(0);
    expect(output).toMatch(/Ran 4 tests/);
    expect(output).toMatch(CELERY_LINE('rabbitmq'));
    expect(output).toMatch(/'email': 'quorum'/);
  }, 480_000);
});
