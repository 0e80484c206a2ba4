/**
 * Reads one parameter file (YAML, or JSON which YAML parses too) and keeps a map from key paths to
 * line numbers so every problem can point at its line.
 *
 * A parameter file may come from anyone who can open a pull request, so reading is bounded: the
 * limits below hold before any data is built, and the time taken grows with the file's size only.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { KeyPath } from './problems';

/** What the kit reads at most from one parameter file; docs/parameters.md states the same numbers. */
export const PARAMETER_FILE_LIMITS = {
  /**
   * Bytes. The largest example is about 4 KB; a file 250 times that is a mistake or an attack, and
   * the YAML parser takes about 2 s per MiB on a loaded CI runner.
   */
  maxBytes: 1024 * 1024,
  /** Levels of mappings and lists. The schema needs 7; the margin is for schedule arguments. */
  maxDepth: 32,
  /** Alias uses, counting those inside aliased nodes ("billion laughs" expands exponentially). */
  maxAliasCount: 100,
  /** Keys over all mappings of the file; the examples have about 60. */
  maxKeys: 20_000,
} as const;

export interface ParsedFile {
  /** The plain data, or undefined when the file could not be parsed. */
  readonly data: unknown;
  /** 1-based line of a key path; the nearest existing parent when the path is missing. */
  readonly lineOf: (path: KeyPath) => number | undefined;
  /** Syntax errors, each with a line and a fix. */
  readonly syntaxErrors: ReadonlyArray<{ line: number; path?: KeyPath; problem: string; fix: string }>;
}

type SyntaxError = ParsedFile['syntaxErrors'][number];

const NOT_PARSED = { data: undefined, lineOf: () => undefined } as const;
const failed = (line: number, problem: string, fix: string): ParsedFile => ({ ...NOT_PARSED, syntaxErrors: [{ line, problem, fix }] });

export function readParameterFile(file: string): ParsedFile {
  const bytes = readBounded(file);
  if (typeof bytes === 'string') return failed(1, bytes, bytes.startsWith('the file is larger') ? 'split it, or remove what a deployment does not need (generated keys, pasted data)' : 'check the path and permissions');
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') return { ...NOT_PARSED, syntaxErrors: [text] };
  if (extname(file).toLowerCase() === '.json') {
    const jsonError = checkJson(text);
    if (jsonError !== undefined) return { ...NOT_PARSED, syntaxErrors: [jsonError] };
  }

  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let doc: Document.Parsed;
  try {
    // uniqueKeys is checked below with a Set per mapping: the parser's own check compares each key
    // with every earlier one (node_modules/yaml/dist/compose/util-map-includes.js), quadratic in the
    // keys of one mapping (18 s for 40,000 app.env keys). YAML 1.2 core schema: "no"/"on" stay strings.
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, version: '1.2' });
  } catch (e) {
    // The composer recurses once per level, so thousands of levels overflow the stack before the depth check below can run.
    if (e instanceof RangeError) return failed(1, tooDeep(), DEPTH_FIX);
    throw e;
  }

  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  const first = doc.errors[0];
  if (first !== undefined) return failed(lineAt(first.pos[0]), ...syntaxProblem(first.code, first.message));

  const walked = walk(doc, lineAt);
  if ('line' in walked) return { ...NOT_PARSED, syntaxErrors: [walked] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: PARAMETER_FILE_LIMITS.maxAliasCount });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount, or an alias cannot be
    // resolved (node_modules/yaml/dist/nodes/Alias.js).
    if (e instanceof ReferenceError && walked.firstAlias !== undefined) {
      return /Excessive alias count/.test(e.message)
        ? failed(
            walked.firstAlias,
            `the file's aliases expand to more than ${PARAMETER_FILE_LIMITS.maxAliasCount} copies (an alias of nodes that hold aliases multiplies them)`,
            ALIAS_FIX,
          )
        : failed(walked.firstAlias, `an alias cannot be resolved (${e.message})`, ALIAS_FIX);
    }
    throw e;
  }
  const lineOf = (path: KeyPath): number | undefined => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let line = node?.range ? lineAt(node.range[0]) : 1;
    for (const part of path) {
      if (isMap(node)) {
        const pair = walked.keysOf.get(node)?.get(String(part));
        if (pair === undefined) return line;
        const key = pair.key as Node;
        if (key.range) line = lineAt(key.range[0]);
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as Node | undefined;
        if (!item) return line;
        if (item.range) line = lineAt(item.range[0]);
        node = item;
      } else {
        return line;
      }
    }
    return line;
  };
  return { data, lineOf, syntaxErrors: [] };
}

