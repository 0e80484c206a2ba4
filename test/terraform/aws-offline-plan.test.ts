/**
 * Every AWS example stack passes terraform init and plan offline, with fake credentials.
 * Outside CI a machine without terraform skips this file (and says why); in CI it fails.
 *
 * One `plan -json` per stack does what `validate`, `plan` and `show -json` did as three commands,
 * each of which started the 700 MB provider (validate 3.1 s, plan 4.5 s, show 2.2 s of CPU on
 * acme-prod; plan -json 4.1 s). The local backend validates the configuration before it plans
 * (hashicorp/terraform internal/backend/local/backend_local.go: `if b.OpValidation { ...
 * Core.Validate(...) }`; terraform 1.11.4 with TF_LOG=trace prints "backend/local: running
 * validation operation" during plan), and the last test here shows a value only the provider's
 * validation refuses failing the same command.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it.each(awsStacks.map((s) => [s.spec.stackId, s] as const))('%s initializes and plans, validation included', async (_id, stack) => {
    expect(stack.json.terraform?.required_providers?.aws?.version).toBe(AWS_PROVIDER_VERSION);
    const work = prepareOfflineWorkdir(stack.dir);

    const init = await terraform(setup, work, ['init', '-input=false']);
    expect(init.status, `terraform init from ${setup.providerSource}:\n${init.stdout}\n${init.stderr}`).toBe(0);

    // -detailed-exitcode: 0 no changes, 1 error, 2 changes present. A fresh stack must create things.
    const plan = await terraform(setup, work, ['plan', '-input=false', '-lock=false', '-detailed-exitcode', '-json']);
    const messages = planMessages(plan.stdout);
    expect(messages.errors, `${plan.stdout}\n${plan.stderr}`).toEqual([]);
    expect(plan.status, plan.stderr).toBe(2);
    const resourcesInConfig = Object.values(stack.json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    expect(messages.summary).toEqual({ add: resourcesInConfig, change: 0, remove: 0 });
    expect(messages.changes).toHaveLength(resourcesInConfig);
    for (const change of messages.changes) expect(change.action, change.addr).toBe('create');
  }, 240_000);

  it('fails the same plan command on a value only the provider validates', async () => {
    const stack = awsStacks[0]!;
    const work = prepareOfflineWorkdir(stack.dir);
    // SQS takes a visibility timeout of at most 12 hours; the provider schema says so, not terraform's types.
    writeFileSync(join(work, 'invalid.tf.json'), JSON.stringify({ resource: { aws_sqs_queue: { out_of_range: { visibility_timeout_seconds: 99_999 } } } }));
    expect((await terraform(setup, work, ['init', '-input=false'])).status).toBe(0);
    const plan = await terraform(setup, work, ['plan', '-input=false', '-lock=false', '-detailed-exitcode', '-json']);
    expect(plan.status).toBe(1);
    expect(planMessages(plan.stdout).errors.join('\n')).toMatch(/visibility_timeout_seconds/);
  }, 240_000);
});

interface PlanMessages {
  readonly errors: string[];
  readonly summary: { add: number; change: number; remove: number } | undefined;
  readonly changes: Array<{ addr: string; action: string }>;
}

/** Reads terraform's machine-readable UI stream (one JSON message per line, `plan -json`). */
function planMessages(stdout: string): PlanMessages {
  const errors: string[] = [];
  const changes: Array<{ addr: string; action: string }> = [];
  let summary: PlanMessages['summary'];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as {
      type: string;
      diagnostic?: { severity: string; summary: string; detail?: string; address?: string };
      change?: { resource: { addr: string }; action: string };
      changes?: { add: number; change: number; remove: number };
    };
    if (m.type === 'diagnostic' && m.diagnostic?.severity === 'error') errors.push(`${m.diagnostic.address ?? ''} ${m.diagnostic.summary}: ${m.diagnostic.detail ?? ''}`);
    if (m.type === 'planned_change' && m.change) changes.push({ addr: m.change.resource.addr, action: m.change.action });
    if (m.type === 'change_summary' && m.changes) summary = { add: m.changes.add, change: m.changes.change, remove: m.changes.remove };
  }
  return { errors, summary, changes };
}
