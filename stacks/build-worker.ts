/**
 * The second synth thread (see build-stacks.ts): loads the kit, then builds, renders and checks the
 * stacks it is sent in an app of its own, and sends back their files and findings, or for a stack
 * that throws, its failure (stack, file, message), so that the main thread can report it in one line.
 * It writes nothing.
 */
import { App } from 'cdktf';
import { parentPort } from 'node:worker_threads';
import type { DeploymentSpec } from '../spec/types';
import { buildAndCheckOne, buildEach, countResources, phaseTimes, terraformJsonText, type Outcome, type RenderedResult, type SecondThreadReply } from './build-stacks';
import { stackArtifacts } from './stack-artifacts';
import { skipTokenCreationTraces } from './token-traces';

// Each thread loads its own copy of cdktf, so the main thread's setting does not reach this one.
skipTokenCreationTraces();

// The main thread sends this thread's share once it has read the parameter files.
parentPort!.once('message', ({ specs, outdir, localStateDir }: { specs: DeploymentSpec[]; outdir: string; localStateDir: string }) => {
  const app = new App({ outdir, stackTraces: false, skipValidation: true });
  const results: Array<Outcome<RenderedResult>> = buildEach(specs, (spec) => {
    const { stack, violations, suppressed } = buildAndCheckOne(app, spec, localStateDir);
    let t = performance.now();
    const json = stack.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
    const text = terraformJsonText(json);
    t = phaseTimes.add('serialize', t);
    const artifacts = stackArtifacts(spec);
    phaseTimes.add('artifacts', t);
    return { violations, suppressed, text, resources: countResources(json), artifacts };
  });
  const reply: SecondThreadReply = { results, phases: phaseTimes.totals };
  parentPort!.postMessage(reply);
});
