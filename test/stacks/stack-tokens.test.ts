/**
 * The synth path forgets each stack's tokens once the stack is rendered, so that cdktf's token map
 * (which holds every construct a token refers to) does not grow with the number of stacks.
 */
import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { buildRenderedOne } from '../../stacks/build-stacks';
import { CeleryStack } from '../../stacks/celery-stack';
import { forgetTokensSince, nextTokenNumber } from '../../stacks/stack-tokens';
import { editBase, specFromYaml, tempDir } from '../helpers/parameter-files';

/** Entries in cdktf's process-wide token map. */
function tokensHeld(): number {
  const { TokenMap } = require('cdktf/lib/tokens/private/token-map') as { TokenMap: { instance(): { stringTokenMap: Map<string, unknown>; numberTokenMap: Map<number, unknown> } } };
  const map = TokenMap.instance();
  return map.stringTokenMap.size + map.numberTokenMap.size;
}

describe("a stack's tokens", () => {
  it('are gone from cdktf\'s token map once the stack is built and staged, however many stacks follow', () => {
    const app = new App({ outdir: tempDir('celerykit-tokens-'), stackTraces: false, skipValidation: true });
    const staging = tempDir('celerykit-staging-');
    const specs = ['acme', 'beta', 'gamma'].map((customer) => specFromYaml(editBase({ 1: `customer: ${customer}` }), `${customer}.yaml`));
    const before = tokensHeld();
    const after: number[] = [];
    for (const spec of specs) {
      const rendered = buildRenderedOne(app, spec, tempDir(), staging);
      expect(rendered.resources).toBeGreaterThan(50);
      after.push(tokensHeld());
    }
    // A built stack creates hundreds of tokens; none of them stays.
    expect(after).toEqual([before, before, before]);
    expect(app.node.children).toHaveLength(0);
  });

  it('are forgotten from the number given on, and only from there', () => {
    const first = nextTokenNumber();
    const app = new App({ outdir: tempDir('celerykit-tokens-'), stackTraces: false, skipValidation: true });
    const before = tokensHeld();
    // Without forgetting, a built stack leaves its tokens behind: the count this test relies on moves.
    new CeleryStack(app, { spec: specFromYaml(editBase({}), 'acme.yaml'), localStateDir: tempDir() }).render();
    expect(tokensHeld()).toBeGreaterThan(before + 100);
    forgetTokensSince(first);
    expect(tokensHeld()).toBe(before);
  });
});
