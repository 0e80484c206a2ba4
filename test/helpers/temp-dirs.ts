/**
 * Temporary folders for tests, removed after each test file by test/setup/temp-dirs.ts.
 *
 * This module imports nothing of the project on purpose: the setup file imports it before each
 * test file, and a project module loaded there would be loaded before the test file's `vi.mock`
 * is registered, so the mock would not apply (test/spec/unexpected-error.test.ts failed that way
 * when the registry lived in parameter-files.ts, which imports spec/load).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Folders made by tempDir and not yet removed: they were never removed, and after a day of test
 * runs /tmp held 18,953 entries. Kept on globalThis because vitest evaluates this module again for
 * every file of a worker process (test/setup/fresh-modules.ts), and the setup file must see the set
 * the file's tests filled.
 */
const TEMP_DIRS_KEY = Symbol.for('celerykit.test-temp-dirs');
export function madeTempDirs(): Set<string> {
  const holder = globalThis as { [TEMP_DIRS_KEY]?: Set<string> };
  return (holder[TEMP_DIRS_KEY] ??= new Set<string>());
}

/** A new empty folder under the system's temporary folder, removed after the test file. */
export function tempDir(prefix = 'celerykit-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeTempDirs().add(dir);
  return dir;
}
