import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config';
import { SLOW_FILES, SlowFirstSequencer, slowFirst } from './slow-first-sequencer';

const repo = resolve(__dirname, '..', '..');

describe('the slow-first test order', () => {
  it('names only test files that exist', () => {
    for (const file of SLOW_FILES) expect(existsSync(join(repo, file)), file).toBe(true);
  });

  it('starts the listed files first, in the list order, and keeps the rest as they were', () => {
    const files = ['test/a.test.ts', SLOW_FILES[2]!, 'test/b.test.ts', SLOW_FILES[0]!, 'test/c.test.ts'];
    expect(slowFirst(files, (f) => f)).toEqual([SLOW_FILES[0], SLOW_FILES[2], 'test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts']);
  });

  it('is the sequencer the test configuration uses', () => {
    expect(config.test?.sequence?.sequencer).toBe(SlowFirstSequencer);
  });
});
