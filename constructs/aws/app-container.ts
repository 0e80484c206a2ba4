/**
 * What every container running the app's code gets: its plain variables, and its secrets
 * injected by ECS from Secrets Manager (the broker URL and the file's `app.secrets`). The
 * execution role that reads those secrets is built from the same list, so the two cannot differ.
 */
import { BROKER_URL_ENV } from '../../spec/defaults';
import type { DeploymentSpec } from '../../spec/types';
import { secretArnPattern, type PolicyStatement } from './iam';

export interface AppContainerSecrets {
  /** `environment` of an ECS container definition. */
  readonly environment: Array<{ name: string; value: string }>;
  /** `secrets` of an ECS container definition. */
  readonly secrets: Array<{ name: string; valueFrom: string }>;
  /** ARNs (patterns) the execution role must read to inject exactly these secrets. */
  readonly secretArns: string[];
}

export function appContainerSecrets(spec: DeploymentSpec, brokerUrlSecretArn: string): AppContainerSecrets {
  const appSecrets = Object.entries(spec.app.secrets).map(([variable, name]) => ({ variable, ...secretArnPattern(spec.region, spec.accountId!, name) }));
  return {
    environment: Object.entries(spec.app.env).map(([name, value]) => ({ name, value })),
    secrets: [{ name: BROKER_URL_ENV, valueFrom: brokerUrlSecretArn }, ...appSecrets.map((s) => ({ name: s.variable, valueFrom: s.valueFrom }))],
    secretArns: [brokerUrlSecretArn, ...appSecrets.map((s) => s.iam)],
  };
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
