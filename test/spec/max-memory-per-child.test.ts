/**
 * `maxMemoryPerChild`: refused where it cannot act (a pool without child processes) or where the
 * kernel would kill the task before Celery replaces the child.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../helpers/parameter-files';

describe('maxMemoryPerChild in a parameter file', () => {
  it('is refused on a gevent pool, naming the key and the fix', () => {
    const lines = problemLines(editBase({ 16: '    pool: gevent\n    maxMemoryPerChild: 500' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/workers\.fast\.maxMemoryPerChild: .*gevent pool has none\. Fix: remove maxMemoryPerChild or use pool: prefork/);
  });

  it('is refused when not below the worker memory', () => {
    const lines = problemLines(editBase({ 20: '    timeLimit: 3600\n    maxMemoryPerChild: 2048' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/workers\.batch\.maxMemoryPerChild: maxMemoryPerChild \(2048 MiB\) is not below the worker memory \(2048 MiB\)/);
  });

  it('is accepted on a prefork pool below the memory', () => {
    expect(problemLines(editBase({ 20: '    timeLimit: 3600\n    maxMemoryPerChild: 1024' }))).toEqual([]);
  });
});
