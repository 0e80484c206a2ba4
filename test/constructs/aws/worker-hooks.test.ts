/**
 * Runs the Python tests of the worker-side hooks with Debian's Python and Celery. Outside CI a
 * machine without python3-celery skips them (and says why); in CI they must run.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import celery'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : `${PYTHON} cannot import celery (install the Debian package python3-celery)`;
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing !== undefined && !inCi) console.warn(`[skipped] worker hook tests: ${missing}`);

describe.skipIf(missing !== undefined && !inCi)('the ECS scale-in protection hook', () => {
  it('holds protection exactly while a real Celery worker runs a task (fake ECS agent on loopback)', () => {
    if (missing !== undefined) throw new Error(`CI must run the worker hook tests, but ${missing}`);
    const r = spawnSync(PYTHON, ['-m', 'unittest', '-v', 'test_celerykit_ecs_protection'], {
      cwd: resolve(__dirname, 'worker-hooks'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/Ran 5 tests/);
    expect(r.stderr).toMatch(/\nOK\n?$/);
  }, 150_000);
});
