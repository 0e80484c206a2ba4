/**
 * Synthesis benchmark: times `npm run synth`'s path (main.ts) over N generated parameter files
 * (both clouds, both brokers, 3-6 pools, schedules, monitoring on) for N = 1, 10, 50, 200, next to
 * the floors a user would compare with, `cdktf synth` (what `cdktf diff` and `cdktf deploy` run) beside
 * `npm run synth` on the bundled examples, and the wall time of the test suite.
 *
 *   npm run bench              everything (about five minutes on 2 cores)
 *   npm run bench -- --no-tests  skip timing the test suite
 *   npm run bench -- --cdktf-only  only `cdktf synth` beside `npm run synth` (about half a minute)
 *   npm run bench -- --examples-only  only the copies of the bundled examples (200 and 1,000 stacks, about three minutes)
 *   npm run bench -- --parameter-files-only  only `celerykit validate` on files past the reading limits (about ten seconds)
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run as celerykit } from '../cli/celerykit';
// The limit tests' own base file, so that the files timed here are the files those tests check.
import { BASE_FILE } from '../test/helpers/parameter-files';
import { PARAMETER_FILE_LIMITS } from '../spec/read-file';
import { TEN_MEGABYTE_KEYS, tenMegabyteFile, withEnvKeys } from './hostile-parameter-files';
import { randomParameterFile } from './parameter-file-generator';

const repo = resolve(__dirname, '..');
const tsc = join(repo, 'node_modules', '.bin', 'tsc');
const buildConfig = join(repo, 'tsconfig.build.json');
const dist = join(repo, 'dist');
/** Exactly what `npm run synth` runs (without npm itself): the up-to-date check of the build, then the compiled entry point. */
const SYNTH = ['-c', `"${tsc}" -b "${buildConfig}" && exec node "${join(dist, 'main.js')}"`];
const SIZES = [1, 10, 50, 200];

