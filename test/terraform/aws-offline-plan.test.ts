/**
 * Every AWS example stack passes terraform init, validate and plan offline, with fake credentials.
 * Outside CI a machine without terraform skips this file (and says why); in CI it fails.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeParameterFiles } from '../helpers/parameter-files';
import { synthesizeDir, type SynthesizedStack } from '../helpers/synth';
import { AWS_VARIANTS } from './aws-variants';
import { findTerraform, prepareOfflineWorkdir, terraform, AWS_PROVIDER_VERSION, type TerraformSetup } from './terraform-harness';

const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && !inCi) console.warn(`[skipped] offline terraform checks: ${missing}`);

const awsStacks: SynthesizedStack[] = [...synthesizeDir(), ...synthesizeDir(writeParameterFiles(AWS_VARIANTS))].filter((s) => s.spec.cloud === 'aws');

describe.skipIf(missing !== undefined && !inCi)('the AWS example stacks, checked by the real terraform CLI offline', () => {
  let setup: TerraformSetup;
  beforeAll(() => {
    if (missing !== undefined) throw new Error(`CI must run the offline terraform checks, but ${missing}`);
    setup = found as TerraformSetup;
  });

  it('covers at least the redis and the rabbitmq AWS examples', () => {
    expect(awsStacks.map((s) => s.spec.broker.kind).sort()).toEqual(expect.arrayContaining(['rabbitmq', 'redis']));
  });

  it.each(awsStacks.map((s) => [s.spec.stackId, s] as const))('%s initializes, validates and plans', async (_id, stack) => {
    expect(stack.json.terraform?.required_providers?.aws?.version).toBe(AWS_PROVIDER_VERSION);
    const work = prepareOfflineWorkdir(stack.dir);

    const init = await terraform(setup, work, ['init', '-input=false']);
    expect(init.status, `terraform init from ${setup.providerSource}:\n${init.stdout}\n${init.stderr}`).toBe(0);

    const validate = await terraform(setup, work, ['validate', '-json']);
    const verdict = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: unknown[] };
    expect(verdict, validate.stdout).toMatchObject({ valid: true, error_count: 0 });

    // -detailed-exitcode: 0 no changes, 1 error, 2 changes present. A fresh stack must create things.
    const plan = await terraform(setup, work, ['plan', '-input=false', '-lock=false', '-detailed-exitcode', '-out=plan.bin']);
    expect(plan.status, `${plan.stdout}\n${plan.stderr}`).toBe(2);

    const show = await terraform(setup, work, ['show', '-json', 'plan.bin']);
    expect(show.status, show.stderr).toBe(0);
    const planned = JSON.parse(show.stdout) as { resource_changes: Array<{ type: string; change: { actions: string[] } }> };
    const resourcesInConfig = Object.values(stack.json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    expect(planned.resource_changes.length).toBe(resourcesInConfig);
    for (const change of planned.resource_changes) expect(change.change.actions).toEqual(['create']);
  }, 240_000);
});
