/**
 * Rule family "Key policies": a topic, queue, secret or log group encrypted with a customer managed
 * key of the stack is only usable by those the key lets in. KMS refuses everyone else at run time,
 * long after a valid plan: an alarm's notification is dropped, a task cannot start, a log group
 * refuses events. So for every such resource, each service principal that writes to it must be
 * named in the key policy, and each role that writes or reads it must be granted the key (by its
 * IAM policy, which the key policy admits through the account root, or by the key policy itself).
 *
 * What each needs, from the service documentation:
 * - SNS topic publishers (cloudwatch for alarms, events for rules, aps, ...): kms:GenerateDataKey* and
 *   kms:Decrypt (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * - SQS senders: the same two (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 * - Secret readers (an ECS execution role injecting it): kms:Decrypt
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz).
 * - CloudWatch Logs itself, logs.<region>.amazonaws.com, encrypts and decrypts the group's events: kms:Encrypt*,
 *   kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*, held to the log group by the
 *   kms:EncryptionContext:aws:logs:arn condition (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
import type { CheckedResource, PolicyRule } from '../policy-rule';
import { referencesIn } from '../resource-graph';
import { allowStatements, type PolicyStatement } from './iam-no-wildcards';

/** The argument that names each encrypting type's KMS key. */
const KEY_ARGUMENT: Readonly<Record<string, string>> = {
  aws_sns_topic: 'kms_master_key_id',
  aws_sqs_queue: 'kms_master_key_id',
  aws_secretsmanager_secret: 'kms_key_id',
  aws_cloudwatch_log_group: 'kms_key_id',
};

const PUBLISH = ['kms:GenerateDataKey', 'kms:Decrypt'];
const READ_SECRET = ['kms:Decrypt'];
const LOGS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'];
const LOGS_CONTEXT = 'kms:encryptioncontext:aws:logs:arn';

/** The IAM action that writes to or reads each encrypted type, for roles. */
const USE_ACTION: Readonly<Record<string, { action: string; needs: string[] }>> = {
  aws_sns_topic: { action: 'sns:Publish', needs: PUBLISH },
  aws_sqs_queue: { action: 'sqs:SendMessage', needs: PUBLISH },
  aws_secretsmanager_secret: { action: 'secretsmanager:GetSecretValue', needs: READ_SECRET },
};

/** An Allow statement of a key, topic or queue policy, with its Action as a list. */
type KeyStatement = PolicyStatement & { actions: string[]; Principal?: '*' | { Service?: string | string[]; AWS?: string | string[] } };

/** Someone who must use the key, and why. */
type KeyUser =
  | { kind: 'service'; service: string; needs: string[]; via: string; logGroup?: boolean }
  | { kind: 'role'; role: string; needs: string[]; via: string };

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** True when an IAM action pattern (`kms:GenerateDataKey*`, `kms:*`, `*`) covers `action`. */
function covers(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action));
}

function referencesTo(value: unknown, address: string): boolean {
  if (typeof value === 'string') return referencesIn(value).includes(address);
  if (Array.isArray(value)) return value.some((v) => referencesTo(v, address));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => referencesTo(v, address));
  return false;
}

/** The first resource address of a type that a value references. */
function referenced(value: unknown, type: string): string | undefined {
  return typeof value === 'string' ? referencesIn(value).find((a) => a.startsWith(`${type}.`)) : undefined;
}

function keyStatements(key: CheckedResource): KeyStatement[] {
  return typeof key.config.policy === 'string' ? (allowStatements(key.config) as KeyStatement[]) : [];
}

const principalsOf = (s: KeyStatement, kind: 'Service' | 'AWS') => (s.Principal === '*' ? ['*'] : list(s.Principal?.[kind]));

