/**
 * Writes docs/diagrams/ from the bundled examples in customers/: a Markdown page per stack, an
 * index, and an SVG of each page drawn by the real Mermaid renderer.
 *
 *   npm run diagram             write the pages and draw the SVGs
 *   npm run diagram -- --check  exit 1 when the committed pages differ (SVGs are not compared)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackDiagram } from '../stacks/stack-diagram';
import { DIAGRAMS_DIR, diagramDocsProblems, expectedDiagramDocs, loadExamples } from './diagram-docs';
import { renderMermaidSvg } from './render-mermaid';

async function main(): Promise<number> {
  const specs = loadExamples();
  const expected = expectedDiagramDocs(specs);
  if (process.argv.includes('--check')) {
    const problems = diagramDocsProblems(expected);
    for (const p of problems) console.error(`${p}. Fix: run npm run diagram and commit the result.`);
    return problems.length > 0 ? 1 : 0;
  }

  mkdirSync(DIAGRAMS_DIR, { recursive: true });
  const keep = new Set([...Object.keys(expected), ...specs.map((s) => `${s.stackId}.svg`)]);
  for (const name of readdirSync(DIAGRAMS_DIR)) if (!keep.has(name)) rmSync(join(DIAGRAMS_DIR, name));
  for (const [name, text] of Object.entries(expected)) writeFileSync(join(DIAGRAMS_DIR, name), text);

  const work = mkdtempSync(join(tmpdir(), 'celerykit-diagram-'));
  try {
    await Promise.all(
      specs.map(async (spec) => {
        const started = performance.now();
        const input = join(work, `${spec.stackId}.mmd`);
        writeFileSync(input, stackDiagram(spec));
        await renderMermaidSvg(input, join(DIAGRAMS_DIR, `${spec.stackId}.svg`));
        console.log(`drew docs/diagrams/${spec.stackId}.svg in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`wrote ${Object.keys(expected).length} pages in docs/diagrams`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
