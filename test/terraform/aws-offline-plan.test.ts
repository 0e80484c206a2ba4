/**
 * Every AWS example stack passes terraform init, validate and plan offline, with fake credentials.
 * Outside CI a machine without terraform skips this file (and says why); in CI it fails.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { editBase, writeParameterFiles } from '../helpers/parameter-files';
import { synthesizeDir, type SynthesizedStack } from '../helpers/synth';
import { findTerraform, prepareOfflineWorkdir, terraform, AWS_PROVIDER_VERSION, type TerraformSetup } from './terraform-harness';

const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && !inCi) console.warn(`[skipped] offline terraform checks: ${missing}`);

/**
 * Shapes the examples do not cover: a single-instance RabbitMQ with beat and an existing VPC, and
 * Redis OSS in a small two-zone network with a pool that scales to zero, and a four-zone network
 * (issue 15: four zones used to overlap the private and public subnets).
 */
const VARIANTS = {
  'variant-a.yaml': editBase({
    1: 'customer: variant-a',
    9: '  kind: rabbitmq',
    22: 'beat: singleton',
    23: '',
    24: '',
    25: '',
    26: 'nonProduction: true\nnetwork:\n  existing:\n    vpcId: vpc-0abc1234\n    subnetIds: [subnet-0aa11, subnet-0bb22]\n  zones: [eu-west-1a, eu-west-1b]\nstate:',
    27: '  backend: local',
    28: '',
  }),
  'variant-b.yaml': editBase({
    1: 'customer: variant-b',
    9: '  kind: redis\n  engine: redis',
    17: '    timeLimit: 60\n    autoscale: {min: 0, max: 3}',
    26: 'network:\n  cidr: 10.9.0.0/20\n  zones: [eu-west-1b, eu-west-1c]\nstate:',
  }),
  'variant-c.yaml': editBase({
    1: 'customer: variant-c',
    4: 'region: us-east-1',
    26: 'network:\n  cidr: 172.20.0.0/20\n  zones: [us-east-1a, us-east-1b, us-east-1c, us-east-1d]\nstate:',
  }),
};

const awsStacks: SynthesizedStack[] = [...synthesizeDir(), ...synthesizeDir(writeParameterFiles(VARIANTS))].filter((s) => s.spec.cloud === 'aws');

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
