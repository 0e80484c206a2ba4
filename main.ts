/**
 * The cdktf app: every parameter file in customers/ (or $CUSTOMERS_DIR) becomes one stack under
 * cdktf.out/stacks/<customer>-<environment>/. Bad files stop the run before anything is written.
 */
import { App } from 'cdktf';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadDeploymentsFromDir } from './spec/load';
import { formatProblem, SpecValidationError, type SpecProblem } from './spec/problems';
import type { DeploymentSpec } from './spec/types';
import { buildStacks, cachedStackOf, PhaseTimes, phaseTimes, placeArtifacts, resourceCountOf, SecondThread } from './stacks/build-stacks';
import { removeStagingDirs } from './stacks/stack-staging';
import { StackCache } from './stacks/stack-cache';
import { skipTokenCreationTraces } from './stacks/token-traces';
import { unexpectedErrorReport } from './spec/unexpected-error';

// cdktf records a stack trace for every token it creates; with source maps on (tsx turns them on)
// each trace is mapped frame by frame, which was a third of the synth time. Errors the kit shows
// users never carry stack traces, so mapping buys nothing here.
process.setSourceMapsEnabled(false);
// Without mapping, capturing the traces still cost about three quarters of building the stacks.
skipTokenCreationTraces();

/** Phase timings on stderr when CELERYKIT_TIMINGS is set (used by the benchmark). */
const timings = process.env.CELERYKIT_TIMINGS
  ? (phase: string, since: number, detail?: string) => console.error(`timing ${phase} ${(performance.now() - since).toFixed(0)} ms${detail === undefined ? '' : ` (${detail})`}`)
  : () => undefined;

/** What a run undoes when it stops on an error it did not foresee. */
const undo: { second?: SecondThread; createdOutdir?: string; stagedIn?: string } = {};

