/**
 * What a platform team gets from `npm pack`: the tarball is installed into a new cdktf app folder
 * (offline: the peer and runtime dependencies are linked from this repository's install), the app
 * of docs/library.md is type-checked against the packed declarations and run, and its AWS stack
 * goes through the real terraform init, validate and plan offline.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import type { TerraformJson } from '../helpers/synth';
import { findTerraform, prepareOfflineWorkdir, terraform, type TerraformSetup } from '../terraform/terraform-harness';

const repo = resolve(__dirname, '..', '..');
const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const terraformMissing = 'missing' in found ? found.missing : undefined;
if (terraformMissing !== undefined && !inCi) console.warn(`[skipped] plan of the packed library app: ${terraformMissing}`);

/** Folders of a working copy that are not sources: a fresh clone has none of them. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'cdktf.out', '.git']);

/** The app file of docs/library.md: the ```ts block after its `library-app:main.ts` marker. */
function libraryAppFromDocs(markdown: string): string {
  const marker = markdown.indexOf('<!-- library-app:main.ts -->');
  if (marker < 0) throw new Error('docs/library.md has no <!-- library-app:main.ts --> marker');
  const block = /```ts\n([\s\S]*?)\n```/.exec(markdown.slice(marker));
  if (!block) throw new Error('docs/library.md has no ```ts block after its library-app marker');
  return block[1]!;
}

/**
 * Builds and packs the kit from a copy of its sources, so that this test neither races other tests
 * that compile into the repository's dist/ nor packs files a fresh clone would not have.
 */
async function packKit(): Promise<{ tarball: string; files: string[] }> {
  const staging = tempDir('celerykit-pack-src-');
  for (const entry of readdirSync(repo)) if (!NOT_SOURCES.has(entry)) cpSync(join(repo, entry), join(staging, entry), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(staging, 'node_modules'), 'dir');
  const build = await runAsync(join(repo, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], { cwd: staging, timeoutMs: 180_000 });
  expect(build.status, `npm run build:\n${build.stdout}${build.stderr}`).toBe(0);
  const out = tempDir('celerykit-pack-');
  const pack = await runAsync('npm', ['pack', '--json', '--pack-destination', out], { cwd: staging, timeoutMs: 60_000 });
  expect(pack.status, `npm pack:\n${pack.stderr}`).toBe(0);
  const [result] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(out, result!.filename), files: result!.files.map((f) => f.path) };
}

/** A new app folder with the tarball installed and every dependency it names linked from this repo. */
async function installIntoNewApp(tarball: string): Promise<string> {
  const app = tempDir('celerykit-user-app-');
  const installed = join(app, 'node_modules', 'celerykit');
  mkdirSync(installed, { recursive: true });
  const untar = await runAsync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], { timeoutMs: 60_000 });
  expect(untar.status, untar.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  // What the user installs beside the kit: its peers, and the compiler their app already has.
  const links = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), 'typescript', '@types/node'];
  for (const name of links) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(join(repo, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop-infra', private: true }, null, 2));
  // The compiler options docs/library.md asks for; library declarations are checked too.
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'build', skipLibCheck: false, types: ['node'] }, include: ['*.ts'] }, null, 2),
  );
  return app;
}

const TSC = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

