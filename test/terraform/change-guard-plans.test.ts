/**
 * `celerykit guard` on plans made by the real terraform CLI offline, for the acme-prod example
 * (AWS, Valkey broker) as if it were deployed: no change, an in-place update, a broker
 * replacement and a broker deletion. Outside CI a machine without terraform skips this file (and
 * says why); in CI it fails.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeParameterFiles } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { synthesizeDir } from '../helpers/synth';
import { convergeState, editStateAttributes, planJson, type PlanJson } from './converged-state';
import { findTerraform, prepareOfflineWorkdir, terraform, type TerraformSetup } from './terraform-harness';

const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && !inCi) console.warn(`[skipped] change guard on real plans: ${missing}`);

const repo = resolve(__dirname, '../..');
const EXAMPLE = readFileSync(join(repo, 'customers', 'acme-prod.yaml'), 'utf8');

function variant(from: string, to: string): string {
  if (!EXAMPLE.includes(from)) throw new Error(`the acme-prod example no longer contains ${JSON.stringify(from)}`);
  return EXAMPLE.replace(from, to);
}

/** One folder per version of acme-prod's parameter file; each makes the same stack. */
const FILES = {
  protected: EXAMPLE,
  allowing: `${EXAMPLE}\nallowDestroy:\n  reason: "OPS-1234: re-create the broker with encryption at rest; approved by the on-call lead"\n`,
  scaledUp: variant('autoscale: { min: 1, max: 4 }', 'autoscale: { min: 1, max: 6 }'),
  movedToRabbitmq: variant('broker:\n  kind: redis\n  nodeType: cache.m7g.large\n  replicas: 2\n', 'broker:\n  kind: rabbitmq\n'),
};
type Version = keyof typeof FILES;

const REDIS = 'aws_elasticache_replication_group.aws_redis_replication-group_3CA1CE08';

