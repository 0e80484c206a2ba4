/**
 * Values the kit derives from time limits and pool types: the Redis visibility timeout, the
 * runtime histogram buckets and the default worker concurrency.
 */
import { describe, expect, it } from 'vitest';
import { defaultConcurrency, deriveRuntimeBuckets, deriveVisibilityTimeout } from '../../spec/derive';

/** The schema's bounds for a hard time limit: 1 s to 7 days. */
const LONGEST_ALLOWED_TIME_LIMIT = 7 * 24 * 3600;

describe('the derived visibility timeout', () => {
  it("is Celery's default of one hour when no pool has a time limit", () => {
    expect(deriveVisibilityTimeout(undefined)).toBe(3600);
  });

  it('adds at least five minutes to a short time limit, rounded up to whole minutes', () => {
    expect(deriveVisibilityTimeout(60)).toBe(360);
    expect(deriveVisibilityTimeout(1)).toBe(360);
    expect(deriveVisibilityTimeout(61)).toBe(420);
  });

  it('adds a quarter of a long time limit', () => {
    expect(deriveVisibilityTimeout(3600)).toBe(4500);
    expect(deriveVisibilityTimeout(7200)).toBe(9000);
  });

  it('is always longer than the longest time limit, in whole minutes, with a bounded margin', () => {
    const wrong: string[] = [];
    for (let limit = 1; limit <= LONGEST_ALLOWED_TIME_LIMIT; limit++) {
      const timeout = deriveVisibilityTimeout(limit);
      const margin = Math.max(300, limit / 4);
      if (!(timeout > limit)) wrong.push(`${limit}: ${timeout} is not longer`);
      else if (timeout % 60 !== 0) wrong.push(`${limit}: ${timeout} is not whole minutes`);
      else if (timeout - limit < margin) wrong.push(`${limit}: ${timeout} leaves less than the margin ${margin}`);
      else if (timeout - limit >= margin + 60) wrong.push(`${limit}: ${timeout} is more than a minute past the margin ${margin}`);
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
  });
});

describe('the derived runtime histogram buckets', () => {
  it('reach one hour when no pool has a time limit', () => {
    expect(deriveRuntimeBuckets(undefined).at(-1)).toBe(3600);
  });

  it('end at the first bucket that covers the longest time limit', () => {
    expect(deriveRuntimeBuckets(60).at(-1)).toBe(60);
    expect(deriveRuntimeBuckets(3600).at(-1)).toBe(3600);
    expect(deriveRuntimeBuckets(3601).at(-1)).toBe(7200);
    expect(deriveRuntimeBuckets(5000).at(-1)).toBe(7200);
    expect(deriveRuntimeBuckets(LONGEST_ALLOWED_TIME_LIMIT).at(-1)).toBe(LONGEST_ALLOWED_TIME_LIMIT);
  });

  it('start at 5 ms and ascend strictly', () => {
    const buckets = deriveRuntimeBuckets(LONGEST_ALLOWED_TIME_LIMIT);
    expect(buckets[0]).toBe(0.005);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!, `bucket ${i}`).toBeGreaterThan(buckets[i - 1]!);
  });

  it('keep the fine sub-second buckets however long the time limit', () => {
    expect(deriveRuntimeBuckets(60).slice(0, 8)).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
    expect(deriveRuntimeBuckets(86400).slice(0, 8)).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
  });

  it('always cover the longest time limit with exactly one bucket at or past it', () => {
    const wrong: string[] = [];
    for (let limit = 1; limit <= LONGEST_ALLOWED_TIME_LIMIT; limit += limit < 4000 ? 1 : 97) {
      const buckets = deriveRuntimeBuckets(limit);
      const last = buckets[buckets.length - 1]!;
      const beforeLast = buckets[buckets.length - 2];
      if (last < limit) wrong.push(`${limit}: last bucket ${last} does not cover it`);
      else if (beforeLast !== undefined && beforeLast >= limit) wrong.push(`${limit}: bucket ${beforeLast} already covers it, ${last} is extra`);
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
  });
});

describe('the default concurrency of a pool', () => {
  it('is one process per whole vCPU for prefork, at least one', () => {
    expect(defaultConcurrency('prefork', 0.25)).toBe(1);
    expect(defaultConcurrency('prefork', 0.5)).toBe(1);
    expect(defaultConcurrency('prefork', 1)).toBe(1);
    expect(defaultConcurrency('prefork', 2.5)).toBe(2);
    expect(defaultConcurrency('prefork', 4)).toBe(4);
    expect(defaultConcurrency('prefork', 16)).toBe(16);
  });

  it('is 100 greenlets for gevent and eventlet, whatever the vCPUs', () => {
    expect(defaultConcurrency('gevent', 1)).toBe(100);
    expect(defaultConcurrency('gevent', 4)).toBe(100);
    expect(defaultConcurrency('eventlet', 0.5)).toBe(100);
  });

  it('is 10 for threads and 1 for solo, whatever the vCPUs', () => {
    expect(defaultConcurrency('threads', 1)).toBe(10);
    expect(defaultConcurrency('threads', 8)).toBe(10);
    expect(defaultConcurrency('solo', 1)).toBe(1);
    expect(defaultConcurrency('solo', 8)).toBe(1);
  });
});