/** Service principals that write to the encrypted resource, found in the stack. */
function publishingServices(target: CheckedResource, all: readonly CheckedResource[], region: string | undefined): KeyUser[] {
  const users: KeyUser[] = [];
  const add = (service: string, via: CheckedResource) => users.push({ kind: 'service', service, needs: PUBLISH, via: via.address });
  for (const r of all) {
    if (r.type === 'aws_sns_topic_policy' && target.type === 'aws_sns_topic' && referencesTo(r.config.arn, target.address)) {
      for (const s of allowStatements(r.config) as KeyStatement[]) if (covers(s.actions, 'sns:Publish')) principalsOf(s, 'Service').forEach((svc) => add(svc, r));
    }
    if (r.type === 'aws_sqs_queue_policy' && target.type === 'aws_sqs_queue' && referencesTo(r.config.queue_url, target.address)) {
      for (const s of allowStatements(r.config) as KeyStatement[]) if (covers(s.actions, 'sqs:SendMessage')) principalsOf(s, 'Service').forEach((svc) => add(svc, r));
    }
    if (r.type === 'aws_cloudwatch_metric_alarm' && ['alarm_actions', 'ok_actions', 'insufficient_data_actions'].some((k) => referencesTo(r.config[k], target.address))) {
      add('cloudwatch.amazonaws.com', r);
    }
    if (r.type === 'aws_cloudwatch_event_target' && (referencesTo(r.config.arn, target.address) || referencesTo(r.config.dead_letter_config, target.address))) {
      add('events.amazonaws.com', r);
    }
  }
  if (target.type === 'aws_cloudwatch_log_group') {
    users.push({ kind: 'service', service: `logs.${region ?? '<region>'}.amazonaws.com`, needs: LOGS, via: target.address, logGroup: true });
  }
  return users;
}

/** Role addresses that write to or read the encrypted resource: by their IAM policy, or as execution role of a task injecting it. */
function usingRoles(target: CheckedResource, all: readonly CheckedResource[]): KeyUser[] {
  const use = USE_ACTION[target.type];
  if (use === undefined) return [];
  const users: KeyUser[] = [];
  for (const r of all) {
    if (r.type === 'aws_iam_role_policy') {
      const role = referenced(r.config.role, 'aws_iam_role');
      const grants = allowStatements(r.config).some((s) => covers(s.actions, use.action) && referencesTo(s.Resource, target.address));
      if (role !== undefined && grants) users.push({ kind: 'role', role, needs: use.needs, via: r.address });
    }
    if (r.type === 'aws_ecs_task_definition' && target.type === 'aws_secretsmanager_secret') {
      const role = referenced(r.config.execution_role_arn, 'aws_iam_role');
      const containers = JSON.parse(String(r.config.container_definitions ?? '[]')) as Array<{ secrets?: Array<{ valueFrom?: string }> }>;
      const injects = containers.some((c) => (c.secrets ?? []).some((s) => referencesTo(s.valueFrom, target.address)));
      if (role !== undefined && injects) users.push({ kind: 'role', role, needs: use.needs, via: r.address });
    }
  }
  return users;
}

/** The actions of `needs` that the key policy does not give the service (or `[condition]` when a log grant lacks its encryption context). */
function missingForService(user: Extract<KeyUser, { kind: 'service' }>, statements: readonly KeyStatement[]): string[] {
  const matches = (granted: string) => granted === '*' || granted === user.service || (user.service.includes('<region>') && /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(granted));
  const grants = statements.filter((s) => principalsOf(s, 'Service').some(matches));
  const missing = user.needs.filter((a) => !grants.some((s) => covers(s.actions, a)));
  if (missing.length > 0 || !user.logGroup) return missing;
  const bound = grants.every((s) => Object.values(s.Condition ?? {}).some((c) => Object.keys(c).some((k) => k.toLowerCase() === LOGS_CONTEXT)));
  return bound ? [] : [`a ${LOGS_CONTEXT.replace('kms:encryptioncontext', 'kms:EncryptionContext')} condition`];
}

