/**
 * Any valid file synthesizes: 60 generated files of varied shape load without problems and each
 * becomes its own stack.
 */
import { describe, expect, it } from 'vitest';
import { loadParameterFile } from '../../spec/load';
import { formatProblem } from '../../spec/problems';
import { writeParameterFiles } from '../helpers/parameter-files';
import { randomParameterFile } from '../../scripts/parameter-file-generator';
import { synthesizeDirInChunks } from '../helpers/synth';
import { join } from 'node:path';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('a generated valid parameter file', () => {
  const files = SEEDS.map((seed) => randomParameterFile(seed));
  const dir = writeParameterFiles(Object.fromEntries(files.map((f) => [f.name, f.text])));

  it.each(files.map((f) => [f.name] as const))('%s loads with no error', (name) => {
    const result = loadParameterFile(join(dir, name));
    expect(result.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('synthesizes one stack per file, each with its own provider', async () => {
    // Small chunks: each is one synchronous block of the test worker, and a loaded machine takes seconds per stack.
    const stacks = await synthesizeDirInChunks(dir, 3);
    expect(stacks).toHaveLength(SEEDS.length);
    for (const s of stacks) expect(Object.keys(s.json.provider ?? {})).toEqual([s.spec.cloud === 'aws' ? 'aws' : 'google']);
    expect(new Set(stacks.map((s) => s.spec.cloud))).toEqual(new Set(['aws', 'gcp']));
    expect(new Set(stacks.map((s) => s.spec.broker.kind))).toEqual(new Set(['redis', 'rabbitmq']));
  }, 120_000);
});
