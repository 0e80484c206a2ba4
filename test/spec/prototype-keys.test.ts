/**
 * User keys named like Object.prototype members: the ones data validation cannot take at face value
 * are refused in one line; the others are plain names everywhere they meet a table.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines, specFromYaml } from '../helpers/parameter-files';

describe('keys named like Object.prototype members', () => {
  it('are plain names for tags, a queue, a pool and a schedule', () => {
    const spec = specFromYaml(
      editBase({
        1: 'customer: acme\ntags:\n  toString: x\n  hasOwnProperty: y\n  valueOf: z',
        12: '  reports: ["myapp.tasks.reports.*"]\n  tostring: ["myapp.tasks.ctor.*"]',
        18: '  valueof:\n    queues: [tostring]\n    timeLimit: 60\n  batch:',
        23: '  hasownproperty:',
      }),
    );
    expect(spec.tags).toMatchObject({ toString: 'x', hasOwnProperty: 'y', valueOf: 'z' });
    expect(spec.queues.find((q) => q.name === 'tostring')).toMatchObject({ routes: ['myapp.tasks.ctor.*'], consumedBy: 'valueof' });
    expect(spec.schedules.map((s) => s.name)).toEqual(['hasownproperty']);
  });

  // zod dropped a `__proto__` tag silently and read a `constructor` tag as "expected a mapping, got a mapping".
  it.each([
    ['__proto__', 'tags', { 1: 'customer: acme\ntags:\n  __proto__: x' }, 3],
    ['constructor', 'tags', { 1: 'customer: acme\ntags:\n  constructor: x' }, 3],
    ['constructor', 'queues', { 12: '  reports: ["myapp.tasks.reports.*"]\n  constructor: ["myapp.tasks.ctor.*"]' }, 13],
    ['prototype', 'schedules', { 23: '  prototype:' }, 23],
    ['__proto__', 'schedules.nightly.kwargs', { 25: '    task: myapp.tasks.reports.nightly\n    kwargs: {__proto__: {polluted: true}}' }, 26],
  ])('refuses a key "%s" under %s in one line', (key, at, edits, line) => {
    expect(problemLines(editBase(edits))).toEqual([
      `FILE:${line}: error: ${at}.${key}: the key "${key}" cannot be read safely: JavaScript gives this name a meaning on every object. Fix: rename it (or remove it).`,
    ]);
  });

  it('names a default queue called "constructor" that no pool consumes at defaultQueue, not under queues', () => {
    expect(problemLines(editBase({ 1: 'customer: acme\ndefaultQueue: constructor', 15: '    queues: [email]' }))).toEqual([
      'FILE:2: error: defaultQueue: no worker pool consumes queue "constructor" (the default queue, where every unrouted task goes), so its tasks would wait forever. Fix: add "constructor" to the queues of one pool under workers.',
    ]);
  });

  it.each(['toString', 'hasOwnProperty', 'valueOf'])('reports "%s" as an unknown top-level key', (key) => {
    expect(problemLines(editBase({ 29: `accountId: "123456789012"\n${key}: 1` }))).toEqual([
      `FILE:30: error: ${key}: unknown key "${key}". Fix: remove it; the keys allowed here are: $schema, customer, environment, cloud, region, project, enableApis, accountId, nonProduction, tags, app, broker, results, queues, defaultQueue, workers, monitoring, beat, schedules, state, policy, notSecrets, network, allowDestroy.`,
    ]);
  });
});
