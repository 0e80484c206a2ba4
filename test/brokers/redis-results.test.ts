/**
 * Task results stored as the kit configures them when a file opts in (`results`), on a real
 * redis-server with Celery 5.6: the generated settings and the ACL users as the synthesized stack
 * gives them to ElastiCache, a worker
 * running tasks, a group and a chord, the caller reading results through the backend, and every
 * result key expiring by itself (test/brokers/python/test_redis_results.py).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule, celerySettingsValues } from '../../constructs/celery/celery-settings';
import { REDIS_USER_ROLES, redisUserName, redisUsers } from '../../constructs/celery/redis-users';
import { BROKER_CA_PATH } from '../../constructs/gcp/redis-broker';
import { BASE_FILE, editBase, specFromYaml, tempDir } from '../helpers/parameter-files';
import { resourcesOf, synthesizeYaml } from '../helpers/synth';
import { runAsync } from '../helpers/run';
import { assertToolPresent } from '../helpers/tools';
import { celery56Env, requireCelery56 } from './celery-5-6';

const tools = requireCelery56('Redis results tests', '__import__("redis") and shutil.which("redis-server") and shutil.which("openssl")', 'install redis-server, openssl and the Debian packages in scripts/install-test-tools.sh');

/** Short enough to watch the keys expire within the test. */
const EXPIRES = 3;

describe.skipIf(tools.skip)('task results on a real redis-server with Celery 5.6', () => {
  it('reach the caller through the backend as the app user, and every result key expires by itself', async () => {
    assertToolPresent(tools);
    const stack = synthesizeYaml(`${BASE_FILE}\nresults:\n  expires: ${EXPIRES}`);
    const spec = stack.spec;
    expect(celerySettingsValues(spec).results?.expires).toBe(EXPIRES);
    const settings = join(tempDir('celerykit-redis-results-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(spec));
    // The access strings as the stack gives them to ElastiCache.
    const synthesized = new Map(Object.values(resourcesOf(stack.json, 'aws_elasticache_user')).map((u) => [String(u.user_name), String(u.access_string)]));
    const users = {
      users: REDIS_USER_ROLES.map((role) => ({ role, name: redisUserName(role), accessString: synthesized.get(redisUserName(role))! })),
      defaultAccessString: synthesized.get('default')!,
      queues: spec.queues.map((q) => q.name),
    };
    expect(users.users.every((u) => u.accessString !== undefined) && users.defaultAccessString !== undefined).toBe(true);
    // What the kit grants the app user only because of results: against the same file without the key.
    const commands = (accessString: string) => accessString.split(' ').filter((t) => t.startsWith('+')).map((t) => t.slice(1));
    const without = new Set(commands(redisUsers(specFromYaml(BASE_FILE)).find((u) => u.role === 'app')!.accessString));
    const resultCommands = commands(users.users.find((u) => u.role === 'app')!.accessString).filter((c) => !without.has(c));
    // The TLS part of the app's broker URL as each cloud's stack writes it.
    const queryOf = (json: object) => {
      const match = /\/0\?(ssl_cert_reqs=[A-Za-z0-9_=&/.%-]*)/.exec(JSON.stringify(json));
      return match![1]!;
    };
    const gcp = synthesizeYaml(`${editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-prod-123', 26: 'state:\n  backend: gcs', 27: '', 29: '' })}\nresults:\n  expires: ${EXPIRES}`);
    const urlQueries = { aws: queryOf(stack.json), gcp: queryOf(gcp.json) };
    expect(urlQueries.aws).toBe('ssl_cert_reqs=required');
    expect(urlQueries.gcp).toContain(`ssl_ca_certs=${BROKER_CA_PATH}`);
    const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', 'test_redis_results'], {
      cwd: resolve(__dirname, 'python'),
      env: {
        ...celery56Env(),
        CELERYKIT_SETTINGS: settings,
        CELERYKIT_REDIS_USERS: JSON.stringify(users),
        CELERYKIT_RESULT_EXPIRES: String(EXPIRES),
        CELERYKIT_RESULT_COMMANDS: JSON.stringify(resultCommands),
        CELERYKIT_URL_QUERIES: JSON.stringify(urlQueries),
        CELERYKIT_GCP_CA_PATH: BROKER_CA_PATH,
        CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'),
        PYTHONDONTWRITEBYTECODE: '1',
      },
      timeoutMs: 240_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    for (const line of output.split('\n').filter((l) => l.includes('[redis-results]'))) console.log(line.slice(line.indexOf('[redis-results]')));
    expect(r.status, output).toBe(0);
    expect(output).toMatch(/Ran 7 tests/);
    expect(output).not.toMatch(/skipped/);
    expect(output).toMatch(/\[redis-results\] celery 5\.6\.\d+/);
  }, 300_000);
});
