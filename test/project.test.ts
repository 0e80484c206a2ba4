/**
 * The promises the README makes about the project itself.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '..');
const readme = readFileSync(resolve(repo, 'README.md'), 'utf8');

/** The shell lines of the README's first two code blocks: the main job and the tests. */
function readmeCommands(): string[] {
  return [...readme.matchAll(/```sh\n([^\n]+)\n```/g)].slice(0, 2).map((m) => m[1]!);
}

describe('the project', () => {
  it('opens its README with the main job and the test command', () => {
    expect(readmeCommands()).toEqual(['npm ci && npm run synth', 'bash scripts/install-test-tools.sh && npm ci && npm test']);
  });

  it('runs in CI exactly the README test command', () => {
    const ci = readFileSync(resolve(repo, '.ci/run'), 'utf8');
    const command = /^TEST_COMMAND='([^']+)'$/m.exec(ci)?.[1];
    expect(command).toBe(readmeCommands()[1]);
  });

  it('pins its toolchain exactly', () => {
    const pkg = JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies).toMatchObject({ cdktf: '0.21.0', '@cdktf/provider-aws': '20.1.0', '@cdktf/provider-google': '16.12.1' });
    expect(pkg.dependencies.constructs).toMatch(/^10\.\d+\.\d+$/);
    expect(pkg.devDependencies['cdktf-cli']).toBe('0.21.0');
  });

  it('has a parameter reference and JSON Schema that match the schema in spec/', () => {
    const r = spawnSync(resolve(repo, 'node_modules/.bin/tsx'), [resolve(repo, 'scripts/write-schema.ts'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
