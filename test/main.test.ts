/**
 * The synth entry point as users run it: a folder of parameter files in, one stack each out, or
 * one line per problem and nothing written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { randomParameterFile } from '../scripts/parameter-file-generator';
import { buildEach, formatFailure } from '../stacks/build-stacks';
import { editBase, specFromYaml, tempDir, writeParameterFiles } from './helpers/parameter-files';
import { runAsync } from './helpers/run';
import { synthesizeDirInChunks } from './helpers/synth';
import { buildDist, compiledKitWith } from './helpers/compiled-kit';

const repo = resolve(__dirname, '..');

const TSX = join(repo, 'node_modules', '.bin', 'tsx');

async function runSynth(customersDir: string, cwd = tempDir('celerykit-run-')) {
  const r = await runAsync(TSX, [join(repo, 'main.ts')], { cwd, env: { ...process.env, CUSTOMERS_DIR: customersDir, CDKTF_OUTDIR: '' }, timeoutMs: 60_000 });
  return { ...r, cwd };
}

/**
 * A second synth thread starts only with two CPUs or more. Elsewhere a two-thread test is skipped
 * with the reason printed; in CI (CI set) it fails instead, so that CI never passes it unrun.
 */
function requireTwoCpus(ctx: TestContext): void {
  const cpus = availableParallelism();
  if (cpus >= 2) return;
  const reason = `this machine has ${cpus} CPU and a second synth thread starts only with 2 or more`;
  if (process.env.CI && process.env.CI !== 'false') throw new Error(`${reason}; CI must run this test on 2 CPUs or more`);
  console.warn(`skipped "${ctx.task.name}": ${reason}`);
  ctx.skip();
}

/**
 * JavaScript that makes CeleryStack.render() (required from `module`) throw for the stacks the
 * function `shouldFail(stackId, nth)` picks; nth counts this thread's renders from 0.
 */
const failingRender = (module: string, shouldFail: string) => `
const { CeleryStack } = require('${module}');
const render = CeleryStack.prototype.render;
let nth = 0;
CeleryStack.prototype.render = function () {
  if ((${shouldFail})(this.node.id, nth++)) throw new Error('injected failure\\n    at a frame that must not be shown');
  return render.call(this);
};
`;

/** A run that stopped the kit's way: exit 1, no stack trace, no summary, no output folder. */
function expectStoppedCleanly(run: { status: number | null; stdout: string; stderr: string; cwd: string }): void {
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).toBe('');
  expect(existsSync(join(run.cwd, 'cdktf.out'))).toBe(false);
}

/** Enough generated parameter files for a second thread, with their folder. */
function sixteenFiles(): { dir: string; files: Array<{ name: string; text: string }> } {
  const files = Array.from({ length: 16 }, (_, i) => randomParameterFile(300 + i, { minPools: 3, monitoring: true }));
  return { dir: writeParameterFiles(Object.fromEntries(files.map((f) => [f.name, f.text]))), files };
}

const FAULT_FIX = 'Fix: this is a fault in celerykit, not in the file; report this line with the file to the platform team.';

async function runCompiled(entry: string, customersDir: string, env: Record<string, string> = {}) {
  const cwd = tempDir('celerykit-run-');
  const r = await runAsync('node', [entry], { cwd, env: { ...process.env, CUSTOMERS_DIR: customersDir, CDKTF_OUTDIR: '', ...env }, timeoutMs: 120_000 });
  return { ...r, cwd };
}

/** A file unlike the examples: other names, other cloud layout, a JSON file. */
const UNSEEN_GCP_FILE = JSON.stringify({
  customer: 'hooli',
  environment: 'qa',
  cloud: 'gcp',
  region: 'asia-northeast1',
  project: 'hooli-qa-celery',
  nonProduction: true,
  app: { image: 'asia-docker.pkg.dev/hooli-qa-celery/x/y:3', module: 'nucleus.worker' },
  broker: { kind: 'redis', nodeType: 'SHARED_CORE_NANO' },
  queues: { compress: ['nucleus.compress.*'], thumbnails: ['nucleus.images.thumb_*'] },
  defaultQueue: 'misc',
  workers: {
    squeeze: { queues: ['compress'], pool: 'threads', timeLimit: 30 },
    images: { queues: ['thumbnails', 'misc'], pool: 'solo', timeLimit: 10, autoscale: { min: 0, max: 3 } },
  },
});

