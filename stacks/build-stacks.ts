/**
 * Builds, renders and checks the stacks of one synth run, on two threads when there are many.
 *
 * Building and rendering are nearly all of a large run's time, and each stack stands alone, so a
 * second thread takes every other stack and sends back its rendered JSON (as text), its other files
 * and its policy findings.
 * Only the main thread writes, and only after every stack on both threads passed.
 */
import { App, TerraformStack, type ISynthesisSession } from 'cdktf';
import type { Construct } from 'constructs';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkStackPolicies, formatViolation } from '../constructs/policies/policy-aspect';
import { POLICY_RULES } from '../constructs/policies/rules';
import type { DeploymentSpec } from '../spec/types';
import { CeleryStack } from './celery-stack';
import { stackArtifacts } from './stack-artifacts';
import { placeStagedFile, stagedFileNames, stageStackFiles, stagingDirFor } from './stack-staging';
import { forgetTokensSince, nextTokenNumber } from './stack-tokens';
import type { CachedStack, StackCache } from './stack-cache';

/** Below this many stacks, a second thread (it loads the kit again, ~0.5 s of CPU) costs more than it saves. */
const MIN_STACKS_FOR_A_SECOND_THREAD = 16;

export interface CheckedStack {
  readonly spec: DeploymentSpec;
  /** One line per policy violation or unknown suppression. */
  readonly violations: string[];
  /** One line per suppression, with how many findings it hid. */
  readonly suppressed: string[];
}

/** A stack whose building, rendering or checking threw; the run stops with one line for it. */
export interface FailedStack {
  readonly stackId: string;
  readonly sourceFile: string;
  readonly message: string;
}

/** One line, no stack trace: the file, the stack, what went wrong and what to do. */
export function formatFailure(f: FailedStack): string {
  return `${f.sourceFile}: stack ${f.stackId} could not be built: ${f.message}. Fix: this is a fault in celerykit, not in the file; report this line with the file to the platform team.`;
}

/** A failure for an error thrown while the stack of `spec` was built. */
function failureOf(spec: DeploymentSpec, error: unknown): FailedStack {
  return { stackId: spec.stackId, sourceFile: spec.sourceFile, message: oneLine(error) };
}

/** An error's message on one line, without a closing full stop (the line adds its own). */
function oneLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return message === '' ? 'unknown error' : message;
}

/** What `build` returned for one spec, or why it threw. */
export type Outcome<T> = { readonly built: T } | { readonly failed: FailedStack };

/**
 * Milliseconds this thread spent in each step of building stacks, summed over its stacks: what
 * CELERYKIT_TIMINGS prints per thread, so that a profile of a large run reads per phase.
 */
export class PhaseTimes {
  readonly totals: Record<string, number> = {};

  /** Adds the time since `since` to `phase`; returns now, the start of the next step. */
  add(phase: string, since: number): number {
    const now = performance.now();
    this.totals[phase] = (this.totals[phase] ?? 0) + (now - since);
    return now;
  }

  /** `construct 812 ms, render 1330 ms, …` */
  static format(totals: Readonly<Record<string, number>>): string {
    return Object.entries(totals)
      .map(([phase, ms]) => `${phase} ${ms.toFixed(0)} ms`)
      .join(', ');
  }
}

/** This thread's phase times. */
export const phaseTimes = new PhaseTimes();

/** Runs `build` for every spec, in order; a spec whose build throws yields its failure and the others still run. */
export function buildEach<T>(specs: readonly DeploymentSpec[], build: (spec: DeploymentSpec) => T): Array<Outcome<T>> {
  return specs.map((spec) => {
    try {
      return { built: build(spec) };
    } catch (e) {
      return { failed: failureOf(spec, e) };
    }
  });
}

