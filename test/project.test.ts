/**
 * The promises the README makes about the project itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from './helpers/run';

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

  it('pins its toolchain exactly, and takes cdktf, constructs and the providers from the app that uses it', () => {
    const pkg = JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')) as Record<'dependencies' | 'devDependencies' | 'peerDependencies', Record<string, string>>;
    const pins = { cdktf: '0.21.0', '@cdktf/provider-aws': '20.1.0', '@cdktf/provider-google': '16.12.1' };
    // A library user's app must hold the one copy of each (instanceof checks and one construct tree).
    expect(pkg.peerDependencies).toMatchObject(pins);
    expect(pkg.devDependencies).toMatchObject(pins);
    for (const name of [...Object.keys(pins), 'constructs']) expect(pkg.dependencies[name], name).toBeUndefined();
    expect(pkg.devDependencies.constructs).toMatch(/^10\.\d+\.\d+$/);
    expect(pkg.devDependencies['cdktf-cli']).toBe('0.21.0');
  });

  it('has a parameter reference and JSON Schema that match the schema in spec/', async () => {
    // Measured 15.5 s at load average 7 and 21.8 s at 12, on 2 cores: the child gets about 4x that,
    // the test a little more so the child's own timeout reports first.
    const r = await runAsync(resolve(repo, 'node_modules/.bin/tsx'), [resolve(repo, 'scripts/write-schema.ts'), '--check'], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 100_000);

  it('runs other programs from tests only through test/helpers/run.ts (no synchronous child_process call elsewhere)', () => {
    // A synchronous child process holds the test worker; see test/helpers/run.ts and the event-loop guard.
    const syncCall = /\b(spawnSync|execSync|execFileSync)\s*\(/;
    expect(syncCall.test(`const r = ${'spawn'}Sync('terraform', ['plan']);`)).toBe(true);
    const offenders = testSources(resolve(repo, 'test'))
      .filter((file) => !file.endsWith(join('helpers', 'run.ts')))
      .filter((file) => syncCall.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repo, file));
    expect(offenders).toEqual([]);
  });
});

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
