/**
 * Celery route patterns (fnmatch with `*` and `?`) and the overlap check that refuses two queues
 * whose patterns could both select one task.
 */
import { describe, expect, it } from 'vitest';
import { ROUTE_PATTERN_LIMITS } from '../../spec/checks';
import { MAX_PROBLEMS_PER_FILE } from '../../spec/problems';
import { findIntersection, routeMatches } from '../../spec/route-patterns';
import { editBase, problemLines } from '../helpers/parameter-files';

/** Asserts that `a` and `b` overlap and that the witness returned is a concrete name matching both. */
function expectOverlap(a: string, b: string): string {
  const witness = findIntersection(a, b);
  expect(witness, `${a} vs ${b}`).toBeTypeOf('string');
  expect(witness, 'a witness is a task name, not a pattern').not.toMatch(/[*?]/);
  expect(routeMatches(a, witness!), `${a} should match ${witness}`).toBe(true);
  expect(routeMatches(b, witness!), `${b} should match ${witness}`).toBe(true);
  return witness!;
}

/** fnmatch as a regular expression, as an independent reference. */
function referenceRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function allStrings(alphabet: readonly string[], maxLength: number): string[] {
  const out = [''];
  let frontier = [''];
  for (let length = 1; length <= maxLength; length++) {
    frontier = frontier.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...frontier);
  }
  return out;
}

describe('matching a task name against a route pattern', () => {
  it('a literal pattern matches only the exact task name', () => {
    expect(routeMatches('myapp.tasks.email.send', 'myapp.tasks.email.send')).toBe(true);
    expect(routeMatches('myapp.tasks.email.send', 'myapp.tasks.email.sen')).toBe(false);
    expect(routeMatches('myapp.tasks.email.send', 'myapp.tasks.email.send_all')).toBe(false);
    expect(routeMatches('myapp.tasks.email.send', 'Myapp.tasks.email.send')).toBe(false);
  });

  it('a dot in a pattern is a literal dot, not "any character"', () => {
    expect(routeMatches('a.b', 'a.b')).toBe(true);
    expect(routeMatches('a.b', 'axb')).toBe(false);
  });

  it('a star matches any run of characters, dots included', () => {
    expect(routeMatches('myapp.*', 'myapp.tasks.email.send')).toBe(true);
    expect(routeMatches('myapp.*.send', 'myapp.tasks.email.send')).toBe(true);
    expect(routeMatches('*.send', 'myapp.tasks.email.send')).toBe(true);
    expect(routeMatches('*', 'myapp.tasks.email.send')).toBe(true);
    expect(routeMatches('myapp.*.send', 'myapp.tasks.email.send_all')).toBe(false);
  });

  it('a star may match nothing, but the characters around it still have to be there', () => {
    expect(routeMatches('myapp.*', 'myapp.')).toBe(true);
    expect(routeMatches('myapp.*', 'myapp')).toBe(false);
    expect(routeMatches('myapp.*', 'myappx.tasks')).toBe(false);
  });

  it('a question mark matches exactly one character, a dot included', () => {
    expect(routeMatches('myapp.tasks.v?', 'myapp.tasks.v2')).toBe(true);
    expect(routeMatches('myapp.tasks.v?', 'myapp.tasks.v')).toBe(false);
    expect(routeMatches('myapp.tasks.v?', 'myapp.tasks.v10')).toBe(false);
    expect(routeMatches('a?b', 'a.b')).toBe(true);
  });
});

