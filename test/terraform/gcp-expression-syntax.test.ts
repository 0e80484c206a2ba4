/**
 * GCP stacks cannot be validated here (no google provider binary), but every Terraform expression
 * the kit writes into them can still be parsed by the real terraform CLI: each `${...}` of the
 * synthesized JSON becomes a local value, and `terraform fmt` must read the file.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeDir } from '../helpers/synth';
import { assertToolPresent, requireTool } from '../helpers/tools';
import { runQuick } from '../helpers/run';

const terraform = requireTool('GCP expression syntax', 'terraform', ['version'], 'install the terraform CLI');

/** Every `${...}` template expression in a JSON value, with nested braces balanced. */
export function templateExpressions(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (let i = value.indexOf('${'); i >= 0; i = value.indexOf('${', i + 1)) {
      let depth = 0;
      let end = i + 1;
      for (; end < value.length; end++) {
        if (value[end] === '{') depth++;
        else if (value[end] === '}' && --depth === 0) break;
      }
      found.add(value.slice(i + 2, end));
      i = end;
    }
  } else if (Array.isArray(value)) value.forEach((v) => templateExpressions(v, found));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => templateExpressions(v, found));
  return found;
}

function parses(expressions: Iterable<string>): { status: number | null; stderr: string } {
  const hcl = `locals {\n${[...expressions].map((e, i) => `  e${i} = ${e}\n`).join('')}}\n`;
  const r = runQuick('terraform', ['fmt', '-no-color', '-'], { input: hcl, env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
  return { status: r.status, stderr: r.stderr };
}

const gcpStacks = synthesizeDir().filter((s) => s.spec.cloud === 'gcp');

describe.skipIf(terraform.skip)('Terraform expressions in the GCP stacks', () => {
  it.each(gcpStacks.map((s) => [s.spec.stackId, s] as const))('of %s all parse', (_id, stack) => {
    assertToolPresent(terraform);
    const expressions = templateExpressions(stack.json.resource);
    expect(expressions.size).toBeGreaterThan(20);
    const result = parses(expressions);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('rejects a broken expression (the check can fail)', () => {
    assertToolPresent(terraform);
    expect(parses(['one([for c in x : c if ])']).status).not.toBe(0);
  });
});
