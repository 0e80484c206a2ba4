/**
 * A Secrets Manager secret the kit owns: a value Terraform computed (a generated password, a
 * broker URL), protected from accidental destroy and recoverable for 30 days after deletion.
 */
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { SecretValueRegistry } from '../celery/start-order';

const VALUES = new WeakMap<TerraformStack, SecretValueRegistry<SecretsmanagerSecretVersion>>();

/**
 * The kit-owned secret values of the stack around `scope`, by secret ARN (as ManagedSecret.arn
 * hands it out). A task that injects a secret before its first version exists fails to start
 * ("ResourceInitializationError: unable to pull secrets",
 * https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets), so whatever starts tasks waits
 * for these versions.
 */
export function secretValues(scope: Construct): SecretValueRegistry<SecretsmanagerSecretVersion> {
  const stack = TerraformStack.of(scope);
  if (!VALUES.has(stack)) VALUES.set(stack, new SecretValueRegistry());
  return VALUES.get(stack)!;
}

export interface ManagedSecretProps {
  /** Full secret name, e.g. `celerykit/acme-prod/broker-url`. */
  readonly name: string;
  readonly description: string;
  /** The value; a Terraform expression is fine. */
  readonly value: string;
}

export class ManagedSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  /** The value. The broker URL exists only once the broker does (10-30 min), so consumers wait for this, not the secret. */
  readonly version: SecretsmanagerSecretVersion;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ManagedSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: props.description,
      // 30 days (the maximum) to undo a deletion that slipped past review.
      recoveryWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    this.version = new SecretsmanagerSecretVersion(this, 'value', { secretId: this.secret.id, secretString: props.value });
    this.arn = this.secret.arn;
    secretValues(this).register(this.arn, this.version);
  }
}
