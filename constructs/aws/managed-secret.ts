/**
 * A Secrets Manager secret the kit owns: a value Terraform computed (a generated password, a
 * broker URL), protected from accidental destroy and recoverable for 30 days after deletion.
 */
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Construct } from 'constructs';

export interface ManagedSecretProps {
  /** Full secret name, e.g. `celerykit/acme-prod/broker-url`. */
  readonly name: string;
  readonly description: string;
  /** The value; a Terraform expression is fine. */
  readonly value: string;
}

export class ManagedSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
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
    new SecretsmanagerSecretVersion(this, 'value', { secretId: this.secret.id, secretString: props.value });
    this.arn = this.secret.arn;
  }
}
