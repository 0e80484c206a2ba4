/**
 * Upgrading a deployed Redis stack from the AUTH token to per-component users, planned by the
 * real terraform CLI offline: acme-prod as the kit made it before (AUTH token on the replication
 * group, one broker URL shared by every component, no users) is converged into a state, and the
 * current configuration is planned against it. The plan must change the replication group in
 * place (no replacement: it holds the queued tasks), delete nothing for good (two task definitions
 * and the URL's secret version are replaced, as any change of their values does), and pass
 * `celerykit guard`.
 * Outside CI a machine without terraform skips this file (and says why); in CI it fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeParameterFiles } from '../helpers/parameter-files';
import { runAsync } from '../helpers/run';
import { synthesizeDir } from '../helpers/synth';
import { convergeState, planJson } from './converged-state';
import { findTerraform, prepareOfflineWorkdir, terraform, type TerraformSetup } from './terraform-harness';

const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && !inCi) console.warn(`[skipped] Redis RBAC upgrade plan: ${missing}`);

const repo = resolve(__dirname, '../..');
const EXAMPLE = readFileSync(join(repo, 'customers', 'acme-prod.yaml'), 'utf8');

type Config = { resource: Record<string, Record<string, Record<string, unknown>>> };

/**
 * The configuration the kit wrote before per-component users, rebuilt from today's: the users,
 * their group and passwords, and the exporter's and Flower's own URL secrets removed (they read
 * the shared `broker-url`), the replication group on the AUTH token, the URL without a user name.
 */
function beforeRbac(current: string): string {
  const config = JSON.parse(current) as Config;
  const r = config.resource;
  const only = (type: string, part: string) => Object.keys(r[type] ?? {}).filter((n) => n.includes(part));
  const one = (type: string, part: string) => {
    const names = only(type, part);
    if (names.length !== 1) throw new Error(`expected one ${type} named like ${part}, found ${names.join(', ') || 'none'}`);
    return names[0]!;
  };
  const token = one('terraform_data', 'auth-token');
  const group = one('aws_elasticache_replication_group', 'replication-group');
  const shared = one('aws_secretsmanager_secret', 'broker-url_secret');
  const sharedVersion = one('aws_secretsmanager_secret_version', 'broker-url_value');
  delete r.aws_elasticache_user;
  delete r.aws_elasticache_user_group;
  for (const name of only('terraform_data', '-password')) delete r.terraform_data![name];
  const renames: Array<[string, string]> = [];
  for (const role of ['exporter', 'flower']) {
    const secret = one('aws_secretsmanager_secret', `broker-url-${role}_secret`);
    const version = one('aws_secretsmanager_secret_version', `broker-url-${role}_value`);
    delete r.aws_secretsmanager_secret![secret];
    delete r.aws_secretsmanager_secret_version![version];
    renames.push([`aws_secretsmanager_secret.${secret}`, `aws_secretsmanager_secret.${shared}`], [`aws_secretsmanager_secret_version.${version}`, `aws_secretsmanager_secret_version.${sharedVersion}`]);
  }
  const rg = r.aws_elasticache_replication_group![group]!;
  delete rg.user_group_ids;
  delete rg.auth_token_update_strategy;
  rg.auth_token = `\${terraform_data.${token}.output.value}`;
  r.aws_secretsmanager_secret_version![sharedVersion]!.secret_string = `rediss://:\${terraform_data.${token}.output.value}@\${aws_elasticache_replication_group.${group}.primary_endpoint_address}:6379/0?ssl_cert_reqs=required`;
  let text = JSON.stringify(config, null, 2);
  for (const [from, to] of renames) text = text.replaceAll(from, to);
  if (text.includes('aws_elasticache_user')) throw new Error('a reference to a user is left in the configuration before RBAC');
  return text;
}

describe.skipIf(missing !== undefined && !inCi)('upgrading a deployed Redis stack from the AUTH token to per-component users', () => {
  let setup: TerraformSetup;
  let work: string;
  let protectedConfig: string;
  let parameters: string;

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`CI must plan the Redis RBAC upgrade, but ${missing}`);
    setup = found as TerraformSetup;
    parameters = writeParameterFiles({ 'acme-prod.yaml': EXAMPLE });
    const stackDir = synthesizeDir(parameters)[0]!.dir;
    protectedConfig = readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8');
    // Converged with protection lifted (stand-in ids change while it converges), as in change-guard-plans.test.ts.
    const allowing = writeParameterFiles({ 'acme-prod.yaml': `${EXAMPLE}\nallowDestroy:\n  reason: "TEST-1: converge the state offline"\n` });
    work = prepareOfflineWorkdir(synthesizeDir(allowing)[0]!.dir);
    writeFileSync(join(work, 'cdk.tf.json'), beforeRbac(readFileSync(join(work, 'cdk.tf.json'), 'utf8')));
    const init = await terraform(setup, work, ['init', '-input=false']);
    expect(init.status, init.stderr).toBe(0);
    const statePath = join(work, 'offline.tfstate');
    writeFileSync(statePath, '');
    await convergeState(setup, work, statePath);
  }, 400_000);

  it('changes the replication group in place, drops the token in that change, creates the users and deletes nothing', async () => {
    writeFileSync(join(work, 'cdk.tf.json'), protectedConfig);
    const { status, plan, jsonFile, output } = await planJson(setup, work);
    expect(status, output).toBe(2);
    const changes = plan!.resource_changes.filter((c) => c.change.actions.join() !== 'no-op');
    // Nothing goes away; what is replaced is what any changed value replaces: the task definitions
    // of the exporter and Flower (now naming their own secrets) and the broker URL's version.
    expect(changes.filter((c) => c.change.actions.join() === 'delete').map((c) => c.address)).toEqual([]);
    const replaced = changes.filter((c) => c.change.actions.includes('delete')).map((c) => c.type);
    expect([...new Set(replaced)].sort()).toEqual(['aws_ecs_task_definition', 'aws_secretsmanager_secret_version']);
    expect(replaced).toHaveLength(3);
    const group = changes.find((c) => c.type === 'aws_elasticache_replication_group')!;
    expect(group.change.actions).toEqual(['update']);
    expect(group.change.after).toMatchObject({ auth_token: null, auth_token_update_strategy: 'DELETE' });
    expect(group.change.after).toMatchObject({ user_group_ids: ['acme-prod-broker'] });
    const created = changes.filter((c) => c.change.actions.join() === 'create').map((c) => c.type);
    expect(created.filter((t) => t === 'aws_elasticache_user')).toHaveLength(4);
    expect(created.filter((t) => t === 'aws_elasticache_user_group')).toHaveLength(1);
    expect(created.filter((t) => t === 'aws_secretsmanager_secret')).toHaveLength(2);
    const counts = (actions: string) => changes.filter((c) => c.change.actions.join() === actions).length;
    console.log(`[redis-rbac-upgrade] ${counts('create')} to create, ${counts('update')} to update, ${replaced.length} to replace, 0 to delete; updated: ${[...new Set(changes.filter((c) => c.change.actions.join() === 'update').map((c) => c.type))].join(', ')}`);

    const guard = await runAsync(process.execPath, [join(repo, 'bin', 'celerykit.cjs'), 'guard', jsonFile, '--parameters', parameters], { cwd: repo, timeoutMs: 60_000 });
    expect(guard.status, guard.stderr).toBe(0);
    expect(guard.stdout).toContain('passed, no stateful resource is deleted or replaced');
  }, 180_000);
});
