/**
 * Fails any test that holds its worker's event loop for longer than BLOCK_LIMIT_MS.
 *
 * Why: a vitest 3.2 worker reports to the main process over RPC with a fixed 60 s timeout
 * (birpc DEFAULT_TIMEOUT, not configurable). A test that blocks the loop for a minute (a long
 * spawnSync, a synchronous loop over many stacks) makes that timer fire before the reply is read:
 * vitest then prints "Timeout calling onTaskUpdate" and fails the whole run although every test
 * passed, which hides which test did it. This guard names the test instead, at a third of the
 * limit, so a slow CI machine still has margin. The fix it asks for: test/helpers/run.ts runAsync
 * for child processes, yieldToRunner (test/helpers/synth.ts) between steps of a long loop.
 */
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

/** CELERYKIT_BLOCK_LIMIT_MS lowers it for the guard's own test. */
export const BLOCK_LIMIT_MS = Number(process.env.CELERYKIT_BLOCK_LIMIT_MS ?? 20_000);
const TICK_MS = 250;

// Kept before any test can install fake timers; hrtime is not among vitest's faked functions.
const now = (): number => Number(process.hrtime.bigint() / 1_000_000n);
const realSetInterval = globalThis.setInterval;

let running = 'collecting the file (module code or a describe body)';
const blocks: string[] = [];
let last = now();

/** Records how long the loop was held since the ticker last ran, and restarts the count. */
function measure(): void {
  const at = now();
  const held = at - last - TICK_MS;
  if (held > BLOCK_LIMIT_MS) blocks.push(`"${running}" held the test worker's event loop for ${(held / 1000).toFixed(1)} s`);
  last = at;
}

realSetInterval(measure, TICK_MS).unref();

function reportBlocks(): void {
  if (blocks.length === 0) return;
  const found = blocks.splice(0);
  throw new Error(
    `${found.join('; ')} (limit ${BLOCK_LIMIT_MS / 1000} s; vitest fails the run at 60 s). Fix: run child processes with runAsync from test/helpers/run.ts, and await yieldToRunner() between steps of a long loop.`,
  );
}

beforeEach(() => {
  measure();
  reportBlocks();
  running = expect.getState().currentTestName ?? 'a test';
});

afterEach(() => {
  // The ticker may not have run since the test's last synchronous stretch: measure that one too.
  measure();
  running = 'a hook or the next describe body';
  reportBlocks();
});

afterAll(() => {
  measure();
  reportBlocks();
});
