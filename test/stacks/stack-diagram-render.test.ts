/**
 * The diagrams are valid Mermaid: the real renderer (mermaid-cli in Debian's chromium) draws each
 * example, and an awkward label, to an SVG showing the pools. In CI a missing renderer fails these tests.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../scripts/diagram-docs';
import { CHROMIUM, MMDC, mmdcArgs } from '../../scripts/render-mermaid';
import { stackDiagram } from '../../stacks/stack-diagram';
import { editBase, specFromYaml } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { assertToolPresent, requireTool } from '../helpers/tools';

const hint = 'apt-get install chromium (scripts/install-test-tools.sh) and npm ci';
const chromium = requireTool('diagram rendering', CHROMIUM, ['--version'], hint);
const mmdc = chromium.missing === undefined ? requireTool('diagram rendering', MMDC, ['--version'], hint) : chromium;
const work = mkdtempSync(join(tmpdir(), 'celerykit-render-'));

/** Draws a flowchart with mmdc; returns the SVG text, or throws with mmdc's output. */
async function render(name: string, diagram: string): Promise<string> {
  const input = join(work, `${name}.mmd`);
  const output = join(work, `${name}.svg`);
  writeFileSync(input, diagram);
  const started = performance.now();
  const r = await runAsync(MMDC, mmdcArgs(input, output), { timeoutMs: 90_000 });
  if (r.status !== 0) throw new Error(`mmdc failed on ${name} (exit ${r.status}): ${r.stderr}${r.stdout}`);
  console.log(`rendered ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return readFileSync(output, 'utf8');
}

describe.skipIf(mmdc.skip)('the real Mermaid renderer', () => {
  it.each(loadExamples().map((s) => [s.stackId, s] as const))(
    'draws the %s diagram with every pool and queue in it',
    async (_id, spec) => {
      assertToolPresent(mmdc);
      const svg = await render(spec.stackId, stackDiagram(spec));
      expect(svg).toMatch(/^<svg[\s>]/);
      for (const p of spec.pools) expect(svg).toContain(`pool ${p.name}`);
      for (const q of spec.queues) expect(svg).toContain(`queue ${q.name}`);
      expect(svg).not.toContain('Syntax error');
    },
    90_000,
  );

  it('draws escaped quotes, angle brackets, "#" and ";" as the characters themselves', async () => {
    assertToolPresent(mmdc);
    const member = 'group:o"p<s>#1;x@example.org';
    const spec = specFromYaml(
      editBase({
        3: 'cloud: gcp',
        4: 'region: europe-west1',
        26: 'state:\n  backend: gcs\n  bucket: acme-tf-state',
        27: '',
        28: '',
        29: `project: acme-celery\nmonitoring:\n  domain: celery.example.org\n  sso:\n    allowedMembers: ['${member}']`,
      }),
    );
    const svg = await render('awkward', stackDiagram(spec));
    expect(svg).toContain('group:o"p&lt;s&gt;#1;x@example.org');
  }, 90_000);

  it('rejects a diagram Mermaid cannot parse (the rendering check can fail)', async () => {
    assertToolPresent(mmdc);
    await expect(render('broken', 'flowchart LR\n  a["unclosed --> b\n')).rejects.toThrow(/mmdc failed on broken/);
  }, 90_000);
});