/** Builds, renders and checks the stack of `spec` in `app`, on this thread; throws what a construct throws. */
export function buildAndCheckOne(app: App, spec: DeploymentSpec, localStateDir: string): CheckedStack & { stack: CeleryStack } {
  let t = performance.now();
  const stack = new CeleryStack(app, { spec, localStateDir });
  t = phaseTimes.add('construct', t);
  // One render per stack: the policy pack checks it and app.synth() writes it.
  stack.render();
  t = phaseTimes.add('render', t);
  const violations: string[] = [];
  for (const s of spec.policySuppressions) {
    if (!POLICY_RULES.some((r) => r.id === s.rule)) violations.push(`${spec.sourceFile}: policy.suppress: no rule ${s.rule}. Fix: use an id from docs/policies.md.`);
  }
  const result = checkStackPolicies(stack, spec.stackId, spec.policySuppressions);
  violations.push(...result.violations.map(formatViolation));
  const suppressed = spec.policySuppressions.map((s) => `${spec.stackId}: policy ${s.rule} suppressed (${result.usedSuppressions.get(s.rule) ?? 0} findings): ${s.reason}`);
  phaseTimes.add('policy', t);
  return { spec, stack, violations, suppressed };
}

/**
 * Builds, renders and checks the stack of `spec` in `app`, stages its files in `stagingDir`
 * (cdk.tf.json and its artifacts), keeps its findings and resource count, and removes it
 * from `app` and its tokens from cdktf's token map (stack-tokens.ts), so that its construct tree,
 * the largest part of a run's memory, can be collected while the next stacks are built.
 */
export function buildRenderedOne(app: App, spec: DeploymentSpec, localStateDir: string, stagingDir: string): RenderedResult {
  const firstToken = nextTokenNumber();
  try {
    const { stack, violations, suppressed } = buildAndCheckOne(app, spec, localStateDir);
    let t = performance.now();
    const json = stack.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
    const text = terraformJsonText(json);
    t = phaseTimes.add('serialize', t);
    const artifacts = stackArtifacts(spec);
    t = phaseTimes.add('artifacts', t);
    const stagedDir = stageStackFiles(stagingDir, spec.stackId, { [STACK_FILE]: text, ...artifacts });
    phaseTimes.add('stage', t);
    return { violations, suppressed, resources: countResources(json), stagedDir };
  } finally {
    // Also after a throw: the run stops, but the other stacks are still built and checked, and a
    // half-built stack must not be synthesized with them.
    app.node.tryRemoveChild(spec.stackId);
    forgetTokensSince(firstToken);
  }
}

/**
 * Builds, renders and checks the stacks of `specs` on this thread, each standing in `app` as a
 * RenderedStack afterwards, collecting a failure per stack that throws.
 */
function buildRenderedHere(app: App, specs: readonly DeploymentSpec[], localStateDir: string, stagingDir: string): Array<Outcome<CheckedStack>> {
  return buildEach(specs, (spec) => {
    const rendered = buildRenderedOne(app, spec, localStateDir, stagingDir);
    new RenderedStack(app, spec.stackId, rendered);
    return { spec, violations: rendered.violations, suppressed: rendered.suppressed };
  });
}

/**
 * What a thread keeps of a stack it built: its findings and resource count. Its files (cdk.tf.json
 * as the text cdktf would write, and its artifacts) are already staged on disk, so that neither the
 * thread's memory nor the message back from the second thread grows with the number of stacks.
 */
export interface RenderedResult {
  readonly violations: string[];
  readonly suppressed: string[];
  readonly resources: number;
  /** The staging folder (stack-staging.ts) that holds the stack's cdk.tf.json and its artifacts. */
  readonly stagedDir: string;
}

/**
 * cdk.tf.json's text for a rendered stack, byte for byte what cdktf's StackSynthesizer writes
 * (cdktf/lib/synthesize/synthesizer.js: json-stable-stringify 1.3 with `space: 2`): keys sorted
 * by code unit at every level, two spaces per level, an empty object or array written open with
 * its closing bracket on the next line, undefined members left out and undefined array items
 * written as null, toJSON honoured. That package reaches every array method through call-bind
 * wrappers and scans a list of open objects for cycles; this does the same walk directly (a Set
 * for the cycle check), in a tenth of the time. test/stacks/build-stacks.test.ts compares the two.
 */
