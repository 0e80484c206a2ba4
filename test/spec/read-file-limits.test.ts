/**
 * Odd and hostile parameter files: each is one line naming the file and the line, never a stack
 * trace or a hang; the odd but valid ones (a BOM, CRLF line ends, `!!str`) still load.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadParameterFile } from '../../spec/load';
import { formatProblem } from '../../spec/problems';
import { PARAMETER_FILE_LIMITS } from '../../spec/read-file';
import { tenMegabyteFile, withEnvKeys } from '../../scripts/hostile-parameter-files';
import { BASE_FILE, editBase, problemLines, tempDir } from '../helpers/parameter-files';

/** Problem lines of raw bytes written to a file called `name`, with the path replaced by FILE. */
function problemLinesOfBytes(bytes: Buffer | string, name = 'odd.yaml'): string[] {
  const file = join(tempDir(), name);
  writeFileSync(file, bytes);
  return loadParameterFile(file).problems.map((p) => formatProblem(p).replace(file, 'FILE'));
}

describe('the limits of a parameter file', () => {
  const tooManyKeys = `FILE:9: error: (top level): the file has more than the ${PARAMETER_FILE_LIMITS.maxKeys} keys a parameter file may have. Fix: split it, or remove what a deployment does not need (generated keys, pasted data).`;

  // How long these take is printed by `npm run bench -- --parameter-files-only`, not asserted here: a
  // clock limit fails on a loaded machine (5.4 s against 5 s). The parser's own duplicate-key check
  // took 18 s for the 40,000 keys (spec/read-file.ts says why); the bench shows the time since.
  it('refuses 40,000 app.env keys in one line that names the key limit', () => {
    expect(problemLines(withEnvKeys(BASE_FILE, 40_000))).toEqual([tooManyKeys]);
  });

  it('loads a file at the key limit', () => {
    expect(problemLines(withEnvKeys(BASE_FILE, PARAMETER_FILE_LIMITS.maxKeys - 100))).toEqual([]);
  });

  it('refuses a file of over 10 MB (130,000 app.env keys) by its size, in one line at line 1', () => {
    const huge = tenMegabyteFile(BASE_FILE);
    expect(Buffer.byteLength(huge)).toBeGreaterThan(10_000_000);
    expect(problemLines(huge)).toEqual([
      `FILE:1: error: (top level): the file is larger than the 1 MiB a parameter file may have (${Buffer.byteLength(huge)} bytes or more). Fix: split it, or remove what a deployment does not need (generated keys, pasted data).`,
    ]);
  });

  const tooDeep = `the file nests mappings and lists deeper than the ${PARAMETER_FILE_LIMITS.maxDepth} levels a parameter file may have. Fix: flatten the data; parameter files need a few levels only.`;

  it.each([
    ['20,000 nested flow lists', `${BASE_FILE}\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}`, 30],
    ['20,000 nested flow mappings', `${BASE_FILE}\nx: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}`, 30],
    ['40 nested block mappings', `${BASE_FILE}\nx:\n${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}`, 62],
  ])('refuses %s in one line', (_name, text, line) => {
    const lines = problemLines(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^FILE:(1|${line}): error: \\(top level\\): `));
    expect(lines[0]!.endsWith(tooDeep)).toBe(true);
  });

  it('accepts schedule arguments nested a few levels', () => {
    expect(problemLines(editBase({ 25: '    task: myapp.tasks.reports.nightly\n    kwargs: {a: {b: {c: [[1, 2], {d: e}]}}}' }))).toEqual([]);
  });
});

describe('aliases', () => {
  const laughs = [
    'x0: &a0 [lol]',
    ...Array.from({ length: 9 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
  ].join('\n');

  it('refuses a billion laughs, naming its first alias', () => {
    expect(problemLines(`${BASE_FILE}\n${laughs}`)).toEqual([
      'FILE:31: error: (top level): the file\'s aliases expand to more than 100 copies (an alias of nodes that hold aliases multiplies them). Fix: write the values out instead of "*" aliases, or quote a value that starts with "*".',
    ]);
  });

  it('refuses more aliases than the limit, even of small values', () => {
    const many = Array.from({ length: 101 }, (_, i) => `  E${i}: *v`).join('\n');
    expect(problemLines(editBase({ 7: `  module: myapp\n  env:\n    FIRST: &v one\n${many}` }))).toEqual([
      'FILE:110: error: (top level): the file uses more than the 100 aliases a parameter file may have. Fix: write the values out instead of "*" aliases, or quote a value that starts with "*".',
    ]);
  });

  it('names an alias used as a value without its anchor', () => {
    expect(problemLines(editBase({ 1: 'customer: *acme' }))).toEqual([
      'FILE:1: error: (top level): the alias "*acme" names no anchor "&acme" above it. Fix: write the values out instead of "*" aliases, or quote a value that starts with "*".',
    ]);
  });

  it('refuses an alias as a key, which would overwrite a key written before it without the duplicate check seeing it', () => {
    expect(problemLines(editBase({ 7: '  module: myapp\n  env:\n    LOG_LEVEL: &k LOG_LEVEL\n    *k : debug' }))).toEqual([
      'FILE:10: error: app.env: the key "*k" is an alias; keys of a parameter file are plain text. Fix: write the key out instead of "*" (quote it if it starts with "*").',
    ]);
  });

  it('refuses a list or mapping as a key in one line, instead of a stringified key and a warning of the parser', () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(problemLines(editBase({ 1: 'customer: acme\ntags:\n  ? [team, owner]\n  : x' }))).toEqual([
        'FILE:3: error: tags: a key here is a list or mapping; keys of a parameter file are plain text. Fix: write the key as plain text (a "? " line starts a key that is not).',
      ]);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('accepts an alias used a few times', () => {
    expect(problemLines(editBase({ 17: '    timeLimit: &limit 60', 20: '    timeLimit: *limit\n    softTimeLimit: 30', 21: '' }))).toEqual([]);
  });
});

describe('YAML tags', () => {
  it.each([['!!python/object', '!!python/object'], ['!!binary', '!!binary'], ['!custom', '!custom'], ['!!set', '!!set']])('refuses %s', (tag, shown) => {
    expect(problemLines(editBase({ 2: `environment: ${tag} prod` }))).toEqual([
      `FILE:2: error: (top level): the YAML tag "${shown}" is not accepted: a parameter file holds plain data (text, numbers, true/false, lists, mappings). Fix: remove "${shown}" and write the plain value.`,
    ]);
  });

  it('refuses a tag on a mapping', () => {
    expect(problemLines(editBase({ 8: 'broker: !!python/object:celery.Broker' }))).toHaveLength(1);
  });

  it('accepts the plain-data tags, e.g. !!str on a number', () => {
    expect(problemLines(editBase({ 29: 'accountId: !!str 123456789012' }))).toEqual([]);
  });
});

describe('the wording for odd files', () => {
  it('names a second YAML document instead of an API of the parser', () => {
    expect(problemLines(`${BASE_FILE}\n---\n${BASE_FILE}`)).toEqual([
      'FILE:30: error: (top level): the file holds more than one YAML document (a second "---" line starts another). Fix: keep one deployment per file: move the second document into a file of its own, or remove the "---" line.',
    ]);
  });

  it('says that JSON has no comments, at the comment, instead of reporting the comment as a key', () => {
    expect(problemLinesOfBytes('{\n  // the customer\n  "customer": "acme"\n}\n', 'acme.json')).toEqual([
      "FILE:2: error: (top level): the file is not valid JSON: Expected property name or '}'. Fix: JSON has no comments: remove them, or rename the file to .yaml and write them after #.",
    ]);
  });

  it('names invalid UTF-8 and its line instead of "Implicit map keys"', () => {
    expect(problemLinesOfBytes(Buffer.concat([Buffer.from('customer: acme\nenvironment: pr'), Buffer.from([0xff, 0xfe]), Buffer.from('od\n')]))).toEqual([
      'FILE:2: error: (top level): the file is not UTF-8 text (a byte here is not valid UTF-8). Fix: save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8), or remove the character.',
    ]);
  });

  it('still reports a key written twice at the second one', () => {
    expect(problemLines(editBase({ 17: '    timeLimit: 60\n    pool: threads' }))).toEqual([
      'FILE:18: error: (top level): the file is not valid YAML/JSON: Map keys must be unique. Fix: remove one of the two keys; a key may appear once per mapping.',
    ]);
  });

  it('accepts a byte order mark and CRLF line ends, as before', () => {
    expect(problemLinesOfBytes(`\uFEFF${BASE_FILE.replaceAll('\n', '\r\n')}\r\n`)).toEqual([]);
  });

  it('accepts a schedule that runs every minute, as before', () => {
    expect(problemLines(editBase({ 24: '    cron: "* * * * *"' }))).toEqual([]);
  });
});
