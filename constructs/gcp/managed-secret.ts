/**
 * A Secret Manager secret the kit owns (a generated password, a broker URL, a CA certificate),
 * replicated automatically and protected from accidental destroy.
 */
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Construct } from 'constructs';

export interface GcpManagedSecretProps {
  /** Secret id, e.g. `initech-prod-broker-url`. */
  readonly secretId: string;
  /** The value; a Terraform expression is fine. */
  readonly value: string;
}

export class GcpManagedSecret extends Construct {
  readonly secret: SecretManagerSecret;
  readonly secretId: string;

  constructor(scope: Construct, id: string, props: GcpManagedSecretProps) {
    super(scope, id);
    this.secretId = props.secretId;
    this.secret = new SecretManagerSecret(this, 'secret', {
      secretId: props.secretId,
      replication: { auto: {} },
      deletionProtection: true,
      lifecycle: { preventDestroy: true },
    });
    new SecretManagerSecretVersion(this, 'value', { secret: this.secret.id, secretData: props.value });
  }
}
