/**
 * PromQL helpers shared by the kit's rules.
 */

/** A regex matcher value selecting exactly these queue names (PromQL regexes are anchored). */
export function queueNameRegex(queues: readonly string[]): string {
  return queues.map((q) => q.replace(/[.*+?^$()|[\]\\{}]/g, (c) => `\\\\${c}`)).join('|');
}
