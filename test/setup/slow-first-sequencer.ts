/**
 * Starts the slowest test files first. With two workers, a 2-minute file that starts last keeps one
 * core busy alone at the end; started first, it overlaps the many short files. vitest orders by
 * the durations it cached from earlier runs, but a fresh clone (CI) has no cache, and then vitest
 * keeps the files in glob order (BaseSequencer.sort: "run unknown first" makes every pair equal).
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that took 20 s or more in a full run (vitest's results cache, 2026-12-07), longest first.
 * A file missing here only starts later; test/setup/slow-first-sequencer.test.ts fails when an
 * entry no longer exists.
 */
export const SLOW_FILES: readonly string[] = [
  'test/terraform/change-guard-plans.test.ts',
  'test/lib/packed-install.test.ts',
  'test/brokers/kit-workers.test.ts',
  'test/brokers/real-brokers.test.ts',
  'test/terraform/apply-order-graph.test.ts',
  'test/spec/any-valid-file.test.ts',
  'test/brokers/redis-users.test.ts',
  'test/brokers/rabbitmq-users.test.ts',
  'test/brokers/scaling-arithmetic.test.ts',
  'test/stacks/stack-cache.test.ts',
  'test/main.test.ts',
  'test/constructs/celery/alert-rules.test.ts',
  'test/spec/fuzz-parameter-files.test.ts',
  'test/terraform/aws-offline-plan.test.ts',
  'test/constructs/aws/rabbitmq-users-bootstrap.test.ts',
  'test/lib/library.test.ts',
];

/** Puts the listed files first, in the list's order, and keeps the order of the rest (stable). */
export function slowFirst<T>(files: readonly T[], pathOf: (file: T) => string): T[] {
  const rank = (file: T) => {
    const i = SLOW_FILES.indexOf(pathOf(file));
    return i < 0 ? SLOW_FILES.length : i;
  };
  return files.map((file, i) => ({ file, i, r: rank(file) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ file }) => file);
}

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return slowFirst(await super.sort(files), (spec) => relative(root, spec.moduleId).split('\\').join('/'));
  }
}