export function terraformJsonText(json: Record<string, unknown>): string {
  const open = new Set<object>();
  const write = (node: unknown, indent: string): string | undefined => {
    if (node !== null && typeof node === 'object' && typeof (node as { toJSON?: unknown }).toJSON === 'function') node = (node as { toJSON: () => unknown }).toJSON();
    if (node === undefined) return undefined;
    if (typeof node !== 'object' || node === null) return JSON.stringify(node);
    const inner = `${indent}  `;
    const parts: string[] = [];
    if (Array.isArray(node)) {
      for (const item of node) parts.push(`\n${inner}${write(item, inner) ?? 'null'}`);
      return `[${parts.join(',')}\n${indent}]`;
    }
    if (open.has(node)) throw new TypeError('Converting circular structure to JSON');
    open.add(node);
    for (const key of Object.keys(node).sort()) {
      const value = write((node as Record<string, unknown>)[key], inner);
      if (value !== undefined) parts.push(`\n${inner}${JSON.stringify(key)}: ${value}`);
    }
    open.delete(node);
    return `{${parts.join(',')}\n${indent}}`;
  };
  return write(json, '') ?? '';
}

/** Resource blocks in a stack's Terraform JSON. */
export function countResources(json: { resource?: Record<string, Record<string, unknown>> }): number {
  return Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/** The name cdktf gives a stack's Terraform JSON in its folder. */
const STACK_FILE = 'cdk.tf.json';

/**
 * A stack built and rendered already (on either thread, or taken from the cache), standing in the
 * app for the manifest: its synthesizer registers it and moves its staged cdk.tf.json into its
 * folder (the same steps as cdktf's StackSynthesizer for a stack with no aspects, annotations or
 * custom synthesis, which such a stack has none of).
 */
class RenderedStack extends TerraformStack {
  /** Where the stack's files are now: the staging folder until synth, then the stack's folder. */
  private filesDir: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly rendered: RenderedResult,
  ) {
    super(scope, id);
    this.filesDir = rendered.stagedDir;
    this.synthesizer = {
      synthesize: (session: ISynthesisSession) => {
        const stackManifest = session.manifest.forStack(this);
        const workingDirectory = join(session.outdir, stackManifest.workingDirectory);
        if (!existsSync(workingDirectory)) mkdirSync(workingDirectory);
        placeStagedFile(this.rendered.stagedDir, STACK_FILE, join(session.outdir, stackManifest.synthesizedStackPath));
      },
    };
  }

  get resourceCount(): number {
    return this.rendered.resources;
  }

  /** Moves the staged artifacts into `stackDir` (after synth); returns their names. */
  placeArtifacts(stackDir: string): string[] {
    const names = stagedFileNames(this.rendered.stagedDir).filter((n) => n !== STACK_FILE);
    for (const name of names) placeStagedFile(this.rendered.stagedDir, name, join(stackDir, name));
    // Empty now; one rmdir here is cheaper than the recursive removal walking it later.
    rmdirSync(this.rendered.stagedDir);
    this.filesDir = stackDir;
    return names;
  }

  override prepareStack(): void {}

  override toTerraform(): Record<string, unknown> {
    return JSON.parse(readFileSync(join(this.filesDir, STACK_FILE), 'utf8')) as Record<string, unknown>;
  }
}

/** Resources in the stack `stackId` of `app` after buildStacks(), without parsing its file. */
export function resourceCountOf(app: App, stackId: string): number {
  // After buildStacks() every stack of the app is a RenderedStack (built here, on the second thread or from the cache).
  return (app.node.findChild(stackId) as RenderedStack).resourceCount;
}

/**
 * After app.synth(): moves the staged files beside cdk.tf.json of the stack of `spec` into its
 * folder, and returns their names.
 */
