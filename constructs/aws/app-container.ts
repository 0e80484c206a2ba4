/**
 * What every container running the app's code gets: its plain variables, and its secrets
 * injected by ECS from Secrets Manager (the broker URL and the file's `app.secrets`). The
 * execution role that reads those secrets is built from the same list, so the two cannot differ.
 */
import { BROKER_URL_ENV } from '../../spec/defaults';
import type { DeploymentSpec } from '../../spec/types';
import type { PolicyStatement } from './iam';

export interface AppContainerSecrets {
  /** `environment` of an ECS container definition. */
  readonly environment: Array<{ name: string; value: string }>;
  /** `secrets` of an ECS container definition. */
  readonly secrets: Array<{ name: string; valueFrom: string }>;
  /** ARNs the execution role must read to inject exactly these secrets. */
  readonly secretArns: string[];
  /** What else the execution role needs to read them: kms:Decrypt on the customer keys of app secrets. */
  readonly executionStatements: PolicyStatement[];
}

export function appContainerSecrets(spec: DeploymentSpec, brokerUrlSecretArn: string): AppContainerSecrets {
  // Full ARNs only (spec/checks.ts refuses names): ECS and IAM then name exactly one secret.
  const appSecrets = Object.entries(spec.app.secrets);
  return {
    environment: Object.entries(spec.app.env).map(([name, value]) => ({ name, value })),
    secrets: [{ name: BROKER_URL_ENV, valueFrom: brokerUrlSecretArn }, ...appSecrets.map(([name, arn]) => ({ name, valueFrom: arn }))],
    secretArns: [brokerUrlSecretArn, ...appSecrets.map(([, arn]) => arn)],
    executionStatements: secretKeyStatements(spec),
  };
}

/**
 * GetSecretValue on a secret under a customer managed key makes Secrets Manager call kms:Decrypt
 * as the caller, so the execution role needs kms:Decrypt on that key
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz,
 * https://docs.aws.amazon.com/batch/latest/userguide/private-auth-iam.html). kms:ViaService holds the
 * grant to requests Secrets Manager makes in the secret's region, so the role cannot decrypt other
 * data under the same key (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 * Secrets under the AWS managed key aws/secretsmanager need nothing: every principal of the account may use it.
 */
function secretKeyStatements(spec: DeploymentSpec): PolicyStatement[] {
  const keysByService = new Map<string, Set<string>>();
  for (const [name, keyArn] of Object.entries(spec.app.secretKmsKeyArns)) {
    const secretRegion = spec.app.secrets[name]!.split(':')[3]!;
    const service = `secretsmanager.${secretRegion}.amazonaws.com`;
    keysByService.set(service, (keysByService.get(service) ?? new Set()).add(keyArn));
  }
  return [...keysByService].map(([service, keys], i) => ({
    Sid: `DecryptInjectedSecrets${i === 0 ? '' : i + 1}`,
    Effect: 'Allow' as const,
    Action: ['kms:Decrypt'],
    Resource: [...keys].sort(),
    Condition: { StringEquals: { 'kms:ViaService': service } },
  }));
}

/** Pulling the image and writing logs: what every ECS execution role needs. */
export function executionBaseStatements(logGroupArn: string, image: string): PolicyStatement[] {
  const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(image);
  return [
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroupArn}:*`] },
    ...(ecr === null
      ? []
      : [
          // GetAuthorizationToken is account-wide by design: AWS accepts only "*" for it.
          { Sid: 'EcrLogin', Effect: 'Allow' as const, Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
          {
            Sid: 'PullAppImage',
            Effect: 'Allow' as const,
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
            Resource: [`arn:aws:ecr:${ecr[2]}:${ecr[1]}:repository/${ecr[3]}`],
          },
        ]),
  ];
}
