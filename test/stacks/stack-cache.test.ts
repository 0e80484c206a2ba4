/**
 * The opt-in stack cache (CELERYKIT_CACHE_DIR) of the compiled synth entry point: a warm run writes
 * exactly what a cold run writes, and a change to a file or to the kit rebuilds what it touches.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist, compiledKitWith } from '../helpers/compiled-kit';
import { tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';

const repo = resolve(__dirname, '../..');

interface SynthRun {
  readonly status: number | null;
  readonly stderr: string;
  /** Every file under the output folder, by path relative to it. */
  readonly files: Record<string, string>;
  /** The "N of M stacks from the cache" count, when the run printed it. */
  readonly fromCache?: number;
}

function filesUnder(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesUnder(path, `${prefix}${entry.name}/`));
    else files[`${prefix}${entry.name}`] = readFileSync(path, 'utf8');
  }
  return files;
}

/** The compiled kit's synth on `customers`, in `cwd`, with the cache at `cache` (none when undefined). */
async function synth(customers: string, cwd: string, cache: string | undefined, kit = join(repo, 'dist')): Promise<SynthRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, CUSTOMERS_DIR: customers, CDKTF_OUTDIR: '', CELERYKIT_TIMINGS: '1' };
  delete env.CELERYKIT_CACHE_DIR;
  if (cache !== undefined) env.CELERYKIT_CACHE_DIR = cache;
  const r = await runAsync('node', [join(kit, 'main.js')], { cwd, env, timeoutMs: 120_000 });
  const hits = /(\d+) of \d+ stacks from the cache/.exec(r.stderr);
  let files: Record<string, string> = {};
  try {
    files = filesUnder(join(cwd, 'cdktf.out'));
  } catch {
    // nothing written
  }
  return { status: r.status, stderr: r.stderr, files, ...(hits ? { fromCache: Number(hits[1]) } : {}) };
}

function examplesCopy(): string {
  const dir = tempDir('celerykit-cache-customers-');
  cpSync(join(repo, 'customers'), dir, { recursive: true });
  return dir;
}

const cacheEntries = (cache: string) => readdirSync(cache).filter((n) => n.endsWith('.json'));

describe('the stack cache', () => {
  beforeAll(buildDist, 180_000);

  it('writes on a warm run exactly what a run without the cache writes, taking every stack from the cache', async () => {
    const customers = examplesCopy();
    const cwd = tempDir('celerykit-cache-run-');
    const cache = tempDir('celerykit-cache-');
    const uncached = await synth(customers, cwd, undefined);
    expect(uncached.status, uncached.stderr).toBe(0);
    expect(uncached.fromCache).toBeUndefined();
    const cold = await synth(customers, cwd, cache);
    expect(cold.fromCache).toBe(0);
    expect(cacheEntries(cache)).toHaveLength(4);
    const warm = await synth(customers, cwd, cache);
    expect(warm.status, warm.stderr).toBe(0);
    expect(warm.fromCache).toBe(4);
    expect(Object.keys(warm.files).length).toBeGreaterThan(4 * 6);
    expect(cold.files).toEqual(uncached.files);
    expect(warm.files).toEqual(uncached.files);
  }, 240_000);

  it('shares the misses of a large run between two threads and keeps every stack in place', async () => {
    expect(availableParallelism(), 'a second synth thread starts only with 2 CPUs or more').toBeGreaterThanOrEqual(2);
    const customers = tempDir('celerykit-cache-customers-');
    const examples = readdirSync(join(repo, 'customers')).sort();
    for (let i = 0; i < 40; i++) {
      const name = examples[i % examples.length]!;
      const text = readFileSync(join(repo, 'customers', name), 'utf8');
      writeFileSync(join(customers, `${i}-${name}`), text.replace(/^customer: *(\S+)/m, (_, c: string) => `customer: ${c}${i}`));
    }
    const cwd = tempDir('celerykit-cache-run-');
    const cache = tempDir('celerykit-cache-');
    expect((await synth(customers, cwd, cache)).status).toBe(0);
    // 20 of 40 changed: enough misses for the second thread, interleaved with hits.
    for (let i = 0; i < 40; i += 2) {
      const file = join(customers, `${i}-${examples[i % examples.length]!}`);
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n# edited\n`.replace(/autoscale: \{ min: (\d+), max: (\d+) \}/, (_, min: string, max: string) => `autoscale: { min: ${min}, max: ${Number(max) + 1} }`));
    }
    const mixed = await synth(customers, cwd, cache);
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(mixed.fromCache).toBe(20);
    expect(mixed.stderr).toMatch(/10 of 40 stacks on the second thread/);
    const uncached = await synth(customers, cwd, undefined);
    expect(mixed.files).toEqual(uncached.files);
  }, 240_000);

  it('rebuilds only the stack whose file changed, and writes what a run without the cache writes for it', async () => {
    const customers = examplesCopy();
    const cwd = tempDir('celerykit-cache-run-');
    const cache = tempDir('celerykit-cache-');
    expect((await synth(customers, cwd, cache)).status).toBe(0);
    const file = join(customers, 'umbrella-staging.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('autoscale: { min: 1, max: 4 }', 'autoscale: { min: 1, max: 5 }'));
    const changed = await synth(customers, cwd, cache);
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.fromCache).toBe(3);
    const freshCwd = tempDir('celerykit-cache-run-');
    const uncached = await synth(customers, freshCwd, undefined);
    const stack = 'stacks/umbrella-staging/cdk.tf.json';
    expect(changed.files[stack]).toEqual(uncached.files[stack]!.split(freshCwd).join(cwd));
    expect(changed.files[stack]).toContain('"max_replicas"');
  }, 240_000);

  it('takes nothing from the cache for a kit whose code differs', async () => {
    const customers = examplesCopy();
    const cwd = tempDir('celerykit-cache-run-');
    const cache = tempDir('celerykit-cache-');
    const kit = await compiledKitWith({});
    expect((await synth(customers, cwd, cache, kit)).status).toBe(0);
    expect((await synth(customers, cwd, cache, kit)).fromCache).toBe(4);
    writeFileSync(join(kit, 'stacks', 'celery-stack.js'), `${readFileSync(join(kit, 'stacks', 'celery-stack.js'), 'utf8')}\n// changed\n`);
    const changedKit = await synth(customers, cwd, cache, kit);
    expect(changedKit.status, changedKit.stderr).toBe(0);
    expect(changedKit.fromCache).toBe(0);
  }, 240_000);

  it('treats an entry it cannot parse as a miss and writes it again', async () => {
    const customers = examplesCopy();
    const cwd = tempDir('celerykit-cache-run-');
    const cache = tempDir('celerykit-cache-');
    const cold = await synth(customers, cwd, cache);
    const [first] = cacheEntries(cache);
    writeFileSync(join(cache, first!), '{"text": "trunc');
    const warm = await synth(customers, cwd, cache);
    expect(warm.status, warm.stderr).toBe(0);
    expect(warm.fromCache).toBe(3);
    expect(warm.files).toEqual(cold.files);
    expect(() => JSON.parse(readFileSync(join(cache, first!), 'utf8'))).not.toThrow();
  }, 240_000);

  it('stores nothing from a run that stops on a bad file', async () => {
    const customers = examplesCopy();
    writeFileSync(join(customers, 'broken.yaml'), 'customer: broken\nenvironment: prod\ncloud: aws\n');
    const cache = tempDir('celerykit-cache-');
    const r = await synth(customers, tempDir('celerykit-cache-run-'), cache);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nothing was synthesized/);
    expect(cacheEntries(cache)).toEqual([]);
  }, 120_000);
});
