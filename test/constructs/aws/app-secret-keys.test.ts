/**
 * App secrets on AWS: referenced by their full ARN only, and readable at task start even when a
 * customer managed key encrypts them (issue 15, defect 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../../helpers/parameter-files';
import { containersOf, resourcesOf, synthesizeYaml, type SynthesizedStack } from '../../helpers/synth';

const DB = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db-backup-Q1w2E3';
const STRIPE = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/stripe-Zx81Qp';
const REPORTS = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/reports-token-Hh7Kk2';
const EU_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0b7d3c1e-5a2f-4c8e-9d61-2f4a8b3e7c55';
const US_KEY = 'arn:aws:kms:us-east-1:123456789012:key/7a1e2d3c-4b5a-4f6e-8d7c-9b0a1c2d3e4f';

const SECRETS = [
  '  module: myapp',
  '  secrets:',
  `    DATABASE_URL: ${DB}`,
  '    STRIPE_API_KEY:',
  `      secret: ${STRIPE}`,
  `      kmsKeyArn: ${EU_KEY}`,
  '    REPORTS_TOKEN:',
  `      secret: ${REPORTS}`,
  `      kmsKeyArn: ${US_KEY}`,
].join('\n');

/** Each task definition that injects an app secret, with the inline policy of its execution role. */
function injectingTasks(stack: SynthesizedStack): Array<{ family: string; statements: Array<Record<string, unknown>> }> {
  const policies = Object.values(resourcesOf(stack.json, 'aws_iam_role_policy'));
  return Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition'))
    .filter((t) => containersOf(t).some((c) => ((c.secrets ?? []) as Array<{ valueFrom: string }>).some((s) => s.valueFrom === DB)))
    .map((t) => {
      const role = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(String(t.execution_role_arn))![1];
      const policy = policies.find((p) => p.role === `\${aws_iam_role.${role}.id}`)!;
      return { family: String(t.family), statements: (JSON.parse(String(policy.policy)) as { Statement: Array<Record<string, unknown>> }).Statement };
    });
}

describe('app secrets under a customer managed key', () => {
  // Synthesized in the tests, so a loader that refuses the file fails them instead of the collection.
  let withSchedules: SynthesizedStack;
  let withBeat: SynthesizedStack;
  beforeAll(() => {
    withSchedules = synthesizeYaml(editBase({ 7: SECRETS }));
    withBeat = synthesizeYaml(editBase({ 7: SECRETS, 22: 'beat: singleton', 23: '', 24: '', 25: '' }));
  });

  it.each([
    ['pools and the scheduled call', () => withSchedules, ['acme-prod-fast', 'acme-prod-batch', 'acme-prod-scheduled-call']],
    ['pools and beat', () => withBeat, ['acme-prod-fast', 'acme-prod-batch', 'acme-prod-beat']],
  ] as const)('let every execution role that injects them decrypt with their keys, only through Secrets Manager in the secret’s region (%s)', (_name, stack, families) => {
    const tasks = injectingTasks(stack());
    expect(tasks.map((t) => t.family).sort()).toEqual([...families].sort());
    for (const { statements } of tasks) {
      expect(statements.filter((s) => (s.Action as string[]).some((a) => a.startsWith('kms:')))).toEqual([
        { Sid: 'DecryptInjectedSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [EU_KEY], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } },
        { Sid: 'DecryptInjectedSecrets2', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [US_KEY], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } },
      ]);
    }
  });

  it('are injected and read by exactly the ARN in the file, so a name ending in "-" and six characters is never cut into a partial ARN', () => {
    for (const t of Object.values(resourcesOf(withSchedules.json, 'aws_ecs_task_definition'))) {
      for (const container of containersOf(t)) {
        const app = ((container.secrets ?? []) as Array<{ name: string; valueFrom: string }>).filter((s) => s.valueFrom.startsWith('arn:'));
        if (app.length > 0) expect(app).toEqual([{ name: 'DATABASE_URL', valueFrom: DB }, { name: 'STRIPE_API_KEY', valueFrom: STRIPE }, { name: 'REPORTS_TOKEN', valueFrom: REPORTS }]);
      }
    }
    for (const { statements } of injectingTasks(withSchedules)) {
      expect(statements.find((s) => s.Sid === 'InjectSecrets')!.Resource).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\./), DB, STRIPE, REPORTS]);
    }
  });

  it('give no KMS grant when no secret names a key', () => {
    const stack = synthesizeYaml(editBase({ 7: `  module: myapp\n  secrets:\n    DATABASE_URL: ${DB}` }));
    for (const { statements } of injectingTasks(stack)) expect(statements.some((s) => (s.Action as string[]).some((a) => a.startsWith('kms:')))).toBe(false);
  });
});

describe('an app secret on AWS', () => {
  it('given by name is refused, with the command that prints its ARN', () => {
    expect(problemLines(editBase({ 7: '  module: myapp\n  secrets:\n    DATABASE_URL: acme/prod/db-backup' }))).toEqual([
      'FILE:9: error: app.secrets.DATABASE_URL: "acme/prod/db-backup" is a secret name; ECS needs the full ARN, and an ARN derived from a name points at the wrong secret when the name ends in "-" and six characters. Fix: write the secret\'s full ARN, six-character suffix included (`aws secretsmanager describe-secret --secret-id acme/prod/db-backup --query ARN`).',
    ]);
  });

  it('given as an ARN without the six-character suffix is refused', () => {
    expect(problemLines(editBase({ 7: '  module: myapp\n  secrets:\n    DATABASE_URL: arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db' }))).toEqual([
      'FILE:9: error: app.secrets.DATABASE_URL: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db" is not a complete Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>). Fix: copy the full ARN (`aws secretsmanager describe-secret --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/prod/db --query ARN`).',
    ]);
  });

  it('with a key alias instead of a key ARN is refused', () => {
    expect(problemLines(editBase({ 7: `  module: myapp\n  secrets:\n    DATABASE_URL:\n      secret: ${DB}\n      kmsKeyArn: alias/acme-secrets` }))).toEqual([
      'FILE:11: error: app.secrets.DATABASE_URL.kmsKeyArn: "alias/acme-secrets" is not the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>); an alias or key id cannot be granted in an IAM policy. Fix: write the key ARN (`aws kms describe-key --key-id alias/acme-secrets --query KeyMetadata.Arn`).',
    ]);
  });
});
