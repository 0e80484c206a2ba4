/**
 * Why `results` are refused on RabbitMQ (spec/results.ts): Celery 5.6's rpc:// backend on a real
 * RabbitMQ with the kit's RabbitMQ settings keeps results a sender does not read past
 * result_expires (test/brokers/python/test_rabbitmq_rpc_results.py).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule } from '../../constructs/celery/celery-settings';
import { editBase, problemLines, specFromYaml, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent } from '../helpers/tools';
import { celery56Env, requireCelery56 } from './celery-5-6';

const tools = requireCelery56('RabbitMQ rpc results test', 'shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl")', 'install rabbitmq-server and the Debian packages in scripts/install-test-tools.sh');

const EXPIRES = 3;
const RABBIT = editBase({ 9: '  kind: rabbitmq' });

describe.skipIf(tools.skip)('results on RabbitMQ through rpc://, which the kit refuses', () => {
  it('outlive result_expires while their sender keeps sending without reading them', async () => {
    assertToolPresent(tools);
    expect(problemLines(`${RABBIT}\nresults:\n  expires: ${EXPIRES}`).some((l) => l.includes('error: results: a RabbitMQ broker has no result store'))).toBe(true);
    const settings = join(tempDir('celerykit-rpc-'), 'celery_settings.py');
    writeFileSync(settings, celerySettingsModule(specFromYaml(RABBIT)));
    const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', '-m', 'unittest', '-v', 'test_rabbitmq_rpc_results'], {
      cwd: resolve(__dirname, 'python'),
      env: { ...celery56Env(), CELERYKIT_SETTINGS: settings, CELERYKIT_RESULT_EXPIRES: String(EXPIRES), CELERYKIT_RECORD_DIR: tempDir('celerykit-broker-run-'), PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 240_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    for (const line of output.split('\n').filter((l) => l.includes('[rabbitmq-rpc]'))) console.log(line.slice(line.indexOf('[rabbitmq-rpc]')));
    expect(r.status, output).toBe(0);
    expect(output).toMatch(/Ran 1 test/);
    expect(output).toMatch(/\[rabbitmq-rpc\] \d+ tasks sent/);
  }, 300_000);
});