function missingForRole(user: Extract<KeyUser, { kind: 'role' }>, key: CheckedResource, statements: readonly KeyStatement[], all: readonly CheckedResource[]): string[] {
  const roleArn = `\${${user.role}.arn}`;
  const byKeyPolicy = statements.filter((s) => principalsOf(s, 'AWS').some((p) => p === '*' || p.includes(roleArn)));
  // The key policy lets IAM policies grant the key when it allows the account root (the default key policy).
  const iamEnabled = statements.filter((s) => principalsOf(s, 'AWS').some((p) => /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(p)));
  const byIam = all
    .filter((r) => r.type === 'aws_iam_role_policy' && referenced(r.config.role, 'aws_iam_role') === user.role)
    .flatMap((r) => allowStatements(r.config))
    .filter((s) => list(s.Resource).some((res) => res === '*' || referencesIn(res).includes(key.address)));
  return user.needs.filter((a) => !byKeyPolicy.some((s) => covers(s.actions, a)) && !(byIam.some((s) => covers(s.actions, a)) && iamEnabled.some((s) => covers(s.actions, a))));
}

export const keyPolicies: PolicyRule = {
  id: 'CK-KEY-POLICIES',
  title: 'every encrypted topic, queue, secret and log group lets its writers and readers use its key',
  rationale: 'KMS refuses anyone the key does not admit at run time: alarms are dropped, tasks cannot start, logs are refused',
  fix: "name each publishing service in the key policy with the KMS actions it needs, and grant each role that reads or writes the resource those actions on the key's ARN",
  // Listed for the docs; the rule looks at the whole stack (checkStack), as keys and users are separate resources.
  resourceTypes: ['aws_kms_key', ...Object.keys(KEY_ARGUMENT)],
  check: () => undefined,
  checkStack: (resources) => {
    const keys = new Map(resources.filter((r) => r.type === 'aws_kms_key').map((k) => [k.address, k]));
    const aliases = resources.filter((r) => r.type === 'aws_kms_alias');
    /** The stack key a key argument names: by reference to the key, to an alias of it, or by the alias name. */
    const keyOf = (value: unknown): CheckedResource | undefined => {
      const direct = referenced(value, 'aws_kms_key');
      if (direct !== undefined) return keys.get(direct);
      const alias = aliases.find((a) => referenced(value, 'aws_kms_alias') === a.address || (typeof value === 'string' && value === a.config.name));
      const target = alias === undefined ? undefined : referenced(alias.config.target_key_id, 'aws_kms_key');
      return target === undefined ? undefined : keys.get(target);
    };
    const region = resources.find((r) => r.type === 'aws_provider')?.config.region;
    // One finding per key, user and resource, however many alarms or tasks lead to it.
    const findings = new Map<string, { key: CheckedResource; who: string; target: string; how: string; missing: string[]; via: string[] }>();
    for (const target of resources) {
      const argument = KEY_ARGUMENT[target.type];
      const key = argument === undefined ? undefined : keyOf(target.config[argument]);
      if (key === undefined) continue;
      const statements = keyStatements(key);
      for (const user of [...publishingServices(target, resources, typeof region === 'string' ? region : undefined), ...usingRoles(target, resources)]) {
        const missing = user.kind === 'service' ? missingForService(user, statements) : missingForRole(user, key, statements, resources);
        if (missing.length === 0) continue;
        const who = user.kind === 'service' ? user.service : user.role;
        const id = `${key.address} ${who} ${target.address}`;
        const how = user.kind === 'service' ? 'the key policy does not give it' : 'neither its IAM policy nor the key policy gives it';
        const finding = findings.get(id) ?? { key, who, target: target.address, how, missing, via: [] };
        if (!finding.via.includes(user.via)) finding.via.push(user.via);
        findings.set(id, finding);
      }
    }
    return [...findings.values()].map((f) => {
      const via = f.via.length === 1 ? f.via[0] : `${f.via[0]} and ${f.via.length - 1} more`;
      return { resource: f.key, problem: `${f.who} uses ${f.target} (through ${via}), but ${f.how} ${f.missing.join(', ')}` };
    });
  },
};