describe('npm run synth (main.ts)', () => {
  it('writes one cdk.tf.json per file and a summary line per stack for a file it has never seen', async () => {
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const run = await runSynth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'hooli-qa', 'cdk.tf.json'))).toBe(true);
    expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'))).toBe(true);
    for (const artifact of ['alert-rules.yaml', 'grafana-dashboard.json']) expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'hooli-qa', artifact))).toBe(true);
    expect(run.stdout).toMatch(/^hooli-qa\s+gcp asia-northeast1\s+redis\s+2 pools, 3 queues, 0 schedules\s+\d+ resources\s+cdktf\.out\/stacks\/hooli-qa\/cdk\.tf\.json$/m);
    expect(run.stdout).toMatch(/^acme-prod\s+aws eu-west-1\s+redis\s+2 pools, 3 queues, 1 schedule\s+\d+ resources\s+/m);
    expect(run.stdout).toContain('2 stacks synthesized from');
  });

  it('leaves no staging folder behind, neither its own nor one a killed run left', async () => {
    const dir = writeParameterFiles({ 'acme.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', '.celerykit-staging-1', 'acme-prod'), { recursive: true });
    writeFileSync(join(cwd, 'cdktf.out', '.celerykit-staging-1', 'acme-prod', 'cdk.tf.json'), '{}');
    const run = await runSynth(dir, cwd);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'cdktf.out')).sort()).toEqual(['manifest.json', 'stacks']);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod')).sort()).toEqual(['alert-rules.yaml', 'cdk.tf.json', 'celery_settings.py', 'diagram.md', 'diagram.mmd', 'grafana-dashboard.json']);
  });

  it('prints three lines for a file with three mistakes, exits non-zero, writes nothing, shows no stack trace', async () => {
    const dir = writeParameterFiles({ 'three.yaml': editBase({ 3: 'cloud: awz', 16: '    pool: gevent\n    concurency: 50', 20: '    timeLimit: "3600"' }) });
    const run = await runSynth(dir);
    expect(run.status).toBe(1);
    const file = join(dir, 'three.yaml');
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file}:3: error: cloud: must be "aws" or "gcp". Fix: set cloud to aws or gcp.`,
      `${file}:17: error: workers.fast.concurency: unknown key "concurency". Fix: did you mean "concurrency"? Rename it.`,
      `${file}:21: error: workers.batch.timeLimit: must be a whole number of seconds. Fix: write a number such as 3600 (not "1h").`,
      '',
      '3 errors in 1 file; nothing was synthesized.',
    ]);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(run.cwd, 'cdktf.out'))).toBe(false);
  });

  it('synthesizes nothing when one file of several is bad, and leaves earlier output alone', async () => {
    const dir = writeParameterFiles({ 'good.yaml': editBase({}), 'bad.yaml': editBase({ 1: 'customer: other', 9: '  kind: redsi' }) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'earlier'), { recursive: true });
    writeFileSync(join(cwd, 'cdktf.out', 'stacks', 'earlier', 'cdk.tf.json'), '{}');
    const run = await runSynth(dir, cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${join(dir, 'bad.yaml')}:9: error: broker.kind:`);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks'))).toEqual(['earlier']);
  });

  it('removes stack folders whose file is gone, so CI never plans a deleted customer', async () => {
    const dir = writeParameterFiles({ 'good.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'gone-prod'), { recursive: true });
    const run = await runSynth(dir, cwd);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks'))).toEqual(['acme-prod']);
  });

  it('prints every policy suppression with its reason, and synthesizes', async () => {
    const reason = 'Legal hold: logs of this tenant are kept until the case closes (LEGAL-42)';
    const dir = writeParameterFiles({ 'good.yaml': `${editBase({})}\npolicy:\n  suppress:\n    - rule: CK-LOG-RETENTION\n      reason: "${reason}"\n` });
    const run = await runSynth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`acme-prod: policy CK-LOG-RETENTION suppressed (0 findings): ${reason}`);
  });

  it('refuses a suppression of a rule that does not exist, and writes nothing', async () => {
    const dir = writeParameterFiles({ 'good.yaml': `${editBase({})}\npolicy:\n  suppress:\n    - rule: CK-NO-SUCH-RULE\n      reason: "because a reviewer said so in a long enough sentence"\n` });
    const run = await runSynth(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('policy.suppress: no rule CK-NO-SUCH-RULE. Fix: use an id from docs/policies.md.');
    expect(run.stderr).toContain('1 policy violation; nothing was synthesized.');
    expect(existsSync(join(run.cwd, 'cdktf.out'))).toBe(false);
  });

  it('runs as compiled JavaScript (what npm run synth runs) with the same output as the TypeScript sources', async () => {
    await buildDist();
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    const compiled = await runAsync('node', [join(repo, 'dist', 'main.js')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'compiled.out' }, timeoutMs: 60_000 });
    expect(compiled.status, compiled.stderr).toBe(0);
    const sources = await runAsync(TSX, [join(repo, 'main.ts')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'sources.out' }, timeoutMs: 60_000 });
    expect(sources.status, sources.stderr).toBe(0);
    for (const stack of ['hooli-qa', 'acme-prod']) {
      for (const file of readdirSync(join(cwd, 'sources.out', 'stacks', stack))) {
        expect(readFileSync(join(cwd, 'compiled.out', 'stacks', stack, file), 'utf8'), `${stack}/${file}`).toBe(readFileSync(join(cwd, 'sources.out', 'stacks', stack, file), 'utf8'));
      }
    }
  }, 180_000);

  it('builds many stacks on two threads with the same output as one thread', async (ctx) => {
    requireTwoCpus(ctx);
    const { dir } = sixteenFiles();
    const cwd = tempDir('celerykit-run-');
    await buildDist();
    const run = await runAsync('node', [join(repo, 'dist', 'main.js')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: '', CELERYKIT_TIMINGS: '1' }, timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    // The second thread did run, and built every other stack.
    expect(run.stderr).toMatch(/^timing build-render-check \d+ ms \(8 of 16 stacks on the second thread\)$/m);
    // Under tsx (tests, cdktf.json) the same run stays on one thread.
    const sources = await runAsync(TSX, [join(repo, 'main.ts')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'sources.out' }, timeoutMs: 120_000 });
    expect(sources.status, sources.stderr).toBe(0);
    // In chunks with the event loop let go between them: 16 stacks in one synchronous block near the 20 s guard under load.
    const oneThread = await synthesizeDirInChunks(dir, 2, cwd);
    expect(oneThread).toHaveLength(16);
    for (const stack of oneThread) {
      const expected = readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8');
      expect(readFileSync(join(cwd, 'cdktf.out', 'stacks', stack.spec.stackId, 'cdk.tf.json'), 'utf8'), stack.spec.stackId).toBe(expected);
      expect(readFileSync(join(cwd, 'sources.out', 'stacks', stack.spec.stackId, 'cdk.tf.json'), 'utf8'), stack.spec.stackId).toBe(expected);
    }
  }, 180_000);

  it('names the file and stack of a stack that throws while it is built, in one line, and writes nothing', async () => {
    const kit = await compiledKitWith({ 'fail-main.js': `${failingRender('./stacks/celery-stack', "(id) => id === 'hooli-qa'")}\nrequire('./main.js');\n` });
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const run = await runCompiled(join(kit, 'fail-main.js'), dir);
    expectStoppedCleanly(run);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'hooli-qa.json')}: stack hooli-qa could not be built: injected failure at a frame that must not be shown. ${FAULT_FIX}`,
      '',
      '1 stack could not be built; nothing was synthesized.',
    ]);
  }, 180_000);

  it('leaves an existing output folder as it was when a stack fails after others were staged', async () => {
    // acme-prod is built and its files staged before hooli-qa throws.
    const kit = await compiledKitWith({ 'fail-main.js': `${failingRender('./stacks/celery-stack', "(id) => id === 'hooli-qa'")}\nrequire('./main.js');\n` });
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod'), { recursive: true });
    writeFileSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'), '{"earlier": true}');
    const run = await runAsync('node', [join(kit, 'fail-main.js')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: '' }, timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain('stack hooli-qa could not be built');
    expect(readdirSync(join(cwd, 'cdktf.out'))).toEqual(['stacks']);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks'))).toEqual(['acme-prod']);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod'))).toEqual(['cdk.tf.json']);
    expect(readFileSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'), 'utf8')).toBe('{"earlier": true}');
  }, 180_000);

  it('names the file and stack of a stack that throws on the second thread, in one line, and writes nothing', async (ctx) => {
    requireTwoCpus(ctx);
    // The second thread's first stack throws; the main thread's stacks build as usual.
    const kit = await compiledKitWith({});
    renameSync(join(kit, 'stacks', 'build-worker.js'), join(kit, 'stacks', 'real-build-worker.js'));
    writeFileSync(join(kit, 'stacks', 'build-worker.js'), `${failingRender('./celery-stack', '(_, nth) => nth === 0')}\nrequire('./real-build-worker.js');\n`);
    const { dir, files } = sixteenFiles();
    const run = await runCompiled(join(kit, 'main.js'), dir);
    expectStoppedCleanly(run);
    const [line, ...rest] = run.stderr.trim().split('\n');
    expect(rest).toEqual(['', '1 stack could not be built; nothing was synthesized.']);
    expect(line!.endsWith(`could not be built: injected failure at a frame that must not be shown. ${FAULT_FIX}`), line).toBe(true);
    const [file, stack] = line!.split(': ');
    expect(files.map((f) => join(dir, f.name))).toContain(file);
    expect(stack).toMatch(/^stack [a-z0-9-]+ could not be built$/);
  }, 180_000);

  it('stops with one line, and writes nothing, when the second thread dies', async (ctx) => {
    requireTwoCpus(ctx);
    const kit = await compiledKitWith({ 'stacks/build-worker.js': "throw new Error('the thread could not load');\n" });
    const { dir } = sixteenFiles();
    const run = await runCompiled(join(kit, 'main.js'), dir);
    expectStoppedCleanly(run);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${dir}: the second synth thread stopped before it sent back its 8 stacks: the thread could not load. Fix: run the synth again; if it stops again, report this line to the platform team.`,
      '',
      '8 stacks could not be built; nothing was synthesized.',
    ]);
  }, 180_000);

  it('stops an error nothing foresaw with one line, exit 1 and no trace, and leaves earlier output untouched', async () => {
    const failingSynth = "const { App } = require('cdktf');\nApp.prototype.synth = function () { throw new TypeError('injected synth failure\\n    at a frame that must not be shown'); };\nrequire('./main.js');\n";
    const kit = await compiledKitWith({ 'fail-synth.js': failingSynth });
    const dir = writeParameterFiles({ 'acme.yaml': editBase({}) });
    const fresh = await runCompiled(join(kit, 'fail-synth.js'), dir);
    expectStoppedCleanly(fresh);
    const line = `${dir}: error: the kit stopped unexpectedly while synthesizing (TypeError: injected synth failure). Fix: check the file for unusual content (deep nesting, huge or binary values, custom tags); if it looks right, rerun with CELERYKIT_DEBUG=1 and report the stack trace it prints.`;
    expect(fresh.stderr.trim().split('\n')).toEqual([line]);

    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod'), { recursive: true });
    writeFileSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'), '{"earlier": true}');
    const again = await runAsync('node', [join(kit, 'fail-synth.js')], { cwd, env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: '', CELERYKIT_DEBUG: '1' }, timeoutMs: 120_000 });
    expect(again.status).toBe(1);
    expect(again.stderr.split('\n')[0]).toBe(line);
    expect(again.stderr).toMatch(/^\s+at /m);
    expect(readFileSync(join(cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'), 'utf8')).toBe('{"earlier": true}');
    // The stacks were staged before synth threw; the staging folder went with the run.
    expect(readdirSync(join(cwd, 'cdktf.out'))).toEqual(['stacks']);
  }, 180_000);

  it('names a missing customers folder in one line', async () => {
    const run = await runSynth('/nonexistent/customers');
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')[0]).toBe(
      '/nonexistent/customers: error: (top level): this folder does not exist. Fix: create it with your customer files, or point CUSTOMERS_DIR at the folder that holds them.',
    );
  });
});

describe('buildEach (what both synth threads build stacks with)', () => {
  it('turns a stack that throws into its failure, on one line, and still builds the others', async () => {
    const specs = [specFromYaml(editBase({}), 'acme.yaml'), specFromYaml(editBase({ 1: 'customer: other' }), 'other.yaml')];
    const outcomes = buildEach(specs, (spec) => {
      if (spec.stackId === 'acme-prod') throw new Error('a construct broke:\n    at somewhere (file.js:1:1).');
      return spec.stackId;
    });
    expect(outcomes[1]).toEqual({ built: 'other-prod' });
    const failed = outcomes[0]!;
    if (!('failed' in failed)) throw new Error('expected a failure');
    expect(formatFailure(failed.failed)).toBe(
      `${specs[0]!.sourceFile}: stack acme-prod could not be built: a construct broke: at somewhere (file.js:1:1). ${FAULT_FIX}`,
    );
  });
});
