/**
 * Keys named like Object.prototype members in parameters passed as an object: plain names where
 * no JavaScript meaning attaches (tags), one line where a table of the kit meets them.
 */
import { TerraformStack, Testing, Token } from 'cdktf';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { AwsCeleryParameters, CeleryParameters } from '../../lib';
import { CeleryPlatformAws } from '../../lib/aws';

const { state: _state, ...BASE } = parse(readFileSync('customers/acme-prod.yaml', 'utf8')) as CeleryParameters;

function build(parameters: unknown): CeleryPlatformAws {
  return new CeleryPlatformAws(new TerraformStack(Testing.app(), 'user-stack'), 'aws', { parameters: parameters as AwsCeleryParameters });
}

describe('library keys named like Object.prototype members', () => {
  it('are plain names in tags', () => {
    const platform = build({ ...BASE, tags: { ...BASE.tags, toString: 'x', valueOf: 'y', hasOwnProperty: 'z' } });
    expect(platform.spec.tags).toMatchObject({ toString: 'x', valueOf: 'y', hasOwnProperty: 'z' });
  });

  it('under network.existing, with a token as the value, are unknown keys, never a lookup in the placeholder table', () => {
    const vpc = Token.asString({ resolve: () => 'vpc-0123' });
    const existing = { vpcId: vpc, subnetIds: ['subnet-1', 'subnet-2', 'subnet-3'], toString: vpc, valueOf: vpc };
    expect(() => build({ ...BASE, network: { existing } })).toThrow(
      /^2 problems in the celerykit parameters of user-stack\/aws:\nuser-stack\/aws: error: network\.existing\.toString: unknown key "toString"\. Fix: remove it;.*\nuser-stack\/aws: error: network\.existing\.valueOf: unknown key "valueOf"\./,
    );
  });
});
