/**
 * The event-loop guard fails the test that holds its worker, and only that one: a test whose worker
 * merely waited for a core on a loaded machine passes.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from '../helpers/run';

const repo = resolve(__dirname, '../..');

describe('the event-loop guard', () => {
  it('fails a test that holds the loop past the limit, names it, and passes one that yields or only waits for a core', async () => {
    const r = await runAsync(join(repo, 'node_modules', '.bin', 'vitest'), ['run', '--config', join(__dirname, 'fixtures', 'vitest.config.ts')], {
      cwd: repo,
      env: { ...process.env, CELERYKIT_BLOCK_LIMIT_MS: '1000', NO_COLOR: '1', FORCE_COLOR: '0' },
      timeoutMs: 120_000,
    });
    const output = r.stdout + r.stderr;
    expect(r.status, output).toBe(1);
    expect(output).toMatch(/× .*holds the loop in one synchronous stretch/);
    expect(output).toMatch(/"holds the loop in one synchronous stretch" held the test worker's event loop for 1\.\d s of CPU time/);
    expect(output).toMatch(/✓ .*awaits between short stretches/);
    expect(output).toMatch(/✓ .*waits for a core without using it/);
    expect(output).toContain('Tests  1 failed | 2 passed (3)');
  }, 150_000);
});