async function main(): Promise<number> {
  let t = performance.now();
  const customersDir = process.env.CUSTOMERS_DIR ?? 'customers';
  // Started first, so that it loads the kit while this thread reads the files.
  const second = SecondThread.startFor(customersDir);
  if (second !== undefined) undo.second = second;
  let specs: DeploymentSpec[];
  let warnings: SpecProblem[];
  try {
    ({ specs, warnings } = loadDeploymentsFromDir(customersDir));
  } catch (e) {
    if (!(e instanceof SpecValidationError)) throw e;
    second?.stop();
    printProblems(e.problems);
    const errors = e.problems.filter((p) => p.severity === 'error');
    const files = new Set(errors.map((p) => p.file)).size;
    console.error(`\n${errors.length} error${errors.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; nothing was synthesized.`);
    return 1;
  }
  printProblems(warnings);
  timings('load', t);
  t = performance.now();

  const outdir = process.env.CDKTF_OUTDIR || 'cdktf.out';
  // cdktf creates the output folder as soon as the app exists; remove it again if this run fails.
  const outdirExisted = existsSync(outdir);
  if (!outdirExisted) undo.createdOutdir = outdir;
  // No stack traces in metadata (they cost a captured Error per construct) and no validation pass,
  // which the kit's schema and policy pack already cover.
  const app = new App({ outdir, stackTraces: false, skipValidation: true });
  const cache = StackCache.fromEnv();
  undo.stagedIn = app.outdir;
  const { checked, failures, unbuilt, onSecondThread, secondThreadPhases, fromCache } = await buildStacks(app, specs, process.cwd(), second, cache);
  const shares = [onSecondThread > 0 ? `${onSecondThread} of ${specs.length} stacks on the second thread` : '', cache ? `${fromCache} of ${specs.length} stacks from the cache` : ''].filter((s) => s !== '');
  timings('build-render-check', t, shares.length > 0 ? shares.join(', ') : undefined);
  if (process.env.CELERYKIT_TIMINGS) {
    console.error(`timing steps on the main thread: ${PhaseTimes.format(phaseTimes.totals)}`);
    if (secondThreadPhases) console.error(`timing steps on the second thread: ${PhaseTimes.format(secondThreadPhases)}`);
  }
  // The policy pack ran before anything is written: a stack that could not be built or a violation stops the whole run.
  for (const c of checked) for (const line of c.suppressed) console.error(line);
  const violations = checked.flatMap((c) => c.violations);
  if (failures.length > 0 || violations.length > 0) {
    for (const line of [...failures, ...violations]) console.error(line);
    const counts = [unbuilt > 0 ? `${plural(unbuilt, 'stack')} could not be built` : '', violations.length > 0 ? plural(violations.length, 'policy violation') : ''];
    console.error(`\n${counts.filter((c) => c !== '').join(', ')}; nothing was synthesized.`);
    removeStagingDirs(app.outdir);
    if (!outdirExisted) rmSync(outdir, { recursive: true, force: true });
    return 1;
  }
  t = performance.now();
  app.synth();
  timings('synth', t);
  t = performance.now();
  removeStaleStacks(app.outdir, specs);
  const artifactNames = new Map(specs.map((spec) => [spec.stackId, placeArtifacts(app, spec)]));
  removeStagingDirs(app.outdir);
  delete undo.stagedIn;

  for (const spec of specs) console.log(summaryLine(spec, app));
  timings('artifacts-and-summary', t);
  if (cache !== undefined) {
    t = performance.now();
    try {
      for (const c of checked) {
        const key = cache.keyOf(c.spec, process.cwd(), app.outdir);
        if (!cache.wasHit(key)) cache.put(key, cachedStackOf(app, c.spec, artifactNames.get(c.spec.stackId) ?? [], c.suppressed));
      }
      cache.prune();
    } catch (e) {
      // The stacks are written and complete; only the next run's head start is lost.
      console.error(`CELERYKIT_CACHE_DIR ${cache.dir}: warning: could not store the stacks in the cache (${e instanceof Error ? e.message : String(e)}); the output is complete. Fix: point CELERYKIT_CACHE_DIR at a writable folder, or unset it.`);
    }
    timings('cache-store', t);
  }
  console.log(`${specs.length} stack${specs.length === 1 ? '' : 's'} synthesized from ${customersDir}`);
  return 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function printProblems(problems: readonly SpecProblem[]): void {
  for (const p of problems) console.error(formatProblem(p));
}

/** Stack folders from earlier runs whose parameter file is gone would otherwise be planned and deployed by CI. */
function removeStaleStacks(outdir: string, specs: readonly DeploymentSpec[]): void {
  const stacksDir = join(outdir, 'stacks');
  if (!existsSync(stacksDir)) return;
  const current = new Set(specs.map((s) => s.stackId));
  for (const name of readdirSync(stacksDir)) {
    if (!current.has(name)) rmSync(join(stacksDir, name), { recursive: true, force: true });
  }
}

function summaryLine(spec: DeploymentSpec, app: App): string {
  const file = join(app.outdir, 'stacks', spec.stackId, 'cdk.tf.json');
  // From what the stack kept, rather than the file read back and parsed.
  const resources = resourceCountOf(app, spec.stackId);
  return [
    spec.stackId.padEnd(24),
    `${spec.cloud} ${spec.region}`.padEnd(22),
    spec.broker.kind.padEnd(9),
    `${plural(spec.pools.length, 'pool')}, ${plural(spec.queues.length, 'queue')}, ${plural(spec.schedules.length, 'schedule')}`.padEnd(34),
    `${plural(resources, 'resource')}  ${relative(process.cwd(), file)}`,
  ].join(' ');
}

/**
 * The one guard of this entry point: an error nothing above foresaw is one line and exit 1, the
 * second thread is stopped and an output folder this run created is removed again.
 */
function stopUnexpectedly(e: unknown): number {
  undo.second?.stop();
  if (undo.stagedIn !== undefined) removeStagingDirs(undo.stagedIn);
  if (undo.createdOutdir !== undefined) rmSync(undo.createdOutdir, { recursive: true, force: true });
  for (const line of unexpectedErrorReport(e, process.env.CUSTOMERS_DIR ?? 'customers', 'synthesizing')) console.error(line);
  return 1;
}

void main()
  .catch(stopUnexpectedly)
  .then((code) => (process.exitCode = code));
