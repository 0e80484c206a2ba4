/**
 * Rule family "Key policies" (CK-KEY-POLICIES) beyond the one case in rules.test.ts: the bundled
 * stacks with a publisher dropped from the alert key, and each kind of encrypted resource with a
 * compliant and a violating user (issue 15, defects 3 and 5).
 */
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { App, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import type { CheckedResource } from '../../../constructs/policies/policy-rule';
import { keyPolicies } from '../../../constructs/policies/rules/key-policies';
import { resourcesOf, synthesizeDir, type TerraformJson } from '../../helpers/synth';

/** The resources and providers of a rendered stack, as the policy check hands them to the rules. */
function checkedResources(json: TerraformJson): CheckedResource[] {
  const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({ stackId: 's', address: `${type}.${name}`, type, path: '', config })),
  );
  const providers = Object.entries(json.provider ?? {}).map(([name, configs]) => ({ stackId: 's', address: `provider.${name}`, type: `${name}_provider`, path: '', config: configs[0] ?? {} }));
  return [...resources, ...providers];
}

const findings = (json: TerraformJson) => keyPolicies.checkStack!(checkedResources(json)).map((f) => `${f.resource.address}: ${f.problem}`);

function built(build: (stack: TerraformStack) => void): string[] {
  const stack = new TerraformStack(new App({ outdir: '/tmp/celerykit-key-policy-tests' }), 'keys');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  return findings(stack.toTerraform() as TerraformJson);
}

const ROOT = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
const keyWith = (stack: TerraformStack, ...statements: object[]) => new KmsKey(stack, 'key', { policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });

describe('CK-KEY-POLICIES on the bundled AWS stacks', () => {
  const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

  it.each(stacks.map((s) => [s.spec.stackId, s.json] as const))('%s: every publisher of the alert topic may use its key', (_id, json) => {
    expect(findings(json)).toEqual([]);
  });

  it.each([
    ['CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com', /through aws_cloudwatch_metric_alarm\.\S+ and \d+ more\)/],
    ['ManagedPrometheusPublishes', 'aps.amazonaws.com', /through aws_sns_topic_policy\.\S+\)/],
  ])('finds the dropped publisher when the key policy loses %s', (sid, service, via) => {
    const json = structuredClone(stacks[0]!.json);
    const [key] = Object.values(resourcesOf(json, 'aws_kms_key'));
    const policy = JSON.parse(String(key!.policy)) as { Statement: Array<{ Sid: string }> };
    key!.policy = JSON.stringify({ ...policy, Statement: policy.Statement.filter((s) => s.Sid !== sid) });
    const lines = findings(json);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^aws_kms_key\\.\\S+: ${service.replace(/\./g, '\\.')} uses aws_sns_topic\\.\\S+ `));
    expect(lines[0]).toMatch(via);
    expect(lines[0]).toMatch(/but the key policy does not give it kms:GenerateDataKey, kms:Decrypt$/);
  });
});

/** A secret under the stack key, injected by a task whose execution role may read it, plus `extra` statements for that role. */
function injectedSecret(stack: TerraformStack, key: KmsKey, extra: object[] = []): void {
  const secret = new SecretsmanagerSecret(stack, 'secret', { name: 'db', kmsKeyId: key.arn });
  const role = new IamRole(stack, 'exec', { name: 'exec', assumeRolePolicy: '{}' });
  const statements = [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret.arn] }, ...extra];
  new IamRolePolicy(stack, 'exec-policy', { role: role.id, policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
  new EcsTaskDefinition(stack, 'task', { family: 'f', executionRoleArn: role.arn, containerDefinitions: JSON.stringify([{ name: 'app', image: 'i:1', secrets: [{ name: 'DB', valueFrom: secret.arn }] }]) });
}

describe('CK-KEY-POLICIES for a secret under a key of the stack', () => {
  const decrypt = (key: KmsKey) => ({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key.arn], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } });

  it('passes an execution role granted kms:Decrypt on the key by its IAM policy', () => {
    expect(built((s) => { const key = keyWith(s, ROOT); injectedSecret(s, key, [decrypt(key)]); })).toEqual([]);
  });

  it('passes an execution role the key policy names', () => {
    expect(built((s) => {
      const key = new KmsKey(s, 'key', { policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\${aws_iam_role.exec.arn}"},"Action":"kms:Decrypt","Resource":"*"}]}` });
      injectedSecret(s, key);
    })).toEqual([]);
  });

  it('names an execution role that injects the secret without the key', () => {
    expect(built((s) => injectedSecret(s, keyWith(s, ROOT)))).toEqual([
      'aws_kms_key.key: aws_iam_role.exec uses aws_secretsmanager_secret.secret (through aws_iam_role_policy.exec-policy and 1 more), but neither its IAM policy nor the key policy gives it kms:Decrypt',
    ]);
  });

  it('names a role whose IAM grant the key policy does not admit (no account root statement)', () => {
    expect(built((s) => { const key = keyWith(s, { Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }); injectedSecret(s, key, [decrypt(key)]); })).toEqual([
      'aws_kms_key.key: aws_iam_role.exec uses aws_secretsmanager_secret.secret (through aws_iam_role_policy.exec-policy and 1 more), but neither its IAM policy nor the key policy gives it kms:Decrypt',
    ]);
  });
});