describe('deciding whether two route patterns overlap', () => {
  it('patterns for different task modules are disjoint', () => {
    expect(findIntersection('myapp.tasks.email.*', 'myapp.tasks.reports.*')).toBeUndefined();
    expect(findIntersection('myapp.tasks.reports.*', 'myapp.tasks.email.*')).toBeUndefined();
  });

  it('patterns that differ in a fixed character are disjoint', () => {
    expect(findIntersection('*.x', '*.y')).toBeUndefined();
    expect(findIntersection('a.*.x', 'a.*.y')).toBeUndefined();
    expect(findIntersection('a.?', 'a.bc')).toBeUndefined();
    expect(findIntersection('a.??', 'a.b')).toBeUndefined();
  });

  it('a broader pattern overlaps a narrower one, with a witness both match', () => {
    expect(expectOverlap('myapp.tasks.*', 'myapp.tasks.email.*')).toBe('myapp.tasks.email.');
    expectOverlap('myapp.tasks.email.*', 'myapp.tasks.*');
  });

  it('patterns starred in different places overlap, with a witness both match', () => {
    expectOverlap('myapp.*.send', 'myapp.tasks.*');
    expectOverlap('*.send', 'myapp.*');
    expectOverlap('?.b', 'a.*');
    expectOverlap('a*', '*b');
    expectOverlap('a?c', '?b?');
    expect(expectOverlap('a?c', '?b?')).toBe('abc');
  });

  it('two stars overlap each other', () => {
    expectOverlap('*', '*');
    expectOverlap('*.*', '*');
    expectOverlap('a.*', '*.b');
  });

  it('a star overlaps any literal name, and the witness is that name', () => {
    expect(expectOverlap('*', 'myapp.tasks.email.send')).toBe('myapp.tasks.email.send');
    expect(expectOverlap('myapp.tasks.email.send', '*')).toBe('myapp.tasks.email.send');
  });

  it('a prefix pattern overlaps the names under the prefix and nothing shorter', () => {
    expect(expectOverlap('a.*', 'a.b')).toBe('a.b');
    expect(expectOverlap('a.b', 'a.*')).toBe('a.b');
    expect(findIntersection('a.*', 'a')).toBeUndefined();
    expect(findIntersection('a.*', 'ab')).toBeUndefined();
  });

  it('a pattern overlaps itself', () => {
    for (const pattern of ['myapp.tasks.email.send', 'myapp.tasks.email.*', 'myapp.*.send', 'a?c', '*', '*.*.?']) {
      expectOverlap(pattern, pattern);
    }
  });

  it('agrees with a brute-force search over every short name, whichever pattern comes first', () => {
    const patterns = allStrings(['a', '.', '*', '?'], 3);
    const names = allStrings(['a', 'b', '.'], 6);
    const wrong: string[] = [];
    for (const a of patterns) {
      for (const b of patterns) {
        const ra = referenceRegExp(a);
        const rb = referenceRegExp(b);
        const overlaps = names.some((n) => ra.test(n) && rb.test(n));
        const witness = findIntersection(a, b);
        if ((witness !== undefined) !== overlaps) wrong.push(`"${a}" vs "${b}": expected ${overlaps ? 'an overlap' : 'none'}, got ${witness}`);
        else if (witness !== undefined && !(ra.test(witness) && rb.test(witness))) wrong.push(`"${a}" vs "${b}": witness "${witness}" does not match both`);
      }
    }
    expect(patterns.length).toBeGreaterThan(80);
    expect(wrong).toEqual([]);
  });
});

describe('route patterns at the limits of a parameter file', () => {
  it('decides a pair of 4,000-character patterns and gives a witness both match', () => {
    // The table held a string per cell before: this pair took 40.6 s and 960 MB.
    const a = `*${'ab?'.repeat(1333)}`;
    const b = `*${'ba*'.repeat(1333)}`;
    expectOverlap(a, b);
  });

  it('refuses a pattern longer than a task name needs, at its key path', () => {
    const long = `myapp.${'x'.repeat(ROUTE_PATTERN_LIMITS.maxLength)}.*`;
    expect(problemLines(editBase({ 11: `  email: ["${long}"]` }))).toEqual([
      expect.stringMatching(new RegExp(`queues\\.email\\[0\\]: route pattern is ${long.length} characters long, more than the ${ROUTE_PATTERN_LIMITS.maxLength} .*Fix: shorten it`)),
    ]);
  });

  it('refuses more route-pattern text than the overlap check accepts, in one line', () => {
    const patterns = Array.from({ length: 60 }, (_, i) => `"myapp.tasks.t${i}.${'y'.repeat(180)}"`).join(', ');
    const lines = problemLines(editBase({ 11: `  email: [${patterns}]` }));
    expect(lines).toEqual([expect.stringMatching(/queues: the route patterns hold \d+ characters together, more than the 10000 .*Fix: route whole task modules/)]);
  });
});

describe('a mistake repeated many thousand times', () => {
  it('is reported as the first problems and one line counting the rest, not a stack overflow', () => {
    const n = 500; // every pair of "*<i>*" patterns overlaps: 124,750 problems
    const queues = Array.from({ length: n }, (_, i) => `  q${i}: ["*${i}*"]`).join('\n');
    const names = Array.from({ length: n }, (_, i) => `q${i}`).join(', ');
    const lines = problemLines(editBase({ 11: `${queues}\n  email: ["myapp.tasks.email.*"]`, 15: `    queues: [email, default, ${names}]` }));
    expect(lines).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(lines.at(-1)).toMatch(/error: \(top level\): \d+ more problems \(\d+ of them errors\) are not shown; the first 1000 are above\. Fix: /);
  });
});
