/**
 * Removes the folders a test file made with tempDir (test/helpers/temp-dirs.ts) once the
 * file's tests are done, so that runs do not fill /tmp.
 */
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { madeTempDirs } from '../helpers/temp-dirs';

afterAll(() => {
  const dirs = madeTempDirs();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});
