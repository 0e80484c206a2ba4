/**
 * The kit's least-privilege RabbitMQ users (constructs/celery/rabbitmq-users.ts) on a real
 * RabbitMQ with the management plugin: the kit's own bootstrap program creates them, and Celery
 * and kombu show what each can and cannot do (test/brokers/python/test_rabbitmq_users.py).
 * Uses Celery 5.6 from ../shared/python-celery when it is there (native delayed delivery, quorum
 * queue detection), Debian's Celery otherwise; the log says which ran.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { bootstrapUsersJson, RABBITMQ_USERS_BOOTSTRAP, rabbitmqUsers } from '../../constructs/celery/rabbitmq-users';
import { BASE_FILE, editBase, specFromYaml, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent, requireTool } from '../helpers/tools';
import { CELERY_PATH } from './celery-5-6';

// ./celery-5-6.ts finds ../shared/python-celery from main and from a worktree; a fixed path fell back to Debian's 5.2 there.
const CELERY_56 = CELERY_PATH;

const tools = requireTool(
  'RabbitMQ users tests',
  '/usr/bin/python3',
  ['-c', 'import celery, shutil, sys, glob; sys.exit(0 if shutil.which("rabbitmq-server") and glob.glob("/usr/lib/rabbitmq/lib/*/plugins/rabbitmq_management-*") else 1)'],
  'install the Debian packages rabbitmq-server and python3-celery',
);

describe.skipIf(tools.skip)('the RabbitMQ users on a real RabbitMQ', () => {
  it('are created by the bootstrap, and each can do what its component needs and nothing of the others', async () => {
    assertToolPresent(tools);
    const spec = specFromYaml(editBase({ 9: '  kind: rabbitmq' }));
    expect(BASE_FILE).toContain('kind: redis');
    const dir = tempDir('celerykit-rabbitmq-users-');
    const files = { settings: join(dir, 'celery_settings.py'), users: join(dir, 'users.json'), bootstrap: join(dir, 'bootstrap.py') };
    writeFileSync(files.settings, celerySettingsModule(spec));
    writeFileSync(files.users, bootstrapUsersJson(rabbitmqUsers(spec)));
    writeFileSync(files.bootstrap, RABBITMQ_USERS_BOOTSTRAP);
    const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', 'test_rabbitmq_users'], {
      cwd: resolve(__dirname, 'python'),
      env: {
        ...process.env,
        CELERYKIT_SETTINGS: files.settings,
        CELERYKIT_USERS: files.users,
        CELERYKIT_BOOTSTRAP: files.bootstrap,
        CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'),
        PYTHONDONTWRITEBYTECODE: '1',
        ...(existsSync(join(CELERY_56, 'celery')) ? { PYTHONPATH: CELERY_56 } : {}),
      },
      timeoutMs: 420_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    for (const line of output.split('\n').filter((l) => l.startsWith('[rabbitmq-users]'))) console.log(line);
    expect(r.status, output).toBe(0);
    expect(output).toMatch(/Ran 5 tests/);
    expect(output).not.toMatch(/skipped/);
  }, 480_000);
});
