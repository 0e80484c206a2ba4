/**
 * Property-based fuzzing of the loader (issue 18): the bundled examples, mutated the way careless
 * and hostile users do (keys deleted, duplicated, retyped and renamed, aliases, deep nesting, tags,
 * odd encodings), with a fixed seed and a bounded number of runs. Every result is either a valid
 * spec that synthesizes, or problems of one line each, naming the file; never an exception, a
 * stack trace, an "unexpected" error (a case the loader did not foresee), or a file written.
 *
 * Every distinct valid file is synthesized, by the compiled kit's own entry point (`node
 * dist/main.js`, as `npm run synth` runs it) over one folder holding them all: one process that
 * loads the providers once, instead of about a second of in-process synthesis per file.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadParameterFile } from '../../spec/load';
import { formatProblem } from '../../spec/problems';
import type { DeploymentSpec } from '../../spec/types';
import { buildDist } from '../helpers/compiled-kit';
import { BASE_FILE, tempDir } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { yieldToRunner } from '../helpers/synth';

const SEED = 18_2026;
const RUNS = 1000;

const repo = resolve(__dirname, '../..');

const customers = resolve(__dirname, '../../customers');
const EXAMPLES: string[] = [BASE_FILE, ...readdirSync(customers).sort().map((name) => readFileSync(join(customers, name), 'utf8'))];

type Data = Record<string, unknown>;

/** Every key path of the data, mappings and lists alike. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function parentOf(data: Data, path: Array<string | number>): Record<string | number, unknown> {
  let node: unknown = data;
  for (const part of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[part];
  return node as Record<string | number, unknown>;
}

const ODD_VALUES: unknown[] = [null, 0, -1, 1e308, 3.5, true, '', ' ', 'x'.repeat(300), [], {}, [[]], { a: 1 }, '1h', 'LATEST', 'eu-moon-7', '*', '&a', '{{x}}', '${oops}', '\u0000', 'é', '0 2 * * *'];
const ODD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'x-y', 'UPPER', 'a.b', '0', '$schema', 'DB_PASSWORD', 'kind'];

type DataMutation = (data: Data, path: Array<string | number>, pick: number) => void;

const DATA_MUTATIONS: Record<string, DataMutation> = {
  delete: (data, path) => {
    const parent = parentOf(data, path);
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  },
  retype: (data, path, pick) => {
    parentOf(data, path)[path[path.length - 1]!] = ODD_VALUES[pick % ODD_VALUES.length];
  },
  rename: (data, path, pick) => {
    const parent = parentOf(data, path);
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) return;
    const value = parent[last];
    delete parent[last];
    const renamed = pick % 2 === 0 ? ODD_KEYS[pick % ODD_KEYS.length]! : `${String(last)}${'xs'[pick % 2]}`;
    Object.defineProperty(parent, renamed, { value, enumerable: true, writable: true, configurable: true });
  },
  nest: (data, path, pick) => {
    const parent = parentOf(data, path);
    const last = path[path.length - 1]!;
    let value = parent[last];
    for (let i = 0; i < [2, 40, 400][pick % 3]!; i++) value = pick % 2 === 0 ? [value] : { a: value };
    parent[last] = value;
  },
};

type TextMutation = (text: string, pick: number) => string | Buffer;

const TEXT_MUTATIONS: Record<string, TextMutation> = {
  none: (text) => text,
  duplicateLine: (text, pick) => {
    const lines = text.split('\n');
    const at = pick % lines.length;
    lines.splice(at, 0, lines[at]!);
    return lines.join('\n');
  },
  alias: (text, pick) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => i >= pick % lines.length && /^\w+: \S/.test(l));
    if (at < 0) return `${text}\nx: *nowhere\n`;
    const [key] = lines[at]!.split(':');
    lines[at] = lines[at]!.replace(': ', ': &v ');
    return `${lines.join('\n')}\n${pick % 2 === 0 ? `copy${key}: *v` : 'laughs: &l [*v, *v, *v, *v, *v, *v, *v, *v, *v, *v]\nmore: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l, *l, *l]'}\n`;
  },
  tag: (text, pick) => text.replace(/^(\w+): (\S)/m, `$1: ${['!!python/object', '!!binary', '!custom', '!!str', '!!set'][pick % 5]} $2`),
  bom: (text) => `\uFEFF${text}`,
  crlf: (text) => text.replaceAll('\n', '\r\n'),
  latin1: (text) => Buffer.from(text.replace('acme', 'acmé'), 'latin1'),
  truncate: (text, pick) => text.slice(0, pick % text.length),
  tabs: (text) => text.replace(/^ {2}/m, '\t'),
  secondDocument: (text) => `${text}\n---\n${text}`,
  nul: (text, pick) => `${text.slice(0, pick % text.length)}\u0000${text.slice(pick % text.length)}`,
};

const caseArbitrary = fc.record({
  example: fc.nat({ max: EXAMPLES.length - 1 }),
  mutations: fc.array(fc.record({ kind: fc.constantFrom(...Object.keys(DATA_MUTATIONS)), at: fc.nat(), pick: fc.nat() }), { minLength: 0, maxLength: 3 }),
  text: fc.constantFrom(...Object.keys(TEXT_MUTATIONS)),
  textPick: fc.nat(),
  json: fc.boolean(),
});

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The file a case describes: the example's data mutated, written as YAML or JSON, then the text mutated. */
function fileOf(c: Case): { name: string; bytes: string | Buffer } {
  const data = parse(EXAMPLES[c.example]!) as Data;
  for (const m of c.mutations) {
    const paths = pathsOf(data);
    if (paths.length === 0) break;
    DATA_MUTATIONS[m.kind]!(data, paths[m.at % paths.length]!, m.pick);
  }
  const text = c.json ? JSON.stringify(data, null, 2) : stringify(data, { aliasDuplicateObjects: false });
  return { name: c.json ? 'fuzzed.json' : 'fuzzed.yaml', bytes: TEXT_MUTATIONS[c.text]!(text, c.textPick) };
}