interface Measurement {
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

/** Runs a command under /usr/bin/time -v for its wall time and peak RSS; any exit status but `status` (default 0) throws. */
function measure(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; status?: number }): Measurement {
  const r = spawnSync('/usr/bin/time', ['-v', command, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`/usr/bin/time is missing (Debian package "time"): ${r.error.message}`);
  if (r.status !== (options.status ?? 0)) throw new Error(`${command} ${args.join(' ')} exited ${r.status}, not ${options.status ?? 0}:\n${r.stdout}\n${r.stderr}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)!;
  return {
    wallSeconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    peakRssMb: Number(rss[1]) / 1024,
    stdout: r.stdout,
  };
}

function countResources(outdir: string): number {
  let n = 0;
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
    n += Object.values(json.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
  }
  return n;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The cdktf CLI entry point on the bundled examples, as a user runs it (checkpoint call included),
 * beside `npm run synth` and the CLI's own start-up; the median of five runs of each.
 */
function benchCdktfCli(): void {
  const cdktf = join(repo, 'node_modules', '.bin', 'cdktf');
  const runs = (command: string, args: string[]) => median(Array.from({ length: 5 }, () => measure(command, args, { cwd: repo }).wallSeconds));
  const npmSynth = runs('npm', ['run', '--silent', 'synth']);
  const cliSynth = runs(cdktf, ['synth']);
  const cliStart = runs(cdktf, ['--version']);
  const noopApp = cliFloorApp();
  const cliFloor = median(Array.from({ length: 5 }, () => measure(cdktf, ['synth'], { cwd: noopApp }).wallSeconds));
  rmSync(noopApp, { recursive: true, force: true });
  console.log(`\nbundled examples (customers/), median of 5:`);
  console.log(`  npm run synth:     ${npmSynth.toFixed(2)} s`);
  console.log(`  npx cdktf synth:   ${cliSynth.toFixed(2)} s  (${(cliSynth / npmSynth).toFixed(2)}x; cdktf.json runs npm run synth)`);
  console.log(`  cdktf --version:   ${cliStart.toFixed(2)} s  (the CLI's own start-up, before it runs the app)`);
  console.log(`  cdktf synth, app that writes an empty manifest: ${cliFloor.toFixed(2)} s  (the CLI's floor: ${(cliFloor / npmSynth).toFixed(2)}x npm run synth with no work at all)`);
}

/**
 * A cdktf project whose app only writes an empty manifest: `cdktf synth` on it costs what the CLI
 * itself does around any app (start-up, its terraform version checks, reading the output), the part
 * of `cdktf synth` the kit cannot make faster.
 */
function cliFloorApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'celerykit-cdktf-floor-'));
  writeFileSync(join(dir, 'noop-app.js'), [
    "const { mkdirSync, writeFileSync } = require('node:fs');",
    "const out = process.env.CDKTF_OUTDIR || 'cdktf.out';",
    'mkdirSync(out, { recursive: true });',
    "writeFileSync(`${out}/manifest.json`, JSON.stringify({ version: '0.21.0', stacks: {} }));",
  ].join('\n'));
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node noop-app.js', sendCrashReports: 'false' }));
  return dir;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(8);

/**
 * `n` parameter files made from the bundled examples in turn (customers/), each with its own
 * customer name: the mix a platform team's CI sees, heavier per file than the generator's.
 */
function exampleCopies(n: number, into: string): string {
  mkdirSync(into);
  const examples = readdirSync(join(repo, 'customers')).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (let i = 0; i < n; i++) {
    const name = examples[i % examples.length]!;
    const text = readFileSync(join(repo, 'customers', name), 'utf8');
    const copy = Math.floor(i / examples.length) + 1;
    writeFileSync(join(into, `${copy}-${name}`), text.replace(/^customer: *(\S+)/m, (_, customer: string) => `customer: ${customer}${copy}`));
  }
  return into;
}

/** The kit on `customers`, then the bare cdktf app on the kit's output; `pin` runs both on one core. */
function kitAgainstBare(work: string, customers: string, label: string, pin: boolean): { kit: Measurement; bare: Measurement; resources: number } {
  const cwd = mkdtempSync(join(work, `${label}-`));
  const wrap = (command: string, args: string[]): [string, string[]] => (pin ? ['taskset', ['-c', '0', command, ...args]] : [command, args]);
  const kit = measure(...wrap('/bin/sh', SYNTH), { cwd, env: { CUSTOMERS_DIR: customers, CDKTF_OUTDIR: '' } });
  const outdir = join(cwd, 'cdktf.out');
  const bareOut = join(cwd, 'bare-out');
  const bare = measure(...wrap('node', [join(dist, 'scripts', 'bench-bare-cdktf.js'), outdir, bareOut]), { cwd });
  const resources = countResources(outdir);
  rmSync(cwd, { recursive: true, force: true });
  return { kit, bare, resources };
}

/** 200 copies of the examples, three times on two cores and three on one, then 1,000 copies once. */
function benchExampleCopies(work: string): void {
  const twoHundred = exampleCopies(200, join(work, 'examples-200'));
  console.log('\ncopies of the bundled examples (customers/*.yaml), kit against a bare cdktf app with the same resources:');
  console.log('   stacks  cores  resources  kit (s)  bare (s)  kit/bare  kit peak RSS (MB)');
  const row = (stacks: number, cores: string, r: { kit: Measurement; bare: Measurement; resources: number }) =>
    console.log(`${String(stacks).padStart(9)} ${cores.padStart(6)} ${String(r.resources).padStart(10)} ${fmt(r.kit.wallSeconds)} ${fmt(r.bare.wallSeconds).padStart(9)} ${fmt(r.kit.wallSeconds / r.bare.wallSeconds).padStart(9)} ${fmt(r.kit.peakRssMb, 0).padStart(18)}`);
  const ratios: Record<string, number[]> = { '2': [], '1': [] };
  const kitTimes: number[] = [];
  for (const pin of [false, true]) {
    for (let run = 0; run < 3; run++) {
      const r = kitAgainstBare(work, twoHundred, `examples-200-${pin ? 1 : 2}core-${run}`, pin);
      row(200, pin ? '1' : '2', r);
      ratios[pin ? '1' : '2']!.push(r.kit.wallSeconds / r.bare.wallSeconds);
      if (!pin) kitTimes.push(r.kit.wallSeconds);
    }
  }
  console.log(`  median kit/bare at 200 stacks: ${median(ratios['2']!).toFixed(2)}x on 2 cores, ${median(ratios['1']!).toFixed(2)}x on 1 core`);
  benchStackCache(work, twoHundred);
  const thousand = kitAgainstBare(work, exampleCopies(1000, join(work, 'examples-1000')), 'examples-1000', false);
  row(1000, '2', thousand);
  console.log(`  1,000 stacks took ${(thousand.kit.wallSeconds / median(kitTimes)).toFixed(2)}x the median 200-stack time (linear: 5.0x), peak ${thousand.kit.peakRssMb.toFixed(0)} MB`);
}

/**
 * The opt-in stack cache (CELERYKIT_CACHE_DIR) at 200 stacks: a first run that fills it, then a
 * run over the unchanged files, then one after an edit to every tenth file; in one folder, on 2 cores.
 */
function benchStackCache(work: string, examples: string): void {
  const cwd = mkdtempSync(join(work, 'cache-run-'));
  // A copy of its own, edited in place below: a file's path is part of its stack's key.
  const customers = mkdtempSync(join(work, 'cache-customers-'));
  for (const name of readdirSync(examples)) writeFileSync(join(customers, name), readFileSync(join(examples, name)));
  const env = { CUSTOMERS_DIR: customers, CDKTF_OUTDIR: '', CELERYKIT_CACHE_DIR: join(cwd, '.cache') };
  const fill = measure('/bin/sh', SYNTH, { cwd, env });
  const warm = measure('/bin/sh', SYNTH, { cwd, env });
  readdirSync(customers).forEach((name, i) => {
    if (i % 10 !== 0) return;
    const text = readFileSync(join(customers, name), 'utf8');
    writeFileSync(join(customers, name), text.replace(/autoscale: \{ min: (\d+), max: (\d+) \}/, (_, min: string, max: string) => `autoscale: { min: ${min}, max: ${Number(max) + 1} }`));
  });
  const tenth = measure('/bin/sh', SYNTH, { cwd, env });
  console.log(`  with CELERYKIT_CACHE_DIR at 200 stacks: first run (fills it) ${fill.wallSeconds.toFixed(2)} s, unchanged files ${warm.wallSeconds.toFixed(2)} s, every tenth file edited ${tenth.wallSeconds.toFixed(2)} s`);
}

/**
 * `celerykit validate` on the files of test/spec/read-file-limits.test.ts, which checks their
 * problem lines but not their time: in this process (the function the CLI's validate command runs,
 * median of 3, after one untimed run on the base file), then as the command a user runs (median of
 * 3, after one untimed run that fills tsx's cache of compiled files).
 */
function benchParameterFiles(work: string): void {
  const dir = mkdtempSync(join(work, 'parameter-files-'));
  const files: Array<[label: string, text: string]> = [
    ['base file (valid, 29 lines)', BASE_FILE],
    ['10,000 app.env keys (under the key limit)', withEnvKeys(BASE_FILE, 10_000)],
    ['19,900 app.env keys (the largest file the tests load)', withEnvKeys(BASE_FILE, PARAMETER_FILE_LIMITS.maxKeys - 100)],
    ['40,000 app.env keys (over the key limit)', withEnvKeys(BASE_FILE, 40_000)],
    [`${TEN_MEGABYTE_KEYS.toLocaleString('en')} app.env keys, over 10 MB (over the size limit)`, tenMegabyteFile(BASE_FILE)],
  ];
  const paths = files.map(([, text], i) => {
    const file = join(dir, `file-${i}.yaml`);
    writeFileSync(file, text);
    return file;
  });
  const validate = (file: string) => {
    const lines: string[] = [];
    const start = performance.now();
    const status = celerykit(['validate', file], () => undefined, (line) => lines.push(line));
    const ms = performance.now() - start;
    return { ms, status, problems: lines.filter((l) => l.startsWith(`${file}:`)).length };
  };
  const first = validate(paths[0]!);
  console.log('\ncelerykit validate on files past the reading limits (the files of test/spec/read-file-limits.test.ts):');
  console.log(`  in this process, median of 3, after a first, untimed run on the base file (it took ${first.ms.toFixed(0)} ms):`);
  console.log('       bytes      ms  exit  problem lines  file');
  files.forEach(([label, text], i) => {
    const runs = Array.from({ length: 3 }, () => validate(paths[i]!));
    const { status, problems } = runs[0]!;
    console.log(`  ${String(Buffer.byteLength(text)).padStart(10)} ${median(runs.map((r) => r.ms)).toFixed(1).padStart(7)} ${String(status).padStart(5)} ${String(problems).padStart(14)}  ${label}`);
  });
  // The CLI is not compiled into dist/ (tsconfig.build.json leaves cli/ out): a user runs it through
  // bin/celerykit.cjs under tsx (`npm run celerykit -- validate`), so start-up includes tsx.
  const bin = join(repo, 'bin', 'celerykit.cjs');
  const command = (file: string, status: number) => measure('node', [bin, 'validate', file], { cwd: work, status });
  command(paths[0]!, 0);
  const seconds = (file: string, status: number) => median(Array.from({ length: 3 }, () => command(file, status).wallSeconds)).toFixed(2);
  console.log('  as a command (node bin/celerykit.cjs validate <file>, start-up included), median of 3:');
  console.log(`    base file: ${seconds(paths[0]!, 0)} s; the file over 10 MB: ${seconds(paths.at(-1)!, 1)} s`);
  rmSync(dir, { recursive: true, force: true });
}

function main(): void {
  if (process.argv.includes('--parameter-files-only')) {
    const work = mkdtempSync(join(tmpdir(), 'celerykit-bench-'));
    benchParameterFiles(work);
    rmSync(work, { recursive: true, force: true });
    return;
  }
  if (process.argv.includes('--examples-only')) {
    measure(tsc, ['-b', buildConfig], { cwd: repo });
    benchExampleCopies(mkdtempSync(join(tmpdir(), 'celerykit-bench-')));
    return;
  }
  if (process.argv.includes('--cdktf-only')) {
    measure(tsc, ['-b', buildConfig], { cwd: repo });
    benchCdktfCli();
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'celerykit-bench-'));
  console.log(`celerykit synthesis benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`work folder: ${work}\n`);

  // Build once, so that the runs below see what every run after the first sees: an up-to-date build.
  measure(tsc, ['-b', buildConfig], { cwd: repo });
  const check = measure(tsc, ['-b', buildConfig], { cwd: repo });
  console.log(`build up-to-date check (tsc -b, part of every npm run synth): ${check.wallSeconds.toFixed(2)} s`);
  const floor = measure('node', [join(dist, 'scripts', 'bench-load-only.js')], { cwd: work });
  console.log(`start-up floor (load the kit's modules, exit): ${floor.wallSeconds.toFixed(2)} s, ${floor.peakRssMb.toFixed(0)} MB\n`);

  console.log('   files   stacks  resources  wall (s)  peak RSS (MB)  per stack (ms, marginal)');
  const results: Array<{ n: number; resources: number; m: Measurement; outdir: string }> = [];
  for (const n of SIZES) {
    const customers = join(work, `customers-${n}`);
    mkdirSync(customers);
    for (let seed = 1; seed <= n; seed++) {
      const file = randomParameterFile(seed, { minPools: 3, monitoring: true });
      writeFileSync(join(customers, file.name), file.text);
    }
    const cwd = join(work, `run-${n}`);
    mkdirSync(cwd);
    const m = measure('/bin/sh', SYNTH, { cwd, env: { CUSTOMERS_DIR: customers, CDKTF_OUTDIR: '' } });
    const outdir = join(cwd, 'cdktf.out');
    const resources = countResources(outdir);
    results.push({ n, resources, m, outdir });
    const first = results[0]!;
    const marginal = n === 1 ? NaN : ((m.wallSeconds - first.m.wallSeconds) / (n - 1)) * 1000;
    console.log(`${String(n).padStart(8)} ${String(n).padStart(8)} ${String(resources).padStart(10)} ${fmt(m.wallSeconds)} ${fmt(m.peakRssMb, 0).padStart(14)} ${Number.isNaN(marginal) ? '       -' : fmt(marginal, 0).padStart(12)}`);
  }

  const largest = results[results.length - 1]!;
  const bare = measure('node', [join(dist, 'scripts', 'bench-bare-cdktf.js'), largest.outdir, join(work, 'bare-out')], { cwd: work });
  console.log(`\nbare cdktf, same ${largest.resources} resources in ${largest.n} stacks: ${bare.wallSeconds.toFixed(2)} s, ${bare.peakRssMb.toFixed(0)} MB`);
  console.log(`kit / bare cdktf at ${largest.n} stacks: ${(largest.m.wallSeconds / bare.wallSeconds).toFixed(2)}x wall, ${(largest.m.peakRssMb / bare.peakRssMb).toFixed(2)}x memory`);
  console.log(`per resource: kit ${((largest.m.wallSeconds * 1000) / largest.resources).toFixed(3)} ms, bare ${((bare.wallSeconds * 1000) / largest.resources).toFixed(3)} ms`);

  benchExampleCopies(work);
  benchCdktfCli();
  benchParameterFiles(work);

  if (!process.argv.includes('--no-tests')) {
    console.log('\nnpm test, split:');
    const types = measure('npx', ['tsc', '--noEmit'], { cwd: repo });
    console.log(`  type-check (tsc --noEmit):                 ${types.wallSeconds.toFixed(1)} s`);
    const unit = measure('npx', ['vitest', 'run', '--exclude', 'test/terraform/**', '--exclude', 'test/brokers/**'], { cwd: repo, env: { CI: 'true' } });
    console.log(`  unit and tool tests (vitest, no terraform): ${unit.wallSeconds.toFixed(1)} s`);
    const brokers = measure('npx', ['vitest', 'run', 'test/brokers'], { cwd: repo, env: { CI: 'true' } });
    console.log(`  real-broker tests (Redis, RabbitMQ):        ${brokers.wallSeconds.toFixed(1)} s`);
    const terraform = measure('npx', ['vitest', 'run', 'test/terraform'], { cwd: repo, env: { CI: 'true' } });
    console.log(`  terraform checks (init/validate/plan):      ${terraform.wallSeconds.toFixed(1)} s`);
  }
}

main();
