/**
 * cdktf keeps every token it ever creates in one process-wide map (cdktf/lib/tokens/private/
 * token-map.js: `stringTokenMap` and `numberTokenMap`, keyed by a counter that only grows), and
 * each token holds the construct it refers to. So every stack's construct tree stays alive until
 * the process ends, whatever else lets go of it: 1,000 stacks peaked at 1.5-1.7 GB, and the
 * garbage collector marked all of it again and again while later stacks were built.
 *
 * A kit stack stands alone (no reference crosses stacks), and once it is rendered to text nothing
 * resolves its tokens again. The synth path (build-stacks.ts) therefore forgets the tokens a
 * stack created after writing its text. A token from an earlier stack used by a later one would
 * make the later one fail loudly ("Unrecognized token key"), never render wrong: test/main.test.ts
 * compares the two-thread output with cdktf's own synth.
 */

/** The private fields of cdktf's TokenMap this reads (cdktf is pinned at 0.21). */
interface TokenMapInternals {
  readonly stringTokenMap: Map<string, unknown>;
  readonly numberTokenMap: Map<number, unknown>;
  readonly tokenCounter: number;
}

function tokenMap(): TokenMapInternals {
  const { TokenMap } = require('cdktf/lib/tokens/private/token-map') as { TokenMap: { instance(): TokenMapInternals } };
  return TokenMap.instance();
}

/** The counter the next token will get: pass it to forgetTokensSince() when the stack is done. */
export function nextTokenNumber(): number {
  return tokenMap().tokenCounter;
}

/**
 * Removes every token numbered `first` or later from cdktf's map. String keys end in
 * `.<counter>` (TokenMap.registerStringKey); number keys are the counter itself.
 */
export function forgetTokensSince(first: number): void {
  const map = tokenMap();
  for (const key of map.stringTokenMap.keys()) {
    if (Number(key.slice(key.lastIndexOf('.') + 1)) >= first) map.stringTokenMap.delete(key);
  }
  for (const key of map.numberTokenMap.keys()) {
    if (key >= first) map.numberTokenMap.delete(key);
  }
}
