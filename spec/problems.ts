/**
 * Problems found in parameter files, and how they are printed.
 *
 * Every problem names the file, the key path inside it, what is wrong and how to fix it, so that a
 * platform engineer reading a CI log can fix the file without opening the kit's source.
 */

/** A key path inside a parameter file, e.g. `["workers", "reports", "timeLimit"]`. */
export type KeyPath = ReadonlyArray<string | number>;

export type Severity = 'error' | 'warning';

export interface SpecProblem {
  readonly severity: Severity;
  /** The parameter file, as given to the loader (relative paths stay relative). */
  readonly file: string;
  /** 1-based line of the key in the file, when the file could be parsed. */
  readonly line?: number;
  readonly path: KeyPath;
  /** What is wrong, in one sentence. */
  readonly problem: string;
  /** What to change, in one sentence. */
  readonly fix: string;
}

/** Renders a key path the way a user would write it: `workers.reports.timeLimit`, `schedules.x.args[0]`. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One line per problem: `file:line: error: key.path: problem. Fix: fix.` */
export function formatProblem(p: SpecProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return `${where}: ${p.severity}: ${formatKeyPath(p.path)}: ${endSentence(p.problem)} Fix: ${endSentence(p.fix)}`;
}

function endSentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Thrown by the loader when at least one file has at least one error; carries every problem found. */
export class SpecValidationError extends Error {
  constructor(readonly problems: readonly SpecProblem[]) {
    super(problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n'));
    this.name = 'SpecValidationError';
  }
}

/**
 * Collects problems for one file. Checks call `error`/`warn` with a key path; the line is filled in
 * from the file's source map when the loader has one.
 */
/**
 * Problems kept per file. A file within every size limit can still hold one mistake many thousand
 * times (500 queues whose patterns all overlap made 125,000 problems, and spreading them into one
 * array overflowed the call stack); past this many, one line says how many more there are.
 */
export const MAX_PROBLEMS_PER_FILE = 1000;

export class ProblemCollector {
  private readonly items: SpecProblem[] = [];
  private dropped = 0;
  private droppedErrors = 0;

  constructor(
    readonly file: string,
    private readonly lineOf: (path: KeyPath) => number | undefined = () => undefined,
  ) {}

  error(path: KeyPath, problem: string, fix: string): void {
    this.add('error', path, problem, fix);
  }

  warn(path: KeyPath, problem: string, fix: string): void {
    this.add('warning', path, problem, fix);
  }

  /** Problems in file order (by line; stable for problems on one line). */
  get problems(): readonly SpecProblem[] {
    const sorted = [...this.items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    if (this.dropped === 0) return sorted;
    const more: SpecProblem = {
      severity: this.droppedErrors > 0 ? 'error' : 'warning',
      file: this.file,
      path: [],
      problem: `${this.dropped} more problems (${this.droppedErrors} of them errors) are not shown; the first ${MAX_PROBLEMS_PER_FILE} are above`,
      fix: 'fix those and run again; one mistake repeated many times is usually one change',
    };
    return [...sorted, more];
  }

  get hasErrors(): boolean {
    return this.droppedErrors > 0 || this.items.some((p) => p.severity === 'error');
  }

  private add(severity: Severity, path: KeyPath, problem: string, fix: string): void {
    if (this.items.length >= MAX_PROBLEMS_PER_FILE) {
      this.dropped++;
      if (severity === 'error') this.droppedErrors++;
      return;
    }
    const line = this.lineOf(path);
    this.items.push({ severity, file: this.file, path: [...path], problem, fix, ...(line === undefined ? {} : { line }) });
  }
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // Allow roughly one typo per four characters: "concurency" -> "concurrency", not "pool" -> "spot".
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 4)) ? best : undefined;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("emial" -> "email" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