export function placeArtifacts(app: App, spec: DeploymentSpec): string[] {
  return (app.node.findChild(spec.stackId) as RenderedStack).placeArtifacts(join(app.outdir, 'stacks', spec.stackId));
}

/** The second thread's one message: an outcome per stack it was sent, and its phase times. */
export interface SecondThreadReply {
  readonly results: Array<Outcome<RenderedResult>>;
  readonly phases: Record<string, number>;
}

/**
 * A second thread, started before the parameter files are read so that it loads the kit (about
 * 0.5 s) while this thread reads and validates them; it then waits for its share of the stacks.
 */
export class SecondThread {
  private readonly worker: Worker;
  private readonly result: Promise<SecondThreadReply>;

  /**
   * A second thread for a run over the folder `customersDir`, or undefined when it would not pay.
   * Counts folder entries, not valid files; buildStacks() stops the thread if fewer stacks come.
   */
  static startFor(customersDir: string): SecondThread | undefined {
    let entries = 0;
    try {
      entries = readdirSync(customersDir).length;
    } catch {
      return undefined; // loading reports the missing folder
    }
    // Only compiled (npm run synth): a worker started under tsx would not get tsx's loader.
    const compiled = extname(__filename) === '.js';
    return compiled && entries >= MIN_STACKS_FOR_A_SECOND_THREAD && availableParallelism() >= 2 ? new SecondThread(customersDir) : undefined;
  }

  private constructor(readonly customersDir: string) {
    this.worker = new Worker(join(__dirname, 'build-worker.js'));
    this.result = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      // A thread that dies (an error outside any one stack, out of memory) rejects; buildStacks() turns that into one line.
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`it stopped with exit code ${code}`)));
    });
    // A run that stops before handing out work must not wait for it.
    this.result.catch(() => undefined);
  }

  build(specs: readonly DeploymentSpec[], outdir: string, localStateDir: string, stagingDir: string): Promise<SecondThreadReply> {
    this.worker.postMessage({ specs, outdir, localStateDir, stagingDir });
    return this.result;
  }

  stop(): void {
    void this.worker.terminate();
  }
}

/** What buildStacks() found, in the order of the specs. */
export interface BuiltStacks {
  /** The stacks that were built, rendered and checked (or taken from the cache). */
  readonly checked: CheckedStack[];
  /** One line per stack that could not be built (or one for a second thread that died); empty when all were. */
  readonly failures: string[];
  /** How many stacks could not be built (all of its share when the second thread died). */
  readonly unbuilt: number;
  /** How many stacks were handed to the second thread (0 when the run stayed on one thread). */
  readonly onSecondThread: number;
  /** The second thread's phase times (see PhaseTimes), when it ran. */
  readonly secondThreadPhases?: Record<string, number>;
  /** How many stacks came from the cache (0 without one). */
  readonly fromCache: number;
}

/** Outcomes in the order of the specs built, and how the work was shared. */
interface BuildRun {
  readonly outcomes: ReadonlyArray<Outcome<CheckedStack> | undefined>;
  readonly onSecondThread: number;
  readonly secondThreadPhases?: Record<string, number>;
  /** The line for a second thread that died; its stacks' outcomes are then undefined. */
  readonly died?: string;
}

/**
 * Builds, renders and checks one stack per spec in `app`, sharing the work with `second` when
 * given and taking unchanged stacks from `cache` when given (stack-cache.ts), and returns the
 * findings and failures in the order of `specs`. Writes nothing but the staged files (the caller
 * places them with app.synth() and placeArtifacts(), or removes them with removeStagingDirs()) and
 * cache timestamps, and never throws for a stack: a stack that throws becomes a failure line.
 */
