/**
 * Celery task-route patterns (fnmatch with `*` and `?`; the schema rejects `[...]`).
 *
 * Two patterns overlap when some task name matches both; then the task's queue depends on the
 * order of `task_routes`, which nobody reviews. The kit refuses overlaps instead.
 */

/** True when `name` matches `pattern` (`*` any run of characters including dots, `?` one character). */
export function routeMatches(pattern: string, name: string): boolean {
  return findIntersection(pattern, name) !== undefined;
}

/**
 * A task name matched by both patterns, or undefined when no name matches both.
 *
 * `joins[i][j]` says whether the rest of `a` from i and the rest of `b` from j match a common
 * name: each step consumes a literal from both, or lets a `*` on one side absorb the other side's
 * next symbol (or nothing). It is filled from the ends backwards in one byte per cell, and the
 * witness is then read forwards along it, preferring at each step what the first option above
 * prefers. Time and memory are the product of the two lengths (a 4,000-character pair took 40 s
 * and 960 MB when the table held a string per cell); the parameter checks cap the lengths.
 */
export function findIntersection(a: string, b: string): string | undefined {
  if (!endsMayMatch(a, b)) return undefined;
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const joins = table((n + 1) * width);
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      let ok: number;
      if (i === n && j === m) ok = 1;
      else if (a[i] === '*') ok = joins[(i + 1) * width + j]! | (j < m ? joins[i * width + j + 1]! : 0);
      else if (b[j] === '*') ok = joins[i * width + j + 1]! | (i < n ? joins[(i + 1) * width + j]! : 0);
      else ok = i < n && j < m && symbolsMeet(a[i]!, b[j]!) ? joins[(i + 1) * width + j + 1]! : 0;
      joins[i * width + j] = ok;
    }
  }
  if (joins[0] === 0) return undefined;
  let witness = '';
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (a[i] === '*') {
      if (joins[(i + 1) * width + j]) i++;
      else {
        if (b[j] !== '*') witness += literal(b[j]!);
        j++;
      }
    } else if (b[j] === '*') {
      if (joins[i * width + j + 1]) j++;
      else witness += literal(a[i++]!);
    } else {
      witness += literal(a[i] === '?' ? b[j]! : a[i]!);
      i++;
      j++;
    }
  }
  return witness;
}

const symbolsMeet = (x: string, y: string) => x === y || x === '?' || y === '?';

/**
 * False when the literal starts or ends of the two patterns (up to their first and after their
 * last `*`) already disagree, so no name can match both. Exact: it only skips pairs the table would
 * refuse, and real route patterns (module paths) mostly differ there.
 */
function endsMayMatch(a: string, b: string): boolean {
  for (let k = 0; k < a.length && k < b.length && a[k] !== '*' && b[k] !== '*'; k++) if (!symbolsMeet(a[k]!, b[k]!)) return false;
  for (let k = 1; k <= a.length && k <= b.length && a[a.length - k] !== '*' && b[b.length - k] !== '*'; k++) {
    if (!symbolsMeet(a[a.length - k]!, b[b.length - k]!)) return false;
  }
  return true;
}

/** One reused buffer for the table: the checks compare every pair of a file's route patterns. */
let buffer = new Uint8Array(4096);
function table(cells: number): Uint8Array {
  if (buffer.length < cells) buffer = new Uint8Array(Math.max(cells, buffer.length * 2));
  return buffer.subarray(0, cells);
}

/** A concrete character for a pattern symbol (`?` stands for any; "x" is as good as any). */
function literal(symbol: string): string {
  return symbol === '?' ? 'x' : symbol;
}
