/**
 * `results`: storing task results is opt-in, always with an expiry of 1 s to 7 days, and only on a
 * Redis broker; each refusal is one line naming the key and the fix.
 */
import { describe, expect, it } from 'vitest';
import { BASE_FILE, editBase, problemLines, specFromYaml } from '../helpers/parameter-files';

const withResults = (lines: string, base = BASE_FILE) => `${base}\n${lines}`;
/** BASE_FILE without time limits, so no warning about chords comes along (the batch pool's own warning does). */
const NO_TIME_LIMITS = editBase({ 17: '', 20: '', 21: '' });

describe('results in a parameter file', () => {
  it('are off without the key', () => {
    expect(specFromYaml(BASE_FILE).results).toBeUndefined();
  });

  it('are stored for the seconds the file gives, on a Redis broker of either cloud', () => {
    expect(specFromYaml(withResults('results:\n  expires: 86400', NO_TIME_LIMITS)).results).toEqual({ expires: 86400 });
    const gcp = editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-prod-123', 17: '', 20: '', 21: '', 26: 'state:\n  backend: gcs', 27: '', 29: '' });
    expect(specFromYaml(withResults('results:\n  expires: 604800', gcp)).results).toEqual({ expires: 604800 });
    expect(specFromYaml(withResults('results:\n  expires: 1', NO_TIME_LIMITS)).results).toEqual({ expires: 1 });
    expect(problemLines(withResults('results:\n  expires: 1', NO_TIME_LIMITS)).filter((l) => l.includes('results'))).toEqual([]);
  });

  it('refuse an expiry of 0 or less, which would keep results forever', () => {
    for (const value of ['0', '-5']) {
      expect(problemLines(withResults(`results:\n  expires: ${value}`))).toEqual([
        'FILE:31: error: results.expires: must be at least 1 second: with 0 Celery stores results without expiry, and they stay in the broker, which never evicts, until it refuses new tasks. Fix: set the seconds a result is kept, e.g. 86400 (one day), or remove results to store none.',
      ]);
    }
  });

  it('refuse "never", a duration text and a missing expiry', () => {
    for (const value of ['never', '"1d"', 'null']) {
      expect(problemLines(withResults(`results:\n  expires: ${value}`))).toEqual([
        'FILE:31: error: results.expires: must be a whole number of seconds, and results always expire. Fix: write e.g. 86400 for one day (not "1d" or "never").',
      ]);
    }
    expect(problemLines(withResults('results: {}'))).toEqual([
      "FILE:30: error: results.expires: is required. Fix: set results.expires to the seconds a result is kept (results are stored only with an expiry), e.g. 86400 (one day, Celery's default).",
    ]);
  });

  it('refuse an expiry longer than 7 days', () => {
    expect(problemLines(withResults('results:\n  expires: 604801'))).toEqual([
      "FILE:31: error: results.expires: must be at most 604800 seconds (7 days): results wait in the broker's memory for the whole expiry. Fix: lower it to 604800 or less, and keep what must last longer in the app's own database.",
    ]);
  });

  it('are refused on RabbitMQ, whose rpc:// backend keeps results without expiry', () => {
    const lines = problemLines(withResults('results:\n  expires: 60', editBase({ 9: '  kind: rabbitmq' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^FILE:30: error: results: a RabbitMQ broker has no result store with an expiry: Celery's rpc:\/\/ backend .* unread results fill the broker\. Fix: remove results .* or use broker: \{kind: redis\}, where results expire\.$/);
  });

  it('warn when a pool may run a chord member longer than the expiry', () => {
    expect(problemLines(withResults('results:\n  expires: 600'))).toEqual([
      'FILE:31: warning: results.expires: 600 s is shorter than workers.batch.timeLimit (3600 s): a chord whose header tasks run longer than that between two results loses its counters and never runs its body. Fix: raise results.expires to 3600 or more if the app uses chords on that pool; otherwise leave it.',
    ]);
    expect(problemLines(withResults('results:\n  expires: 3600'))).toEqual([]);
  });
});
