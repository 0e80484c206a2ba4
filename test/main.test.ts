/**
 * The synth entry point as users run it: a folder of parameter files in, one stack each out, or
 * one line per problem and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomParameterFile } from '../scripts/parameter-file-generator';
import { editBase, tempDir, writeParameterFiles } from './helpers/parameter-files';
import { synthesizeDir } from './helpers/synth';

const repo = resolve(__dirname, '..');

function runSynth(customersDir: string, cwd = tempDir('celerykit-run-')) {
  const r = spawnSync(join(repo, 'node_modules', '.bin', 'tsx'), [join(repo, 'main.ts')], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CUSTOMERS_DIR: customersDir, CDKTF_OUTDIR: '' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

/** Compiles the kit into dist/ the way npm run synth does (nothing to do when it is up to date). */
function buildDist(): void {
  const build = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-b', join(repo, 'tsconfig.build.json')], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  expect(build.status, build.stdout).toBe(0);
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
  it('writes one cdk.tf.json per file and a summary line per stack for a file it has never seen', () => {
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const run = runSynth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'hooli-qa', 'cdk.tf.json'))).toBe(true);
    expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'acme-prod', 'cdk.tf.json'))).toBe(true);
    for (const artifact of ['alert-rules.yaml', 'grafana-dashboard.json']) expect(existsSync(join(run.cwd, 'cdktf.out', 'stacks', 'hooli-qa', artifact))).toBe(true);
    expect(run.stdout).toMatch(/^hooli-qa\s+gcp asia-northeast1\s+redis\s+2 pools, 3 queues, 0 schedules\s+\d+ resources\s+cdktf\.out\/stacks\/hooli-qa\/cdk\.tf\.json$/m);
    expect(run.stdout).toMatch(/^acme-prod\s+aws eu-west-1\s+redis\s+2 pools, 3 queues, 1 schedule\s+\d+ resources\s+/m);
    expect(run.stdout).toContain('2 stacks synthesized from');
  });

  it('prints three lines for a file with three mistakes, exits non-zero, writes nothing, shows no stack trace', () => {
    const dir = writeParameterFiles({ 'three.yaml': editBase({ 3: 'cloud: awz', 16: '    pool: gevent\n    concurency: 50', 20: '    timeLimit: "3600"' }) });
    const run = runSynth(dir);
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

  it('synthesizes nothing when one file of several is bad, and leaves earlier output alone', () => {
    const dir = writeParameterFiles({ 'good.yaml': editBase({}), 'bad.yaml': editBase({ 1: 'customer: other', 9: '  kind: redsi' }) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'earlier'), { recursive: true });
    writeFileSync(join(cwd, 'cdktf.out', 'stacks', 'earlier', 'cdk.tf.json'), '{}');
    const run = runSynth(dir, cwd);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${join(dir, 'bad.yaml')}:9: error: broker.kind:`);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks'))).toEqual(['earlier']);
  });

  it('removes stack folders whose file is gone, so CI never plans a deleted customer', () => {
    const dir = writeParameterFiles({ 'good.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    mkdirSync(join(cwd, 'cdktf.out', 'stacks', 'gone-prod'), { recursive: true });
    const run = runSynth(dir, cwd);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'cdktf.out', 'stacks'))).toEqual(['acme-prod']);
  });

  it('prints every policy suppression with its reason, and synthesizes', () => {
    const reason = 'Legal hold: logs of this tenant are kept until the case closes (LEGAL-42)';
    const dir = writeParameterFiles({ 'good.yaml': `${editBase({})}\npolicy:\n  suppress:\n    - rule: CK-LOG-RETENTION\n      reason: "${reason}"\n` });
    const run = runSynth(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`acme-prod: policy CK-LOG-RETENTION suppressed (0 findings): ${reason}`);
  });

  it('refuses a suppression of a rule that does not exist, and writes nothing', () => {
    const dir = writeParameterFiles({ 'good.yaml': `${editBase({})}\npolicy:\n  suppress:\n    - rule: CK-NO-SUCH-RULE\n      reason: "because a reviewer said so in a long enough sentence"\n` });
    const run = runSynth(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('policy.suppress: no rule CK-NO-SUCH-RULE. Fix: use an id from docs/policies.md.');
    expect(run.stderr).toContain('1 policy violation; nothing was synthesized.');
    expect(existsSync(join(run.cwd, 'cdktf.out'))).toBe(false);
  });

  it('runs as compiled JavaScript (what npm run synth runs) with the same output as the TypeScript sources', () => {
    buildDist();
    const dir = writeParameterFiles({ 'hooli-qa.json': UNSEEN_GCP_FILE, 'acme.yaml': editBase({}) });
    const cwd = tempDir('celerykit-run-');
    const compiled = spawnSync('node', [join(repo, 'dist', 'main.js')], { cwd, encoding: 'utf8', env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'compiled.out' }, timeout: 60_000 });
    expect(compiled.status, compiled.stderr).toBe(0);
    const sources = spawnSync(join(repo, 'node_modules', '.bin', 'tsx'), [join(repo, 'main.ts')], { cwd, encoding: 'utf8', env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'sources.out' }, timeout: 60_000 });
    expect(sources.status, sources.stderr).toBe(0);
    for (const stack of ['hooli-qa', 'acme-prod']) {
      for (const file of readdirSync(join(cwd, 'sources.out', 'stacks', stack))) {
        expect(readFileSync(join(cwd, 'compiled.out', 'stacks', stack, file), 'utf8'), `${stack}/${file}`).toBe(readFileSync(join(cwd, 'sources.out', 'stacks', stack, file), 'utf8'));
      }
    }
  }, 180_000);

  it('builds many stacks on two threads with the same output as one thread', () => {
    const files = Array.from({ length: 16 }, (_, i) => randomParameterFile(300 + i, { minPools: 3, monitoring: true }));
    const dir = writeParameterFiles(Object.fromEntries(files.map((f) => [f.name, f.text])));
    const cwd = tempDir('celerykit-run-');
    buildDist();
    const run = spawnSync('node', [join(repo, 'dist', 'main.js')], { cwd, encoding: 'utf8', env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: '' }, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    // Under tsx (tests, cdktf.json) the same run stays on one thread.
    const sources = spawnSync(join(repo, 'node_modules', '.bin', 'tsx'), [join(repo, 'main.ts')], { cwd, encoding: 'utf8', env: { ...process.env, CUSTOMERS_DIR: dir, CDKTF_OUTDIR: 'sources.out' }, timeout: 120_000 });
    expect(sources.status, sources.stderr).toBe(0);
    const oneThread = synthesizeDir(dir, cwd);
    expect(oneThread).toHaveLength(16);
    for (const stack of oneThread) {
      const expected = readFileSync(join(stack.dir, 'cdk.tf.json'), 'utf8');
      expect(readFileSync(join(cwd, 'cdktf.out', 'stacks', stack.spec.stackId, 'cdk.tf.json'), 'utf8'), stack.spec.stackId).toBe(expected);
      expect(readFileSync(join(cwd, 'sources.out', 'stacks', stack.spec.stackId, 'cdk.tf.json'), 'utf8'), stack.spec.stackId).toBe(expected);
    }
  }, 180_000);

  it('names a missing customers folder in one line', () => {
    const run = runSynth('/nonexistent/customers');
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')[0]).toBe(
      '/nonexistent/customers: error: (top level): this folder does not exist. Fix: create it with your customer files, or point CUSTOMERS_DIR at the folder that holds them.',
    );
  });
});
