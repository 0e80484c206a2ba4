/**
 * Parameters passed as an object meet the parameter file's limits: a cycle, deep nesting, a huge
 * app.env, a shared-subtree bomb or a key JavaScript reserves give one CeleryParametersError line
 * (construct path, key path, problem, fix) instead of a RangeError or a hang.
 */
import { TerraformStack, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CeleryParametersError, resolveCeleryParameters, type AwsCeleryParameters, type CeleryParameters } from '../../lib';
import { CeleryPlatformAws } from '../../lib/aws';
import { parameterLimitProblem } from '../../lib/parameter-limits';

function example(): AwsCeleryParameters {
  const { state: _state, ...parameters } = parse(readFileSync('customers/acme-prod.yaml', 'utf8')) as CeleryParameters;
  return parameters as AwsCeleryParameters;
}

/** The error a CeleryPlatformAws construction throws, or a failure naming what was thrown instead. */
function constructionError(parameters: unknown): CeleryParametersError {
  const stack = new TerraformStack(Testing.app(), 'user-stack');
  try {
    new CeleryPlatformAws(stack, 'aws', { parameters: parameters as AwsCeleryParameters });
  } catch (e) {
    if (e instanceof CeleryParametersError) return e;
    throw new Error(`expected a CeleryParametersError, got ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
  }
  throw new Error('expected the construction to throw');
}

/** The single line of the error: construct path, key path, problem, fix. */
function onlyLine(error: CeleryParametersError): string {
  const lines = error.message.split('\n');
  expect(lines[0]).toBe('1 problem in the celerykit parameters of user-stack/aws:');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^user-stack\/aws: error: .+: .+ Fix: .+\.$/);
  return lines[1]!;
}

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('parameters passed as an object', () => {
  it('within the limits pass the walk, a subtree used twice included', () => {
    const parameters = example();
    expect(parameterLimitProblem(parameters, 'app')).toBeUndefined();
    const env = { A: 'a' };
    expect(parameterLimitProblem({ ...parameters, app: { ...parameters.app, env }, extra: { again: env } }, 'app')).toBeUndefined();
    expect(parameterLimitProblem({ deep: nested(30) }, 'app')).toBeUndefined();
  });

  it('that refer to themselves are refused at the key where the cycle closes', () => {
    const parameters = example();
    const app: Record<string, unknown> = { ...parameters.app };
    app.loop = app;
    const line = onlyLine(constructionError({ ...parameters, app }));
    expect(line).toContain('error: app.loop: refers back to app, so the parameters never end (a cycle). Fix: put a copy of the data here');

    const top: Record<string, unknown> = { ...parameters };
    top.self = top;
    expect(onlyLine(constructionError(top))).toContain('self: refers back to the parameters themselves');
  });

  it('nested 10,000 levels deep are refused at the 33rd level, not by a stack overflow', () => {
    // Schedule kwargs take any JSON value, so the schema recursed into them until the stack overflowed.
    const parameters = example();
    const schedules = { 'nightly-report': { ...parameters.schedules!['nightly-report']!, kwargs: { deep: nested(10_000) } } };
    const error = constructionError({ ...parameters, schedules });
    const line = onlyLine(error);
    expect(line).toContain('nests objects and arrays deeper than the 32 levels a parameter file may have. Fix: flatten the data');
    expect(error.problems[0]!.path.slice(0, 5)).toEqual(['schedules', 'nightly-report', 'kwargs', 'deep', 'a']);
    expect(error.problems[0]!.path).toHaveLength(32);
  });

  it('with 200,000 keys in app.env are refused before the schema reads them', () => {
    const parameters = example();
    const env = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`KEY_${i}`, 'v']));
    const line = onlyLine(constructionError({ ...parameters, app: { ...parameters.app, env } }));
    expect(line).toContain('error: app.env: the parameters have more than the 20,000 keys and list items a parameter file may have (this one alone has 200,000).');
  });

  it('whose shared subtrees multiply past the key limit are refused, as an alias bomb is in a file', () => {
    // 2^25 leaves if walked out (and 25 levels, within the depth limit); each reach of a shared subtree counts, so the walk stops at 20,000.
    let bomb: Record<string, unknown> = { v: 'x' };
    for (let i = 0; i < 25; i++) bomb = { l: bomb, r: bomb };
    expect(() => resolveCeleryParameters({ ...example(), app: { ...example().app, env: bomb } } as CeleryParameters, 'lib-user')).toThrow(
      /more than the 20,000 keys and list items/,
    );
  });

  it('that hold more text than a parameter file may are refused', () => {
    const parameters = example();
    const line = onlyLine(constructionError({ ...parameters, app: { ...parameters.app, env: { BIG: 'x'.repeat(1024 * 1024 + 1) } } }));
    expect(line).toContain('app.env.BIG: the parameters hold more than the 1 MiB of text');
  });

  it.each(['__proto__', 'constructor', 'prototype'])('with an own key %s are refused by name, as in a file', (key) => {
    const parameters = example();
    const env = JSON.parse(`{"A": "a", ${JSON.stringify(key)}: {"polluted": "yes"}}`) as Record<string, unknown>;
    const line = onlyLine(constructionError({ ...parameters, app: { ...parameters.app, env } }));
    expect(line).toContain(`app.env.${key}: the key "${key}" cannot be read safely`);
  });

  it('that are not an object, or whose getter throws, get a line too', () => {
    expect(onlyLine(constructionError(null))).toContain('(top level): the parameters must be an object, not null.');
    const parameters = example();
    const env = Object.defineProperty({}, 'TOKEN', {
      enumerable: true,
      get() {
        throw new Error('not yet');
      },
    });
    expect(onlyLine(constructionError({ ...parameters, app: { ...parameters.app, env } }))).toContain('app.env.TOKEN: reading this value threw: not yet.');
  });
});