describe('CK-KEY-POLICIES for a log group under a key of the stack', () => {
  const LOGS_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];
  const logs = (condition?: object) => ({ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: LOGS_ACTIONS, Resource: '*', ...(condition ? { Condition: condition } : {}) });
  const group = (s: TerraformStack, key: KmsKey) => new CloudwatchLogGroup(s, 'logs', { name: '/app', retentionInDays: 30, kmsKeyId: key.arn });

  it('passes a key that admits CloudWatch Logs of the region for this log group', () => {
    expect(built((s) => group(s, keyWith(s, ROOT, logs({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:/app' } }))))).toEqual([]);
  });

  it('names CloudWatch Logs when the key does not admit it', () => {
    expect(built((s) => group(s, keyWith(s, ROOT)))).toEqual([
      'aws_kms_key.key: logs.eu-west-1.amazonaws.com uses aws_cloudwatch_log_group.logs (through aws_cloudwatch_log_group.logs), but the key policy does not give it kms:Encrypt, kms:Decrypt, kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:DescribeKey',
    ]);
  });

  it('names a grant to CloudWatch Logs that is not held to the log group by its encryption context', () => {
    expect(built((s) => group(s, keyWith(s, ROOT, logs())))).toEqual([
      'aws_kms_key.key: logs.eu-west-1.amazonaws.com uses aws_cloudwatch_log_group.logs (through aws_cloudwatch_log_group.logs), but the key policy does not give it a kms:EncryptionContext:aws:logs:arn condition',
    ]);
  });
});

describe('CK-KEY-POLICIES for a queue under a key of the stack', () => {
  const deadLetters = (s: TerraformStack, keyId: string) => {
    const queue = new SqsQueue(s, 'dlq', { name: 'dlq', kmsMasterKeyId: keyId });
    const rule = new CloudwatchEventRule(s, 'rule', { name: 'r', scheduleExpression: 'rate(1 hour)' });
    new CloudwatchEventTarget(s, 'target', { rule: rule.name, arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c', deadLetterConfig: { arn: queue.arn } });
  };

  it('names EventBridge when it sends dead letters to the queue without the key', () => {
    expect(built((s) => deadLetters(s, keyWith(s, ROOT).arn))).toEqual([
      'aws_kms_key.key: events.amazonaws.com uses aws_sqs_queue.dlq (through aws_cloudwatch_event_target.target), but the key policy does not give it kms:GenerateDataKey, kms:Decrypt',
    ]);
  });

  it('follows a key named through its alias, by reference or by name', () => {
    const expected = ['aws_kms_key.key: events.amazonaws.com uses aws_sqs_queue.dlq (through aws_cloudwatch_event_target.target), but the key policy does not give it kms:GenerateDataKey, kms:Decrypt'];
    const throughAlias = (byName: boolean) => (s: TerraformStack) => {
      const alias = new KmsAlias(s, 'alias', { name: 'alias/dlq', targetKeyId: keyWith(s, ROOT).keyId });
      deadLetters(s, byName ? 'alias/dlq' : alias.name);
    };
    expect(built(throughAlias(false))).toEqual(expected);
    expect(built(throughAlias(true))).toEqual(expected);
  });

  it('passes EventBridge named in the key policy', () => {
    expect(built((s) => deadLetters(s, keyWith(s, ROOT, { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' }).arn))).toEqual([]);
  });
});
