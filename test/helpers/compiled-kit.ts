/** The compiled kit (dist/), as `npm run synth` runs it, and altered copies of it for tests. */
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from './parameter-files';
import { runAsync } from './run';

const repo = resolve(__dirname, '../..');

/** Compiles the kit into dist/ the way npm run synth does (nothing to do when it is up to date). */
export async function buildDist(): Promise<void> {
  const build = await runAsync(join(repo, 'node_modules', '.bin', 'tsc'), ['-b', join(repo, 'tsconfig.build.json')], { cwd: repo, timeoutMs: 120_000 });
  expect(build.status, build.stdout).toBe(0);
}

/**
 * A copy of the compiled kit (dist/) in a temp folder, with `files` (path -> JavaScript) written
 * into it: the way to make the kit fail for a test without a hook for tests in the kit itself.
 */
export async function compiledKitWith(files: Record<string, string>): Promise<string> {
  await buildDist();
  const root = tempDir('celerykit-kit-');
  cpSync(join(repo, 'dist'), join(root, 'kit'), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, 'kit', path), text);
  return join(root, 'kit');
}

