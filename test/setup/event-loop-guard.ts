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
 *
 * What it counts: the CPU time the worker used while the loop was held (process.cpuUsage, capped
 * at the clock time), not the clock time alone. On a loaded machine the same synchronous stretch
 * takes several times longer by the clock while the process waits for a core; that is the load,
 * not the test, and it must not fail the test. A stretch that blocks without using CPU is a
 * synchronous child process, and runQuick (test/helpers/run.ts) already caps those at 10 s.
 */
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

/** CELERYKIT_BLOCK_LIMIT_MS lowers it for the guard's own test. */
export const BLOCK_LIMIT_MS = Number(process.env.CELERYKIT_BLOCK_LIMIT_MS ?? 20_000);
const TICK_MS = 250;

// Kept before any test can install fake timers; hrtime is not among vitest's faked functions.
const now = (): number => Number(process.hrtime.bigint() / 1_000_000n);
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const realSetInterval = globalThis.setInterval;

interface GuardState {
  running: string;
  readonly blocks: string[];
  last: number;
  lastCpu: number;
  ticking: boolean;
}

/**
 * One ticker per worker process. vitest.config.ts runs files without isolation (one process runs
 * many files), and this setup file is evaluated again for each file: the state lives on globalThis
 * so each evaluation uses the same ticker instead of adding one.
 */
const STATE_KEY = Symbol.for('celerykit.event-loop-guard');
const holder = globalThis as { [STATE_KEY]?: GuardState };
const state: GuardState = holder[STATE_KEY] ?? (holder[STATE_KEY] = { running: '', blocks: [], last: now(), lastCpu: cpuNow(), ticking: false });
state.running = 'collecting the file (module code or a describe body)';

/** Records how long the loop was held since the ticker last ran, and restarts the count. */
function measure(): void {
  const at = now();
  const cpu = cpuNow();
  const wall = at - state.last - TICK_MS;
  const held = Math.min(wall, cpu - state.lastCpu);
  if (held > BLOCK_LIMIT_MS) {
    state.blocks.push(`"${state.running}" held the test worker's event loop for ${(held / 1000).toFixed(1)} s of CPU time (${(wall / 1000).toFixed(1)} s by the clock)`);
  }
  state.last = at;
  state.lastCpu = cpu;
}

if (!state.ticking) {
  state.ticking = true;
  realSetInterval(measure, TICK_MS).unref();
}

function reportBlocks(): void {
  if (state.blocks.length === 0) return;
  const found = state.blocks.splice(0);
  throw new Error(
    `${found.join('; ')} (limit ${BLOCK_LIMIT_MS / 1000} s; vitest fails the run at 60 s). Fix: run child processes with runAsync from test/helpers/run.ts, and await yieldToRunner() between steps of a long loop.`,
  );
}

beforeEach(() => {
  measure();
  reportBlocks();
  state.running = expect.getState().currentTestName ?? 'a test';
});

afterEach(() => {
  // The ticker may not have run since the test's last synchronous stretch: measure that one too.
  measure();
  state.running = 'a hook or the next describe body';
  reportBlocks();
});

afterAll(() => {
  measure();
  reportBlocks();
});
