/**
 * Folders a test file makes with tempDir are gone once the file has run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';

const repo = resolve(__dirname, '../..');

describe('temporary folders of a test file', () => {
  it('exist while the file runs and are removed, with what is inside, after it', async () => {
    const report = join(tempDir(), 'made.txt');
    const r = await runAsync(join(repo, 'node_modules', '.bin', 'vitest'), ['run', '--config', join(__dirname, 'fixtures', 'temp-dirs.config.ts')], {
      cwd: repo,
      env: { ...process.env, CELERYKIT_TEMP_DIR_REPORT: report, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeoutMs: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const made = readFileSync(report, 'utf8');
    expect(made).toMatch(/celerykit-temp-dirs-case-/);
    expect(existsSync(made)).toBe(false);
  }, 150_000);
});
