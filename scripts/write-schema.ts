/**
 * Writes the parameter file's JSON Schema (for editor completion) and the parameter reference,
 * both generated from spec/schema.ts so they cannot drift from what the loader accepts.
 *
 *   npm run schema          write docs/parameter-file.schema.json, docs/parameters.md, docs/policies.md
 *                           and the generated reference in docs/library.md
 *   npm run schema -- --check   exit 1 when the committed files are out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchema, renderParameterReference } from './parameter-docs';
import { renderPolicyReference } from './policy-docs';
import { withLibraryReference } from './library-docs';

const docs = join(__dirname, '..', 'docs');
const outputs: Array<[string, string]> = [
  [join(docs, 'parameter-file.schema.json'), renderJsonSchema()],
  [join(docs, 'parameters.md'), renderParameterReference()],
  [join(docs, 'policies.md'), renderPolicyReference()],
  [join(docs, 'library.md'), withLibraryReference(readFileSync(join(docs, 'library.md'), 'utf8'))],
];

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of outputs) {
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // a missing file is stale
    }
    if (current !== text) {
      stale++;
      console.error(`${file} is out of date. Fix: run npm run schema and commit the result.`);
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
