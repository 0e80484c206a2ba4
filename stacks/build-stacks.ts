/**
 * Builds, renders and checks the stacks of one synth run, on two threads when there are many.
 *
 * Building and rendering are nearly all of a large run's time, and each stack stands alone, so a
 * second thread takes every other stack and sends back its rendered JSON and its policy findings.
 * Only the main thread writes, and only after every stack on both threads passed.
 */
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkStackPolicies, formatViolation } from '../constructs/policies/policy-aspect';
import { POLICY_RULES } from '../constructs/policies/rules';
import type { DeploymentSpec } from '../spec/types';
import { CeleryStack } from './celery-stack';

/** Below this many stacks, a second thread (it loads the kit again, ~0.5 s of CPU) costs more than it saves. */
const MIN_STACKS_FOR_A_SECOND_THREAD = 16;

export interface CheckedStack {
  readonly spec: DeploymentSpec;
  /** One line per policy violation or unknown suppression. */
  readonly violations: string[];
  /** One line per suppression, with how many findings it hid. */
  readonly suppressed: string[];
}

/** Builds, renders and checks the stacks of `specs` in `app`, on this thread. */
export function buildAndCheck(app: App, specs: readonly DeploymentSpec[], localStateDir: string): Array<CheckedStack & { stack: CeleryStack }> {
  return specs.map((spec) => {
    const stack = new CeleryStack(app, { spec, localStateDir });
    // One render per stack: the policy pack checks it and app.synth() writes it.
    stack.render();
    const violations: string[] = [];
    for (const s of spec.policySuppressions) {
      if (!POLICY_RULES.some((r) => r.id === s.rule)) violations.push(`${spec.sourceFile}: policy.suppress: no rule ${s.rule}. Fix: use an id from docs/policies.md.`);
    }
    const result = checkStackPolicies(stack, spec.stackId, spec.policySuppressions);
    violations.push(...result.violations.map(formatViolation));
    const suppressed = spec.policySuppressions.map((s) => `${spec.stackId}: policy ${s.rule} suppressed (${result.usedSuppressions.get(s.rule) ?? 0} findings): ${s.reason}`);
    return { spec, stack, violations, suppressed };
  });
}

/** What the second thread sends back per stack. */
export interface RenderedResult {
  readonly violations: string[];
  readonly suppressed: string[];
  readonly json: Record<string, unknown>;
}

/** A stack rendered on the second thread; cdktf's synth writes its JSON like any other stack's. */
class RenderedStack extends TerraformStack {
  constructor(
    scope: Construct,
    id: string,
    private readonly json: Record<string, unknown>,
  ) {
    super(scope, id);
  }

  override prepareStack(): void {}

  override toTerraform(): Record<string, unknown> {
    return this.json;
  }
}

/**
 * A second thread, started before the parameter files are read so that it loads the kit (about
 * 0.5 s) while this thread reads and validates them; it then waits for its share of the stacks.
 */
export class SecondThread {
  private readonly worker: Worker;
  private readonly result: Promise<RenderedResult[]>;

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
    return compiled && entries >= MIN_STACKS_FOR_A_SECOND_THREAD && availableParallelism() >= 2 ? new SecondThread() : undefined;
  }

  private constructor() {
    this.worker = new Worker(join(__dirname, 'build-worker.js'));
    this.result = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the second synth thread stopped with code ${code}`)));
    });
    // A run that stops before handing out work must not wait for it.
    this.result.catch(() => undefined);
  }

  build(specs: readonly DeploymentSpec[], outdir: string, localStateDir: string): Promise<RenderedResult[]> {
    this.worker.postMessage({ specs, outdir, localStateDir });
    return this.result;
  }

  stop(): void {
    void this.worker.terminate();
  }
}

/**
 * Builds, renders and checks one stack per spec in `app`, sharing the work with `second` when
 * given, and returns the findings in the order of `specs`. Writes nothing.
 */
export async function buildStacks(app: App, specs: readonly DeploymentSpec[], localStateDir: string, second?: SecondThread): Promise<CheckedStack[]> {
  if (second === undefined || specs.length < MIN_STACKS_FOR_A_SECOND_THREAD) {
    second?.stop();
    return buildAndCheck(app, specs, localStateDir);
  }
  const mine = specs.filter((_, i) => i % 2 === 0);
  const theirs = specs.filter((_, i) => i % 2 === 1);
  const remote = second.build(theirs, app.outdir, localStateDir);
  const local = buildAndCheck(app, mine, localStateDir);
  const rendered = await remote;
  const results: CheckedStack[] = [];
  specs.forEach((spec, i) => {
    if (i % 2 === 0) return results.push(local[i / 2]!);
    const r = rendered[(i - 1) / 2]!;
    new RenderedStack(app, spec.stackId, r.json);
    return results.push({ spec, violations: r.violations, suppressed: r.suppressed });
  });
  return results;
}
