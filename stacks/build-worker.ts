/**
 * The second synth thread (see build-stacks.ts): loads the kit, then builds, renders and checks the
 * stacks it is sent in an app of its own, stages their files (stack-staging.ts) and sends back their
 * findings, or for a stack that throws, its failure (stack, file, message), so that the main thread
 * can report it in one line. It writes nothing outside the staging folder.
 */
import { App } from 'cdktf';
import { parentPort } from 'node:worker_threads';
import type { DeploymentSpec } from '../spec/types';
import { buildEach, buildRenderedOne, phaseTimes, type Outcome, type RenderedResult, type SecondThreadReply } from './build-stacks';
import { skipTokenCreationTraces } from './token-traces';

// Each thread loads its own copy of cdktf, so the main thread's setting does not reach this one.
skipTokenCreationTraces();

// The main thread sends this thread's share once it has read the parameter files.
parentPort!.once('message', ({ specs, outdir, localStateDir, stagingDir }: { specs: DeploymentSpec[]; outdir: string; localStateDir: string; stagingDir: string }) => {
  const app = new App({ outdir, stackTraces: false, skipValidation: true });
  const results: Array<Outcome<RenderedResult>> = buildEach(specs, (spec) => buildRenderedOne(app, spec, localStateDir, stagingDir));
  const reply: SecondThreadReply = { results, phases: phaseTimes.totals };
  parentPort!.postMessage(reply);
});
