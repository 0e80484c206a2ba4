/**
 * Reads one parameter file (YAML, or JSON which YAML parses too) and keeps a map from key paths to
 * line numbers so every problem can point at its line.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { KeyPath } from './problems';

export interface ParsedFile {
  /** The plain data, or undefined when the file could not be parsed. */
  readonly data: unknown;
  /** 1-based line of a key path; the nearest existing parent when the path is missing. */
  readonly lineOf: (path: KeyPath) => number | undefined;
  /** Syntax errors, each with a line and a fix. */
  readonly syntaxErrors: ReadonlyArray<{ line: number; problem: string; fix: string }>;
}

export function readParameterFile(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return { data: undefined, lineOf: () => undefined, syntaxErrors: [{ line: 1, problem: `cannot read the file (${reason})`, fix: 'check the path and permissions' }] };
  }
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice is a mistake, never an override. YAML 1.2 core schema: "no"/"on" stay strings.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  // Only the first syntax error: the parser's later ones are mostly echoes of it.
  const syntaxErrors = doc.errors.slice(0, 1).map((err) => ({
    line: lineAt(err.pos[0]),
    problem: `the file is not valid YAML/JSON: ${err.message.split('\n')[0]}`,
    fix: syntaxFix(err.code),
  }));
  if (syntaxErrors.length > 0) return { data: undefined, lineOf: () => undefined, syntaxErrors };

  const lineOf = (path: KeyPath): number | undefined => {
    let node: Node | null | undefined = doc.contents as Node | null;
    let line = node?.range ? lineAt(node.range[0]) : 1;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) return line;
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
  return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, lineOf, syntaxErrors: [] };
}

function syntaxFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two keys; a key may appear once per mapping';
    case 'BAD_ALIAS':
    case 'UNRESOLVED_ALIAS':
      return 'quote values that start with "*" or "&", e.g. cron: "0 2 * * *"';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'fix the syntax at this line (quote values containing ": ", "#", "*" or "&")';
  }
}
