/**
 * Which kit secrets carry Amazon MQ for RabbitMQ credentials, found on the stack's own
 * configuration: a secret version whose value holds the password of the broker's `user` block
 * (the administrator, the only user Amazon MQ creates), or one that names the broker (its
 * endpoint) with some other password, which is then a user the stack must create itself.
 * Used by CK-BROKER-ADMIN-ISOLATED and CK-ORDER-BROKER-USERS.
 */
import { referencesIn, typeOf, type ResourceAddress } from '../resource-graph';
import { blocks, type CheckedResource } from '../policy-rule';

export interface RabbitmqCredentialSecrets {
  /** Secrets (aws_secretsmanager_secret addresses) whose value holds an administrator's password. */
  readonly admin: ReadonlySet<ResourceAddress>;
  /** Secrets that name a RabbitMQ broker but hold no administrator password: another user's credentials. */
  readonly users: ReadonlySet<ResourceAddress>;
}

export function rabbitmqCredentialSecrets(resources: readonly CheckedResource[]): RabbitmqCredentialSecrets {
  const brokers = resources.filter((r) => r.type === 'aws_mq_broker' && String(r.config.engine_type).toLowerCase() === 'rabbitmq');
  const admin = new Set<ResourceAddress>();
  const users = new Set<ResourceAddress>();
  if (brokers.length === 0) return { admin, users };
  // A generated password is a reference (terraform_data, random_password); a literal is matched as text.
  const passwords = brokers.flatMap((b) => blocks(b.config, 'user').map((u) => String(u.password ?? '')));
  const passwordRefs = new Set(passwords.flatMap((p) => referencesIn(p)));
  const literals = passwords.filter((p) => referencesIn(p).length === 0 && p.length > 0);
  const brokerAddresses = new Set(brokers.map((b) => b.address));
  for (const version of resources.filter((r) => r.type === 'aws_secretsmanager_secret_version')) {
    const value = String(version.config.secret_string ?? '');
    // referencesIn reads references inside calls too: `${jsonencode({password = terraform_data.x.output.value})}`.
    const refs = referencesIn(value);
    const secrets = referencesIn(String(version.config.secret_id ?? '')).filter((a) => typeOf(a) === 'aws_secretsmanager_secret');
    if (refs.some((r) => passwordRefs.has(r)) || literals.some((l) => value.includes(l))) secrets.forEach((s) => admin.add(s));
    else if (refs.some((r) => brokerAddresses.has(r))) secrets.forEach((s) => users.add(s));
  }
  for (const s of admin) users.delete(s);
  return { admin, users };
}


/**
 * The ElastiCache RBAC users behind a stack's Redis/Valkey replication groups (those with
 * `user_group_ids`), and which kit secrets carry whose credentials: a secret version whose value
 * holds a user's password (its `authentication_mode.passwords` or `passwords` reference, or the
 * literal) is that user's URL; one that names the group with no user name (`rediss://:token@`) or
 * as `default` connects as the `default` user. Used by CK-BROKER-USERS-SEPARATE.
 */
export interface RedisCredentialSecrets {
  /** Replication groups with a user group. */
  readonly groups: readonly CheckedResource[];
  /** Secret (aws_secretsmanager_secret address) -> the user names whose password its value holds. */
  readonly users: ReadonlyMap<ResourceAddress, readonly string[]>;
  /** Secrets whose value connects to such a group as `default`. */
  readonly asDefault: ReadonlySet<ResourceAddress>;
  /** `default` users of those groups that are not off. */
  readonly defaultsOn: readonly CheckedResource[];
}

const passwordsOf = (user: CheckedResource): string[] =>
  [...blocks(user.config, 'authentication_mode').flatMap((m) => (m.passwords ?? []) as unknown[]), ...((user.config.passwords ?? []) as unknown[])].map(String).filter((p) => p.length > 0);

export function redisCredentialSecrets(resources: readonly CheckedResource[]): RedisCredentialSecrets {
  const groups = resources.filter((r) => r.type === 'aws_elasticache_replication_group' && ((r.config.user_group_ids ?? []) as unknown[]).length > 0);
  const users = new Map<ResourceAddress, string[]>();
  const asDefault = new Set<ResourceAddress>();
  if (groups.length === 0) return { groups, users, asDefault, defaultsOn: [] };
  const groupRefs = new Set(groups.flatMap((g) => referencesIn(JSON.stringify(g.config.user_group_ids))));
  const userGroups = resources.filter((r) => r.type === 'aws_elasticache_user_group' && groupRefs.has(r.address));
  const userRefs = new Set(userGroups.flatMap((g) => referencesIn(JSON.stringify(g.config.user_ids ?? []))));
  const members = resources.filter((r) => r.type === 'aws_elasticache_user' && userRefs.has(r.address));
  const defaultsOn = members.filter((u) => u.config.user_name === 'default' && String(u.config.access_string ?? '').split(/\s+/).includes('on'));
  const groupAddresses = new Set(groups.map((g) => g.address));
  for (const version of resources.filter((r) => r.type === 'aws_secretsmanager_secret_version')) {
    const value = String(version.config.secret_string ?? '');
    const refs = new Set(referencesIn(value));
    const secrets = referencesIn(String(version.config.secret_id ?? '')).filter((a) => typeOf(a) === 'aws_secretsmanager_secret');
    const holds = members.filter((u) => passwordsOf(u).some((p) => (referencesIn(p).length > 0 ? referencesIn(p).some((r) => refs.has(r)) : value.includes(p))));
    const namesGroup = [...refs].some((r) => groupAddresses.has(r));
    const defaultUrl = namesGroup && /rediss?:\/\/(default)?:/.test(value);
    for (const s of secrets) {
      if (defaultUrl || holds.some((u) => u.config.user_name === 'default')) asDefault.add(s);
      const names = holds.map((u) => String(u.config.user_name)).filter((n) => n !== 'default');
      if (names.length > 0) users.set(s, [...new Set([...(users.get(s) ?? []), ...names])]);
    }
  }
  return { groups, users, asDefault, defaultsOn };
}
