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

