/**
 * The command line's one guard: an error the kit did not foresee is one line and exit 1, with the
 * stack trace only when CELERYKIT_DEBUG=1 asks for it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/celerykit';

vi.mock('../../spec/load', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../spec/load')>()),
  loadDeployments: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'kind')\n    at a frame that must not be shown");
  },
}));


function runCli(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe('celerykit on an error it did not foresee', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('prints one line naming the command, what happened and what to do, and exits 1', () => {
    vi.stubEnv('CELERYKIT_DEBUG', '');
    const r = runCli('validate', 'customers/acme-prod.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      "celerykit validate: error: the kit stopped unexpectedly while running validate (TypeError: Cannot read properties of undefined (reading 'kind')). Fix: check the file for unusual content (deep nesting, huge or binary values, custom tags); if it looks right, rerun with CELERYKIT_DEBUG=1 and report the stack trace it prints.",
    ]);
  });

  it('adds the stack trace when CELERYKIT_DEBUG=1', () => {
    vi.stubEnv('CELERYKIT_DEBUG', '1');
    const r = runCli('list', 'customers');
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(2);
    expect(r.err[1]).toMatch(/^TypeError: Cannot read properties[\s\S]*\n\s+at /);
  });

  it('names a command spelt like an Object.prototype member as unknown', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const r = runCli(name);
      expect(r.code).toBe(1);
      expect(r.err).toEqual([`celerykit: unknown command "${name}". Fix: run celerykit --help for the commands.`]);
    }
  });
});