describe.skipIf(missing !== undefined && !inCi)('celerykit guard on real terraform plans of a deployed stack', () => {
  let setup: TerraformSetup;
  let work: string;
  let statePath: string;
  const folders = {} as Record<Version, string>;
  const stackDirs = {} as Record<Version, string>;

  /** Points the work folder at one version's synthesized configuration. */
  const useConfiguration = (version: Version) => copyFileSync(join(stackDirs[version], 'cdk.tf.json'), join(work, 'cdk.tf.json'));

  const guard = (planFile: string, version: Version) =>
    runAsync(process.execPath, [join(repo, 'bin', 'celerykit.cjs'), 'guard', planFile, '--parameters', folders[version]], { cwd: repo, timeoutMs: 60_000 });

  const changed = (plan: PlanJson) => plan.resource_changes.filter((c) => c.change.actions.join() !== 'no-op');

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`CI must run the change guard on real plans, but ${missing}`);
    setup = found as TerraformSetup;
    for (const version of Object.keys(FILES) as Version[]) {
      folders[version] = writeParameterFiles({ 'acme-prod.yaml': FILES[version] });
      stackDirs[version] = synthesizeDir(folders[version])[0]!.dir;
    }
    // The state is built with protection lifted: while it converges, stand-in ids change and
    // terraform plans replacements that prevent_destroy would refuse.
    work = prepareOfflineWorkdir(stackDirs.allowing);
    statePath = join(work, 'offline.tfstate');
    const init = await terraform(setup, work, ['init', '-input=false']);
    expect(init.status, init.stderr).toBe(0);
    writeFileSync(statePath, '');
    await convergeState(setup, work, statePath);
  }, 400_000);

  it('passes a plan with no change', async () => {
    useConfiguration('protected');
    const { status, plan, jsonFile, output } = await planJson(setup, work);
    expect(status, output).toBe(0);
    expect(changed(plan!)).toEqual([]);
    const r = await guard(jsonFile, 'protected');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('acme-prod (');
    expect(r.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to delete');
    expect(r.stdout).toContain('passed, no stateful resource is deleted or replaced');
  }, 120_000);

  it('passes an in-place update (a pool may scale higher)', async () => {
    useConfiguration('scaledUp');
    const { status, plan, jsonFile, output } = await planJson(setup, work);
    expect(status, output).toBe(2);
    const changes = changed(plan!);
    expect(changes.map((c) => [c.type, c.change.actions.join()])).toEqual([['aws_appautoscaling_target', 'update']]);
    const r = await guard(jsonFile, 'scaledUp');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 to create, 1 to update, 0 to replace, 0 to delete');
  }, 120_000);

  it('blocks replacing the broker; prevent_destroy stops the plan already, and allowDestroy lets it through', async () => {
    // A broker created before encryption at rest was on: turning it on forces a new replication group.
    const converged = readFileSync(statePath, 'utf8');
    editStateAttributes(statePath, 'aws_elasticache_replication_group', (a) => (a.at_rest_encryption_enabled = false));
    try {
      useConfiguration('protected');
      const refused = await planJson(setup, work);
      expect(refused.status).toBe(1);
      expect(refused.output).toContain('Instance cannot be destroyed');

      useConfiguration('allowing');
      const { status, plan, jsonFile, output } = await planJson(setup, work);
      expect(status, output).toBe(2);
      const broker = plan!.resource_changes.find((c) => c.address === REDIS)!;
      expect(broker.change.actions).toEqual(['delete', 'create']);

      const blocked = await guard(jsonFile, 'protected');
      expect(blocked.status).toBe(1);
      expect(blocked.stderr).toContain(`BLOCKED  replace  ${REDIS}  (Redis/Valkey broker: queued tasks; forced by at_rest_encryption_enabled)`);
      expect(blocked.stderr).toContain('BLOCKED, 1 stateful resource would be deleted or replaced; do not apply this plan.');
      expect(blocked.stderr).toContain('allowDestroy:');

      const summary = await runAsync(process.execPath, [join(repo, 'bin', 'celerykit.cjs'), 'summary', jsonFile], { cwd: repo, timeoutMs: 60_000 });
      expect(summary.status, summary.stderr).toBe(0);
      expect(summary.stdout).toContain(':warning: **1 stateful resource is deleted or replaced**');
      expect(summary.stdout).toContain(`| :warning: | \`${REDIS}\` | aws_elasticache_replication_group | forced by \`at_rest_encryption_enabled\` |`);

      const allowed = await guard(jsonFile, 'allowing');
      expect(allowed.status, allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain(`ALLOWED  replace  ${REDIS}`);
      expect(allowed.stdout).toContain('OPS-1234');
    } finally {
      writeFileSync(statePath, converged);
    }
  }, 180_000);

  it('blocks deleting the broker when the file switches to RabbitMQ (no prevent_destroy is left to stop it)', async () => {
    useConfiguration('movedToRabbitmq');
    const { status, plan, jsonFile, output } = await planJson(setup, work);
    expect(status, output).toBe(2);
    const deleted = plan!.resource_changes.filter((c) => c.change.actions.join() === 'delete').map((c) => c.type);
    expect(deleted).toContain('aws_elasticache_replication_group');

    const r = await guard(jsonFile, 'movedToRabbitmq');
    expect(r.status).toBe(1);
    const blocked = r.stderr.split('\n').filter((l) => l.includes('BLOCKED  '));
    expect(blocked).toContain(`  BLOCKED  delete   ${REDIS}  (Redis/Valkey broker: queued tasks; no longer in the configuration)`);
    // The broker's AUTH token secret and its generated value go with it; both are listed.
    expect(blocked.some((l) => l.includes('aws_secretsmanager_secret.aws_redis_auth-token-secret'))).toBe(true);
    expect(blocked.some((l) => l.includes('terraform_data.aws_redis_auth-token_value'))).toBe(true);
    expect(blocked.every((l) => / (delete|replace) /.test(l))).toBe(true);
  }, 120_000);
});
