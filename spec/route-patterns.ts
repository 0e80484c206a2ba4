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
 * Dynamic programming over positions in both patterns: each step consumes a literal from both,
 * or lets a `*` on one side absorb the other side's next symbol (or nothing).
 */
export function findIntersection(a: string, b: string): string | undefined {
  const memo = new Map<number, string | null>();
  const solve = (i: number, j: number): string | null => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, null); // cycles cannot occur (every step advances i or j), but guard anyway
    let result: string | null = null;
    if (i === a.length && j === b.length) result = '';
    else if (a[i] === '*') {
      result = solve(i + 1, j);
      if (result === null && j < b.length) {
        const rest = solve(i, j + 1);
        if (rest !== null) result = (b[j] === '*' ? '' : literal(b[j]!)) + rest;
      }
    } else if (b[j] === '*') {
      result = solve(i, j + 1);
      if (result === null && i < a.length) {
        const rest = solve(i + 1, j);
        if (rest !== null) result = literal(a[i]!) + rest;
      }
    } else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?')) {
      const rest = solve(i + 1, j + 1);
      if (rest !== null) result = literal(a[i] === '?' ? b[j]! : a[i]!) + rest;
    }
    memo.set(key, result);
    return result;
  };
  const found = solve(0, 0);
  return found === null ? undefined : found;
}

/** A concrete character for a pattern symbol (`?` stands for any; "x" is as good as any). */
function literal(symbol: string): string {
  return symbol === '?' ? 'x' : symbol;
}