/** A valid case as written: its file name, its bytes and the spec it loaded as. */
interface ValidCase {
  readonly name: string;
  readonly bytes: string | Buffer;
  readonly spec: DeploymentSpec;
}

/**
 * The distinct valid cases, each renamed to a stack id of its own so that all fit one customers
 * folder (the kit refuses two files with one stack id): `environment` becomes `e<n>`, no longer than
 * the examples' "prod", so that no resource name grows. Each renamed file is loaded again and must
 * still be valid, with the new stack id; a case the rename cannot reach fails the test.
 */
function distinctRenamed(valid: readonly ValidCase[]): Array<{ name: string; bytes: Buffer; stackId: string }> {
  const seen = new Set<string>();
  const out: Array<{ name: string; bytes: Buffer; stackId: string }> = [];
  const dir = tempDir('celerykit-fuzz-renamed-');
  for (const c of valid) {
    // Latin-1 keeps every byte as one character, so the bytes survive the edit unchanged elsewhere.
    const text = Buffer.from(c.bytes as string | Buffer).toString('latin1');
    if (seen.has(text)) continue;
    seen.add(text);
    const environment = `e${out.length.toString(36)}`;
    const line = new RegExp(`^(\\s*"?environment"?\\s*:\\s*(?:!!str\\s+)?)(["']?)${c.spec.environment}\\2(?=\\s*,?\\r?$)`, 'm');
    expect(line.test(text), `${c.spec.stackId}: the test cannot find the environment line to rename in\n${text}`).toBe(true);
    const bytes = Buffer.from(text.replace(line, `$1$2${environment}$2`), 'latin1');
    const name = `case-${out.length}${c.name.slice(c.name.lastIndexOf('.'))}`;
    writeFileSync(join(dir, name), bytes);
    const again = loadParameterFile(join(dir, name));
    const stackId = `${c.spec.customer}-${environment}`;
    expect(again.ok ? again.spec.stackId : again.problems.map(formatProblem), `${c.spec.stackId} renamed`).toBe(stackId);
    out.push({ name, bytes, stackId });
  }
  return out;
}

describe('fuzzed parameter files', () => {
  it(`are each a valid spec or one line per problem, never a trace, and every valid one synthesizes (seed ${SEED}, ${RUNS} runs)`, async () => {
    const valid: ValidCase[] = [];
    const findings = new Map<string, number>();
    let cases = 0;
    // The compiled kit synthesizes the valid cases below (the build does nothing when dist/ is current).
    await buildDist();
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        cases += 1;
        const dir = tempDir('celerykit-fuzz-');
        const { name, bytes } = fileOf(c);
        const file = join(dir, name);
        writeFileSync(file, bytes);
        const result = loadParameterFile(file);
        const lines = result.problems.map(formatProblem);
        for (const line of lines) {
          expect(line, 'one line per problem').not.toContain('\n');
          expect(line.startsWith(`${file}`), line).toBe(true);
          expect(line, 'a case the loader did not foresee').not.toContain('stopped unexpectedly');
        }
        if (result.ok) valid.push({ name, bytes, spec: result.spec });
        else expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
        for (const p of result.problems) findings.set(p.problem.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 60), 0);
        // Nothing but the file itself in its folder: loading writes nothing.
        expect(readdirSync(dir)).toEqual([name]);
        if (cases % 20 === 0) await yieldToRunner();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    // Every distinct valid file, synthesized in one run of the compiled kit over one folder.
    const distinct = distinctRenamed(valid);
    const customersDir = tempDir('celerykit-fuzz-customers-');
    for (const f of distinct) writeFileSync(join(customersDir, f.name), f.bytes);
    const cwd = tempDir('celerykit-fuzz-synth-');
    const env: NodeJS.ProcessEnv = { ...process.env, CUSTOMERS_DIR: customersDir, CDKTF_OUTDIR: '' };
    delete env.CELERYKIT_CACHE_DIR;
    const started = performance.now();
    const run = await runAsync('node', [join(repo, 'dist', 'main.js')], { cwd, env, timeoutMs: 150_000 });
    const synthSeconds = ((performance.now() - started) / 1000).toFixed(1);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr, 'a trace').not.toMatch(/^\s+at /m);
    const stacks = readdirSync(join(cwd, 'cdktf.out', 'stacks')).sort();
    expect(stacks).toEqual(distinct.map((f) => f.stackId).sort());
    for (const id of stacks) {
      const stack = JSON.parse(readFileSync(join(cwd, 'cdktf.out', 'stacks', id, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, unknown> };
      expect(Object.keys(stack.resource ?? {}).length, `${id}: resource types in cdk.tf.json`).toBeGreaterThan(5);
    }
    expect(run.stdout).toContain(`${distinct.length} stack${distinct.length === 1 ? '' : 's'} synthesized from ${customersDir}`);

    console.log(
      `fuzz: ${cases} cases (seed ${SEED}): ${valid.length} valid, ${distinct.length} distinct, ${stacks.length} synthesized in one run of dist/main.js (${synthSeconds} s); ${cases - valid.length} refused with ${findings.size} kinds of problem`,
    );
    expect(cases).toBe(RUNS);
    expect(valid.length).toBeGreaterThan(0);
    expect(cases - valid.length).toBeGreaterThan(0);
  }, 240_000);
});