export async function buildStacks(app: App, specs: readonly DeploymentSpec[], localStateDir: string, second?: SecondThread, cache?: StackCache): Promise<BuiltStacks> {
  const hits = specs.map((spec) => cache?.get(cache.keyOf(spec, localStateDir, app.outdir)));
  const missed = specs.filter((_, i) => hits[i] === undefined);
  const stagingDir = stagingDirFor(app.outdir);
  const run = await buildOnThreads(app, missed, localStateDir, stagingDir, second);
  const outcomes: Array<Outcome<CheckedStack> | undefined> = [];
  let next = 0;
  specs.forEach((spec, i) => {
    const hit = hits[i];
    if (hit === undefined) {
      outcomes.push(run.outcomes[next++]);
      return;
    }
    const stagedDir = stageStackFiles(stagingDir, spec.stackId, { [STACK_FILE]: hit.text, ...hit.artifacts });
    new RenderedStack(app, spec.stackId, { violations: [], suppressed: hit.suppressed, resources: hit.resources, stagedDir });
    outcomes.push({ built: { spec, violations: [], suppressed: hit.suppressed } });
  });
  const checked: CheckedStack[] = [];
  const failures: string[] = [];
  outcomes.forEach((o, i) => {
    if (o === undefined) return;
    if ('failed' in o) failures.push(formatFailure(o.failed));
    else checked.push({ spec: specs[i]!, violations: o.built.violations, suppressed: o.built.suppressed });
  });
  const unbuilt = failures.length + outcomes.filter((o) => o === undefined).length;
  if (run.died !== undefined) failures.push(run.died);
  return {
    checked,
    failures,
    unbuilt,
    onSecondThread: run.onSecondThread,
    ...(run.secondThreadPhases ? { secondThreadPhases: run.secondThreadPhases } : {}),
    fromCache: specs.length - missed.length,
  };
}

/** Builds the stacks of `specs`, on two threads when there are enough of them. */
async function buildOnThreads(app: App, specs: readonly DeploymentSpec[], localStateDir: string, stagingDir: string, second?: SecondThread): Promise<BuildRun> {
  if (second === undefined || specs.length < MIN_STACKS_FOR_A_SECOND_THREAD) {
    second?.stop();
    return { outcomes: buildRenderedHere(app, specs, localStateDir, stagingDir), onSecondThread: 0 };
  }
  const mine = specs.filter((_, i) => i % 2 === 0);
  const theirs = specs.filter((_, i) => i % 2 === 1);
  const remote = second.build(theirs, app.outdir, localStateDir, stagingDir);
  const local = buildRenderedHere(app, mine, localStateDir, stagingDir);
  let reply: SecondThreadReply;
  try {
    reply = await remote;
  } catch (e) {
    const died = `${second.customersDir}: the second synth thread stopped before it sent back its ${theirs.length} stacks: ${oneLine(e)}. Fix: run the synth again; if it stops again, report this line to the platform team.`;
    return { outcomes: specs.map((_, i) => (i % 2 === 0 ? local[i / 2]! : undefined)), onSecondThread: theirs.length, died };
  }
  const outcomes: Array<Outcome<CheckedStack>> = specs.map((spec, i) => {
    if (i % 2 === 0) return local[i / 2]!;
    const r = reply.results[(i - 1) / 2]!;
    if ('failed' in r) return r;
    new RenderedStack(app, spec.stackId, r.built);
    return { built: { spec, violations: r.built.violations, suppressed: r.built.suppressed } };
  });
  return { outcomes, onSecondThread: theirs.length, secondThreadPhases: reply.phases };
}

/**
 * What the cache keeps of the stack `spec` after app.synth() and placeArtifacts() wrote it: its
 * cdk.tf.json as written, its artifacts (`artifactNames`, from placeArtifacts) and its suppression lines.
 */
export function cachedStackOf(app: App, spec: DeploymentSpec, artifactNames: readonly string[], suppressed: string[]): CachedStack {
  const stackDir = join(app.outdir, 'stacks', spec.stackId);
  return {
    text: readFileSync(join(stackDir, STACK_FILE), 'utf8'),
    resources: resourceCountOf(app, spec.stackId),
    artifacts: Object.fromEntries(artifactNames.map((name) => [name, readFileSync(join(stackDir, name), 'utf8')])),
    suppressed,
  };
}
