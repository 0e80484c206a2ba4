/**
 * The fast resolver returns exactly what cdktf's resolve returns, or throws what it throws, for
 * every kind of value cdktf treats specially; on whole stacks, render-stack.test.ts compares the
 * render that uses it with cdktf's own.
 */
import { App, Fn, Lazy, TerraformStack, Token } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { resolve as cdktfResolve } from 'cdktf/lib/_tokens';
import { describe, expect, it } from 'vitest';
import { resolvePlainFast } from '../../stacks/plain-value-resolve';
import { tempDir } from '../helpers/parameter-files';

function stackWithQueue() {
  const app = new App({ outdir: tempDir() });
  const stack = new TerraformStack(app, 'values');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const queue = new SqsQueue(stack, 'queue', { name: 'q' });
  return { stack, queue };
}

/** What each resolver gives: the value, or the message it threw. */
function outcome(resolveWith: () => unknown): { value: string } | { threw: string } {
  try {
    return { value: JSON.stringify(resolveWith()) };
  } catch (e) {
    return { threw: e instanceof Error ? e.message : String(e) };
  }
}

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { k: v };
  return v;
}

describe('resolving without walking plain values through cdktf', () => {
  const { stack, queue } = stackWithQueue();
  const cases: Record<string, () => unknown> = {
    'plain record with undefined entries dropped': () => ({ a: 'x', b: undefined, c: [1, undefined, null, true], d: { e: {} } }),
    'string with a reference': () => ({ arn: queue.arn, text: `prefix-${queue.url}-suffix` }),
    'string with an escaped interpolation': () => ({ policy: 'a ${aws:username} b', mixed: `\${x} ${queue.arn}` }),
    'string that looks like an encoded number': () => ({ version: 'v1.2e3', n: '12e+5' }),
    'number token and number token inside a string': () => ({ delay: queue.delaySeconds, text: `${Token.asString(queue.delaySeconds)}` }),
    'list token and a list of tokens': () => ({ list: Token.asList(queue.arn), items: [queue.arn, queue.url] }),
    'map token': () => ({ tags: Token.asStringMap(queue.tags) }),
    'resolvable object and lazy values': () => ({ lazy: Lazy.stringValue({ produce: () => 'produced' }), any: Lazy.anyValue({ produce: () => ({ x: queue.arn, y: undefined }) }) }),
    'function call': () => ({ joined: Fn.join(',', [queue.arn, 'b']) }),
    'token in a key': () => ({ [queue.name]: 'value' }),
    'date kept as is': () => ({ when: new Date(0) }),
    'list token inside a plain string': () => ({ bad: `x${Token.asList(queue.arn)[0]}` }),
    'function value': () => ({ f: () => 1 }),
    'a construct': () => ({ queue }),
    'nesting of 199 levels': () => nested(199),
    'nesting past the 200 levels cdktf allows': () => nested(205),
  };

  it.each(Object.keys(cases))('%s: same result as cdktf', (name) => {
    const value = cases[name]!;
    for (const preparing of [false, true]) {
      // A fresh value each time: some tokens cache what they resolved to.
      expect(outcome(() => resolvePlainFast(stack, value(), preparing))).toEqual(outcome(() => cdktfResolve(stack, value(), preparing)));
    }
  });

  it('really does throw and drop where cdktf does (the cases above are not all plain)', () => {
    expect(outcome(() => resolvePlainFast(stack, cases['nesting past the 200 levels cdktf allows']!()))).toHaveProperty('threw');
    expect(outcome(() => resolvePlainFast(stack, cases['a construct']!()))).toHaveProperty('threw');
    expect(resolvePlainFast(stack, { arn: queue.arn, gone: undefined })).toEqual({ arn: '${aws_sqs_queue.queue.arn}' });
  });
});
