/**
 * Runs the Python tests of the worker-side hooks with Debian's Python and Celery. Outside CI a
 * machine without python3-celery skips them (and says why); in CI they must run.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from '../../helpers/run';
import { assertToolPresent, requireTool } from '../../helpers/tools';

const python = requireTool('worker hook tests', '/usr/bin/python3', ['-c', 'import celery'], 'install the Debian package python3-celery');

describe.skipIf(python.skip)('the ECS scale-in protection hook', () => {
  it('holds protection exactly while a real Celery worker runs a task (fake ECS agent on loopback)', async () => {
    assertToolPresent(python);
    const r = await runAsync('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_celerykit_ecs_protection'], { cwd: resolve(__dirname, 'worker-hooks'), env: process.env, timeoutMs: 120_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/Ran 5 tests/);
    expect(r.stderr).toMatch(/\nOK\n?$/);
  }, 150_000);
});
