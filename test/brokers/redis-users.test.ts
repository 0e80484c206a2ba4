/**
 * The kit's Redis/Valkey ACL users (constructs/celery/redis-users.ts) on a real redis-server:
 * the access strings the construct gives ElastiCache, loaded as they are, with Celery 5.6 doing
 * what workers, celery-exporter and Flower do as those users, no ACL denial logged, and what
 * each must not do refused (test/brokers/python/test_redis_users.py). The app user also puts back
 * the task of a worker stopped by SIGTERM or killed: the workers there get the shutdown environment
 * the kit gives a GCE Spot pool (the shortest stop window it deploys, so the run stays short).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { celeryExporterArgs } from '../../constructs/celery/exporter-args';
import { DISABLED_DEFAULT_ACCESS_STRING, redisUsers } from '../../constructs/celery/redis-users';
import { workerShutdownEnvironment } from '../../constructs/celery/worker-command';
import { gcpStopWindowSeconds } from '../../constructs/gcp/worker-pool';
import { BASE_FILE, specFromYaml, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent } from '../helpers/tools';
import { celery56Env, requireCelery56 } from './celery-5-6';

const tools = requireCelery56('Redis users tests', '__import__("redis") and shutil.which("redis-server")', 'install redis-server and the Debian packages in scripts/install-test-tools.sh');

describe.skipIf(tools.skip)('the Redis users on a real redis-server with Celery 5.6', () => {
  it('let each component do what it does, the observers\' visibility restores included, log no ACL denial, and refuse administration and, to observers, the tasks', async () => {
    assertToolPresent(tools);
    const spec = specFromYaml(BASE_FILE);
    if (spec.broker.kind !== 'redis') throw new Error(`${BASE_FILE}: broker.kind is ${spec.broker.kind}; this test needs redis`);
    const settings = join(tempDir('celerykit-redis-users-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(spec));
    const users = {
      users: redisUsers(spec),
      defaultAccessString: DISABLED_DEFAULT_ACCESS_STRING,
      queues: spec.queues.map((q) => q.name),
      appVisibilityTimeout: spec.broker.visibilityTimeout,
      exporterArgs: celeryExporterArgs(spec),
    };
    const stopWindowSeconds = gcpStopWindowSeconds({ ...spec.pools[0]!, spot: true });
    const shutdown = { stopWindowSeconds, env: workerShutdownEnvironment(stopWindowSeconds) };
    const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', 'test_redis_users'], {
      cwd: resolve(__dirname, 'python'),
      env: { ...celery56Env(), CELERYKIT_SETTINGS: settings, CELERYKIT_REDIS_USERS: JSON.stringify(users), CELERYKIT_SHUTDOWN: JSON.stringify(shutdown), CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'), PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 420_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    // unittest prints a test's lines after its name: show each from its tag on.
    for (const line of output.split('\n').filter((l) => l.includes('[redis-users]'))) console.log(line.slice(line.indexOf('[redis-users]')));
    expect(r.status, output).toBe(0);
    expect(output).toMatch(/Ran 9 tests/);
    expect(output).not.toMatch(/skipped/);
    expect(output).toMatch(/\[redis-users\] celery 5\.6\.\d+, kombu 5\.6\.\d+/);
  }, 480_000);
});