describe('the packed kit in a new cdktf app', () => {
  let files: string[];
  let app: string;
  let awsStackDir: string;
  let awsStack: TerraformJson;
  let gcpStack: TerraformJson;

  beforeAll(async () => {
    const packed = await packKit();
    files = packed.files;
    app = await installIntoNewApp(packed.tarball);
    // The app as the user copies it out of the docs they installed.
    writeFileSync(join(app, 'main.ts'), libraryAppFromDocs(readFileSync(join(app, 'node_modules', 'celerykit', 'docs', 'library.md'), 'utf8')));
    const compile = await runAsync('node', [TSC, '-p', '.'], { cwd: app, timeoutMs: 180_000 });
    expect(compile.status, `tsc on the docs/library.md app:\n${compile.stdout}${compile.stderr}`).toBe(0);
    // As `cdktf synth` would run it, but without the CLI: the app writes cdktf.out/ in its folder.
    const { CDKTF_OUTDIR: _outdir, CDKTF_CONTEXT_JSON: _context, ...env } = process.env;
    const synth = await runAsync('node', [join('build', 'main.js')], { cwd: app, env, timeoutMs: 120_000 });
    expect(synth.status, `node build/main.js:\n${synth.stdout}${synth.stderr}`).toBe(0);
    awsStackDir = join(app, 'cdktf.out', 'stacks', 'shop-aws');
    awsStack = JSON.parse(readFileSync(join(awsStackDir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    gcpStack = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'shop-gcp', 'cdk.tf.json'), 'utf8')) as TerraformJson;
  }, 420_000);

  it('packs compiled JavaScript with declarations, the changelog and the docs, and no sources, tests or examples', () => {
    for (const path of ['package.json', 'README.md', 'CHANGELOG.md', 'docs/library.md', 'docs/parameters.md', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/aws.d.ts', 'dist/lib/gcp.d.ts']) {
      expect(files, path).toContain(path);
    }
    const stray = files.filter((f) => /^(test|customers|scripts|stacks|pipeline|ci-templates|cli)\//.test(f) || /^dist\/(main|stacks|scripts)/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    expect(stray).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'celerykit', 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
    const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    for (const target of targets) expect(existsSync(join(app, 'node_modules', 'celerykit', target)), target).toBe(true);
  });

  it('type-checks parameters against the packed declarations: a misspelt key fails the compile', async () => {
    writeFileSync(
      join(app, 'typo.ts'),
      [
        "import { CeleryPlatformAws } from 'celerykit/aws';",
        "import { TerraformStack, App } from 'cdktf';",
        "new CeleryPlatformAws(new TerraformStack(new App(), 's'), 'celery', { parameters: {",
        "  customer: 'shop', environment: 'prod', cloud: 'aws', region: 'eu-west-1', accountId: '123456789012',",
        "  app: { image: 'x', module: 'shop' }, broker: { kind: 'redis', replica: 2 }, queues: {}, workers: {},",
        '} });',
      ].join('\n'),
    );
    const compile = await runAsync('node', [TSC, '-p', '.', '--noEmit'], { cwd: app, timeoutMs: 180_000 });
    expect(compile.status).not.toBe(0);
    expect(compile.stdout).toMatch(/typo\.ts.*'replica' does not exist/);
  }, 180_000);

  it('places the AWS platform in the VPC and provider the app made, beside its own bucket, with no backend of its own', () => {
    expect(awsStack.provider).toEqual({ aws: [expect.objectContaining({ region: 'eu-west-1', default_tags: [{ tags: expect.objectContaining({ team: 'payments' }) }] })] });
    expect(awsStack.terraform?.backend).toEqual({ local: { path: 'shop-aws.tfstate' } });
    const resources = awsStack.resource ?? {};
    expect(Object.keys(resources['aws_vpc'] ?? {})).toEqual(['vpc']);
    expect(Object.keys(resources['aws_s3_bucket'] ?? {})).toContain('invoices');
    const securityGroups = Object.values(resources['aws_security_group'] ?? {}) as Array<{ vpc_id?: string }>;
    expect(securityGroups.length).toBeGreaterThan(2);
    expect(new Set(securityGroups.map((g) => g.vpc_id))).toEqual(new Set(['${aws_vpc.vpc.id}']));
    expect(Object.keys(resources['aws_ecs_service'] ?? {}).length).toBeGreaterThanOrEqual(2);
  });

  it('writes a GCP platform in the other stack with its own google provider', () => {
    expect(Object.keys(gcpStack.provider ?? {})).toContain('google');
    expect(Object.keys(gcpStack.resource ?? {}).filter((type) => type.startsWith('google_')).length).toBeGreaterThan(5);
    expect(gcpStack.terraform?.backend).toEqual({ local: { path: 'shop-gcp.tfstate' } });
  });

  it.skipIf(terraformMissing !== undefined && !inCi)('the AWS stack initializes, validates and plans with the real terraform CLI, offline', async () => {
    if (terraformMissing !== undefined) throw new Error(`CI must plan the packed library app, but ${terraformMissing}`);
    const setup = found as TerraformSetup;
    const work = prepareOfflineWorkdir(awsStackDir);
    const init = await terraform(setup, work, ['init', '-input=false']);
    expect(init.status, `${init.stdout}\n${init.stderr}`).toBe(0);
    const validate = await terraform(setup, work, ['validate', '-json']);
    expect(JSON.parse(validate.stdout), validate.stdout).toMatchObject({ valid: true, error_count: 0 });
    const plan = await terraform(setup, work, ['plan', '-input=false', '-lock=false', '-detailed-exitcode', '-out=plan.bin']);
    expect(plan.status, `${plan.stdout}\n${plan.stderr}`).toBe(2);
    const show = await terraform(setup, work, ['show', '-json', 'plan.bin']);
    const planned = JSON.parse(show.stdout) as { resource_changes: Array<{ address: string; change: { actions: string[] } }> };
    const inConfig = Object.values(awsStack.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    console.log(`packed library app: ${planned.resource_changes.length} resources planned for creation in shop-aws`);
    expect(planned.resource_changes.length).toBe(inConfig);
    expect(planned.resource_changes.map((c) => c.address)).toEqual(expect.arrayContaining(['aws_vpc.vpc', 'aws_s3_bucket.invoices']));
    for (const change of planned.resource_changes) expect(change.change.actions, change.address).toEqual(['create']);
  }, 300_000);
});
