/**
 * The loader never throws: an error inside parsing or checking becomes one problem naming the file,
 * so the other files' problems are still reported.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { loadParameterFile } from '../../spec/load';
import { formatProblem } from '../../spec/problems';
import { BASE_FILE, writeParameterFiles } from '../helpers/parameter-files';

vi.mock('../../spec/validate-parameters', () => ({
  validateParameterData: () => {
    throw new RangeError('Maximum call stack size exceeded');
  },
}));


describe('loadParameterFile on an error it did not foresee', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('returns one problem naming the file and what happened, instead of throwing', () => {
    vi.stubEnv('CELERYKIT_DEBUG', '');
    const file = join(writeParameterFiles({ 'odd.yaml': BASE_FILE }), 'odd.yaml');
    const result = loadParameterFile(file);
    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([
      `${file}: error: (top level): the kit stopped unexpectedly while checking this file (RangeError: Maximum call stack size exceeded). Fix: check the file for unusual content (deep nesting, huge or binary values, custom tags); if it looks right, rerun with CELERYKIT_DEBUG=1 and report the stack trace it prints.`,
    ]);
  });

  it('lets the error through with CELERYKIT_DEBUG=1, so its stack trace can be printed', () => {
    vi.stubEnv('CELERYKIT_DEBUG', '1');
    const file = join(writeParameterFiles({ 'odd.yaml': BASE_FILE }), 'odd.yaml');
    expect(() => loadParameterFile(file)).toThrow(RangeError);
  });
});
