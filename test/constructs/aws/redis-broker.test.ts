/**
 * The ElastiCache broker: never evicts, survives a zone, encrypted, one RBAC user per component
 * with the default user off, snapshots, protected from destroy.
 */
import { describe, expect, it } from 'vitest';
import { parameterGroupFamily } from '../../../constructs/aws/redis-broker';
import { DISABLED_DEFAULT_ACCESS_STRING, redisUsers } from '../../../constructs/celery/redis-users';
import { redisCredentialReads } from '../../../constructs/policies/rules/apply-order';
import { editBase } from '../../helpers/parameter-files';
import { onlyResource, resourcesOf, synthesizeDir, synthesizeYaml } from '../../helpers/synth';

const acme = synthesizeDir().find((s) => s.spec.stackId === 'acme-prod')!.json;
const group = onlyResource(acme, 'aws_elasticache_replication_group');

describe('the AWS redis broker', () => {
  it('never evicts keys: its parameter group sets maxmemory-policy noeviction', () => {
    const parameters = onlyResource(acme, 'aws_elasticache_parameter_group');
    expect(parameters.family).toBe('valkey8');
    expect(parameters.parameter).toEqual([{ name: 'maxmemory-policy', value: 'noeviction' }]);
    expect(String(group.parameter_group_name)).toMatch(/^\$\{aws_elasticache_parameter_group\.[^.]+\.name\}$/);
  });

  it('runs valkey with replicas in other zones, Multi-AZ and automatic failover', () => {
    expect(group).toMatchObject({ engine: 'valkey', engine_version: '8.0', node_type: 'cache.m7g.large', num_cache_clusters: 3, multi_az_enabled: true, automatic_failover_enabled: true });
    expect(group.preferred_cache_cluster_azs).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('encrypts at rest and in transit and admits only the users of its user group, with no AUTH token', () => {
    expect(group).toMatchObject({ at_rest_encryption_enabled: 'true', transit_encryption_enabled: true, transit_encryption_mode: 'required' });
    expect(group.auth_token).toBeUndefined();
    // An upgraded stack drops its token in the change that adds the user group.
    expect(group.auth_token_update_strategy).toBe('DELETE');
    const userGroup = onlyResource(acme, 'aws_elasticache_user_group');
    expect(group.user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\.[^.]+\.user_group_id\}$/)]);
    expect(userGroup).toMatchObject({ user_group_id: 'acme-prod-broker', engine: 'redis' });
  });

  it('has one password user per component and a default user that is off', () => {
    const users = Object.values(resourcesOf(acme, 'aws_elasticache_user'));
    const byName = Object.fromEntries(users.map((u) => [u.user_name, u]));
    expect(Object.keys(byName).sort()).toEqual(['celery-app', 'celery-exporter', 'celery-flower', 'default']);
    const spec = synthesizeDir().find((s) => s.spec.stackId === 'acme-prod')!.spec;
    for (const u of redisUsers(spec)) {
      expect(byName[u.name]).toMatchObject({ engine: 'redis', access_string: u.accessString, authentication_mode: { type: 'password' } });
      expect((byName[u.name]!.authentication_mode as { passwords: string[] }).passwords).toEqual([expect.stringMatching(/^\$\{terraform_data\.[^.]+\.output\.value\}$/)]);
    }
    expect(byName.default).toMatchObject({ access_string: DISABLED_DEFAULT_ACCESS_STRING, authentication_mode: { type: 'password' } });
    expect(DISABLED_DEFAULT_ACCESS_STRING.split(' ')[0]).toBe('off');
    const passwords = users.map((u) => JSON.stringify((u.authentication_mode as { passwords: string[] }).passwords));
    expect(new Set(passwords).size).toBe(users.length);
    // The group names every user by reference, so Terraform creates the users first.
    const userGroup = onlyResource(acme, 'aws_elasticache_user_group');
    expect((userGroup.user_ids as string[]).length).toBe(4);
    expect((userGroup.user_ids as string[]).every((id) => /^\$\{aws_elasticache_user\.[^.]+\.user_id\}$/.test(id))).toBe(true);
  });

  it('gives the exporter and Flower URL secrets of their own users, and the app the broker URL', () => {
    const versions = Object.values(resourcesOf(acme, 'aws_secretsmanager_secret_version')).map((v) => String(v.secret_string));
    for (const role of ['app', 'exporter', 'flower']) {
      expect(versions.filter((v) => v.startsWith(`rediss://\${aws_elasticache_user.`) && new RegExp(`user-${role}_[0-9A-F]+\\.user_name\\}:`).test(v))).toHaveLength(1);
    }
    expect(versions.some((v) => v.startsWith('rediss://:'))).toBe(false);
  });

  it('is read by the policy pack as one user per starter, the exporter as celery-exporter, and nothing as default', () => {
    const resources = Object.entries(acme.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, Record<string, unknown>>).map(([name, config]) => ({ stackId: 'acme-prod', type, address: `${type}.${name}`, path: name, config })),
    );
    const reads = redisCredentialReads(resources);
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.every((r) => r.users.length <= 1 && r.asDefault.length === 0)).toBe(true);
    expect(new Set(reads.flatMap((r) => r.users))).toEqual(new Set(['celery-app', 'celery-exporter', 'celery-flower']));
    expect(reads.filter((r) => r.starter.address.includes('exporter')).map((r) => r.users)).toEqual([['celery-exporter']]);
  });

  it('keeps the former AUTH token in Secrets Manager, so that upgrading deletes no secret', () => {
    const secrets = Object.values(resourcesOf(acme, 'aws_secretsmanager_secret'));
    const token = secrets.find((s) => s.name === 'celerykit/acme-prod/redis-auth-token');
    expect(token).toMatchObject({ recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });

  it('takes daily snapshots for a week, a final snapshot on delete, and refuses to be destroyed', () => {
    expect(group).toMatchObject({ snapshot_retention_limit: 7, final_snapshot_identifier: 'acme-prod-broker-final', lifecycle: { prevent_destroy: true } });
  });

  it('sits in the private subnets behind only the broker security group', () => {
    const subnets = onlyResource(acme, 'aws_elasticache_subnet_group');
    expect((subnets.subnet_ids as string[]).every((id) => /^\$\{aws_subnet\.[^.]*private[^.]*\.id\}$/.test(id))).toBe(true);
    expect(group.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.[^.]*broker[^.]*\.id\}$/)]);
  });

  it('uses redis OSS 7.1 and its parameter family when the file asks for engine redis', () => {
    const json = synthesizeYaml(editBase({ 9: '  kind: redis\n  engine: redis\n  replicas: 1' })).json;
    expect(onlyResource(json, 'aws_elasticache_replication_group')).toMatchObject({ engine: 'redis', engine_version: '7.1', num_cache_clusters: 2 });
    expect(onlyResource(json, 'aws_elasticache_parameter_group').family).toBe('redis7');
  });

  it('names parameter families by engine and major version', () => {
    expect([parameterGroupFamily('valkey', '7.2'), parameterGroupFamily('valkey', '8.0'), parameterGroupFamily('redis', '6.2'), parameterGroupFamily('redis', '7.1')]).toEqual([
      'valkey7',
      'valkey8',
      'redis6.x',
      'redis7',
    ]);
  });
});
