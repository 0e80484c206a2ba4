/**
 * The text the synth path writes for a stack is byte for byte what cdktf's own synthesizer writes.
 */
import { App } from 'cdktf';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadDeploymentsFromDir } from '../../spec/load';
import { terraformJsonText } from '../../stacks/build-stacks';
import { CeleryStack } from '../../stacks/celery-stack';
import { tempDir } from '../helpers/parameter-files';

// What cdktf/lib/synthesize/synthesizer.js writes cdk.tf.json with, from cdktf's own dependencies.
const cdktfStringify = createRequire(require.resolve('cdktf'))('json-stable-stringify') as (value: unknown, options: { space: number }) => string;

describe('terraformJsonText', () => {
  it("writes each example stack exactly as cdktf's synthesizer would", () => {
    for (const spec of loadDeploymentsFromDir('customers').specs) {
      const stack = new CeleryStack(new App({ outdir: tempDir() }), { spec, localStateDir: '/tmp' });
      stack.render();
      const json = stack.toTerraform();
      expect(terraformJsonText(json), spec.stackId).toBe(cdktfStringify(json, { space: 2 }));
    }
  });

  it('writes empty containers, undefined members and items, toJSON, odd keys and characters as cdktf would', () => {
    const odd: Record<string, unknown> = {
      empty: {},
      none: [],
      nested: { a: [{}, [], [[]]] },
      gone: undefined,
      items: [1, undefined, null, () => 1, 'x'],
      fn: () => 1,
      when: new Date(0),
      custom: { toJSON: () => ({ b: 1, a: 2 }) },
      'ünïcode "quoted"\n': 'tab\there \u2028 \u0000',
      B: 1,
      a: 2,
      _: 3,
      '10': 4,
      '9': 5,
      numbers: [0, -0, 1.5e300, 1e-7, NaN, Infinity],
      truth: [true, false],
    };
    expect(terraformJsonText(odd)).toBe(cdktfStringify(odd, { space: 2 }));
  });

  it('refuses a circular value as cdktf does', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => cdktfStringify(loop, { space: 2 })).toThrow(TypeError);
    expect(() => terraformJsonText(loop)).toThrow('Converting circular structure to JSON');
    // The same object twice, not inside itself, is no cycle.
    const shared = { x: 1 };
    expect(terraformJsonText({ a: shared, b: [shared] })).toBe(cdktfStringify({ a: shared, b: [shared] }, { space: 2 }));
  });
});
