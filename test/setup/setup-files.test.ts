/**
 * Setup files run before each test file is imported. A project module they load (directly or
 * through a helper) is then loaded before the test file's `vi.mock` calls are registered, and
 * those mocks silently do not apply: test/spec/unexpected-error.test.ts failed in CI that way.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config';

const repo = resolve(__dirname, '..', '..');

/** Every module a file reaches through relative imports, itself included. */
function reachedModules(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(/^(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'/gm)) {
    reachedModules(resolve(dirname(file), spec!.endsWith('.ts') ? spec! : `${spec}.ts`), seen);
  }
  return seen;
}

describe('the test setup files', () => {
  const setupFiles = (config.test?.setupFiles as string[]).map((f) => join(repo, f));

  it.each(setupFiles.map((f) => [relative(repo, f), f] as const))('%s loads no module of the project, only test helpers', (_name, file) => {
    const outsideTest = [...reachedModules(file)].map((m) => relative(repo, m)).filter((m) => !m.startsWith('test/'));
    expect(outsideTest).toEqual([]);
  });

  it('would see a project module loaded through a helper', () => {
    expect([...reachedModules(join(repo, 'test/helpers/parameter-files.ts'))].map((m) => relative(repo, m))).toContain('spec/load.ts');
  });
});