/** The file's bytes, or why they cannot be read; never reads more than the size limit. */
function readBounded(file: string): Buffer | string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return 'cannot read the file (it is a folder)';
    if (stat.size > PARAMETER_FILE_LIMITS.maxBytes) return tooLarge(stat.size);
    // Read to the end rather than trusting the size (a pipe or a growing file), one byte past the limit at most.
    const buffer = Buffer.alloc(PARAMETER_FILE_LIMITS.maxBytes + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return length > PARAMETER_FILE_LIMITS.maxBytes ? tooLarge(length) : buffer.subarray(0, length);
  } catch (e) {
    return `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number): string {
  return `the file is larger than the ${PARAMETER_FILE_LIMITS.maxBytes / 1024 / 1024} MiB a parameter file may have (${size} bytes or more)`;
}

/** UTF-8 text without a byte order mark, or the line of the first byte that is not UTF-8. */
function decodeUtf8(bytes: Buffer): string | SyntaxError {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const at = lenient.indexOf('\uFFFD');
    const line = lenient.slice(0, Math.max(0, at)).split('\n').length;
    return { line, problem: 'the file is not UTF-8 text (a byte here is not valid UTF-8)', fix: 'save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8), or remove the character' };
  }
}

/** JSON files are read as JSON first, so that comments or trailing commas get a JSON answer rather than a YAML one. */
function checkJson(text: string): SyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const position = /position (\d+)/.exec((e as Error).message);
    const line = position === null ? 1 : text.slice(0, Number(position[1])).split('\n').length;
    const hasComment = /^\s*(\/\/|\/\*)/m.test(text);
    return {
      line,
      problem: `the file is not valid JSON: ${(e as Error).message.split('\n')[0]!.replace(/ in JSON at position \d+.*$/, '')}`,
      fix: hasComment ? 'JSON has no comments: remove them, or rename the file to .yaml and write them after #' : 'fix the JSON at this line (quotes around keys and strings, no trailing commas)',
    };
  }
}

const ALIAS_FIX = 'write the values out instead of "*" aliases, or quote a value that starts with "*"';
const DEPTH_FIX = 'flatten the data; parameter files need a few levels only';

function tooDeep(): string {
  return `the file nests mappings and lists deeper than the ${PARAMETER_FILE_LIMITS.maxDepth} levels a parameter file may have`;
}

/** The tags of plain data (YAML 1.2 core schema); `!!str 1` is fine, `!!python/object` is not. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Keys that data validation cannot take at face value: zod drops a `__proto__` key of a record
 * silently and reads an own `constructor` as a class (node_modules/zod/v4/core/util.cjs, isPlainObject).
 */
export const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Problem and fix for a reserved key, in a file or in library parameters alike. */
export function reservedKeyProblem(key: string): { problem: string; fix: string } {
  return { problem: `the key "${key}" cannot be read safely: JavaScript gives this name a meaning on every object`, fix: 'rename it (or remove it)' };
}

interface Walked {
  /** The pairs of each mapping by key, for line lookups in constant time. */
  readonly keysOf: Map<YAMLMap, Map<string, Pair>>;
  readonly firstAlias?: number;
}

/**
 * One pass over the document, without recursion: depth, key count, duplicate keys and tags. The
 * first problem found is returned as a syntax error.
 */
function walk(doc: Document.Parsed, lineAt: (offset: number) => number): Walked | SyntaxError {
  const keysOf = new Map<YAMLMap, Map<string, Pair>>();
  const anchors = new Set<string>();
  let keys = 0;
  let aliases = 0;
  let firstAlias: number | undefined;
  const lineOfNode = (node: unknown): number => {
    const range = (node as Node | null)?.range;
    return range ? lineAt(range[0]) : 1;
  };
  const stack: Array<[unknown, KeyPath]> = [[doc.contents, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    const depth = path.length + 1;
    if (isAlias(node)) {
      // yaml looks each alias up by a walk over the whole document, so their number is bounded too.
      const line = lineOfNode(node);
      firstAlias ??= line;
      if (++aliases > PARAMETER_FILE_LIMITS.maxAliasCount) return { line, problem: `the file uses more than the ${PARAMETER_FILE_LIMITS.maxAliasCount} aliases a parameter file may have`, fix: ALIAS_FIX };
      if (!anchors.has(node.source)) return { line, problem: `the alias "*${node.source}" names no anchor "&${node.source}" above it`, fix: ALIAS_FIX };
      continue;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) continue;
    if (node.anchor !== undefined) anchors.add(node.anchor);
    if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag)) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      return { line: lineOfNode(node), problem: `the YAML tag "${tag}" is not accepted: a parameter file holds plain data (text, numbers, true/false, lists, mappings)`, fix: `remove "${tag}" and write the plain value` };
    }
    if (isScalar(node)) continue;
    if (depth > PARAMETER_FILE_LIMITS.maxDepth) return { line: lineOfNode(node), problem: tooDeep(), fix: DEPTH_FIX };
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i], [...path, i]]);
      continue;
    }
    const byKey = new Map<string, Pair>();
    keysOf.set(node, byKey);
    keys += node.items.length;
    if (keys > PARAMETER_FILE_LIMITS.maxKeys) {
      return { line: lineOfNode(node), problem: `the file has more than the ${PARAMETER_FILE_LIMITS.maxKeys} keys a parameter file may have`, fix: 'split it, or remove what a deployment does not need (generated keys, pasted data)' };
    }
    for (let i = node.items.length - 1; i >= 0; i--) {
      const pair = node.items[i];
      if (!isPair(pair)) continue;
      stack.push([pair.value, [...path, keyText(pair.key) ?? i]], [pair.key, path]);
    }
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) {
        // An alias or a list as a key slips past the duplicate check above (`*k : debug` overwrote
        // the LOG_LEVEL whose value was anchored &k) and is stringified by toJS with a warning of its own.
        const odd = keyProblem(pair.key);
        if (odd !== undefined) return { line: lineOfNode(pair.key), path, ...odd };
        continue;
      }
      if (RESERVED_KEYS.has(key)) {
        return { line: lineOfNode(pair.key), path: [...path, key], ...reservedKeyProblem(key) };
      }
      if (byKey.has(key)) return { line: lineOfNode(pair.key), problem: 'the file is not valid YAML/JSON: Map keys must be unique', fix: syntaxProblem('DUPLICATE_KEY', '')[1] };
      byKey.set(key, pair);
    }
  }
  return firstAlias === undefined ? { keysOf } : { keysOf, firstAlias };
}

/** Why a key that is not plain text cannot be read: an alias, a list or a mapping; undefined for an empty key. */
function keyProblem(key: unknown): { problem: string; fix: string } | undefined {
  if (isAlias(key)) return { problem: `the key "*${key.source}" is an alias; keys of a parameter file are plain text`, fix: 'write the key out instead of "*" (quote it if it starts with "*")' };
  if (isMap(key) || isSeq(key)) return { problem: 'a key here is a list or mapping; keys of a parameter file are plain text', fix: 'write the key as plain text (a "? " line starts a key that is not)' };
  return undefined;
}

/** A scalar key as the data will name it; undefined for keys that are lists, mappings or aliases. */
function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function syntaxProblem(code: string, message: string): [problem: string, fix: string] {
  const problem = `the file is not valid YAML/JSON: ${message.split('\n')[0]}`;
  switch (code) {
    case 'DUPLICATE_KEY':
      return [problem, 'remove one of the two keys; a key may appear once per mapping'];
    case 'BAD_ALIAS':
    case 'UNRESOLVED_ALIAS':
      return [problem, 'quote values that start with "*" or "&", e.g. cron: "0 2 * * *"'];
    case 'TAB_AS_INDENT':
      return [problem, 'indent with spaces, not tabs'];
    case 'MULTIPLE_DOCS':
      return ['the file holds more than one YAML document (a second "---" line starts another)', 'keep one deployment per file: move the second document into a file of its own, or remove the "---" line'];
    default:
      return [problem, 'fix the syntax at this line (quote values containing ": ", "#", "*" or "&")'];
  }
}
