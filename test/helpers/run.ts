/**
 * The only way tests run other programs.
 *
 * A test worker talks to the vitest main process over RPC with a fixed 60 s timeout (vitest 3.2,
 * birpc DEFAULT_TIMEOUT, not configurable). A synchronous child process that blocks the worker's
 * event loop for a minute makes that timer fire before the reply is read, and vitest fails the
 * whole run with "Timeout calling onTaskUpdate" although every test passed. So:
 * - `runAsync` for anything that can take more than a few seconds (terraform, tsc, brokers, promtool
 *   tests, synthesis in a child process);
 * - `runQuick` for probes and syntax checks, capped at QUICK_LIMIT_MS: a quick command that grows
 *   slow fails its test with a message saying to move it to runAsync, instead of starving the RPC.
 * test/project.test.ts fails when a test imports a synchronous child_process call anywhere else.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string;
}

/** A synchronous call longer than this fails: far below the 60 s RPC timeout, on a loaded machine. */
export const QUICK_LIMIT_MS = 10_000;

export function runAsync(command: string, args: readonly string[], options: RunOptions & { timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (options.input !== undefined) child.stdin!.end(options.input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr: `${stderr}${String(error)}` });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr: timedOut ? `${stderr}\n[killed after ${options.timeoutMs} ms]` : stderr });
    });
  });
}

/**
 * Runs a command that finishes in well under a second (a version probe, `bash -n`, `promtool check`).
 * Throws when it takes longer than QUICK_LIMIT_MS, naming the fix.
 */
export function runQuick(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const r = spawnSync(command, [...args], { cwd: options.cwd, env: options.env, input: options.input, encoding: 'utf8', timeout: QUICK_LIMIT_MS });
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new Error(`${command} ${args.join(' ')} took over ${QUICK_LIMIT_MS} ms; run it with runAsync so the test worker keeps answering vitest`);
  }
  return { status: r.error !== undefined ? null : r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}
