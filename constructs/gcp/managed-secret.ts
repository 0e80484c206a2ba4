/**
 * A Secret Manager secret the kit owns (a generated password, a broker URL, a CA certificate),
 * replicated automatically and protected from accidental destroy.
 */
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { SecretValueRegistry } from '../celery/start-order';

const VALUES = new WeakMap<TerraformStack, SecretValueRegistry<SecretManagerSecretVersion>>();

/**
 * The kit-owned secret values of the stack around `scope`, by GcpManagedSecret.reference. A Cloud
 * Run revision whose secret has no version yet fails to deploy, and a VM reads its secrets at boot,
 * so whatever reads a secret waits for its version.
 */
export function gcpSecretValues(scope: Construct): SecretValueRegistry<SecretManagerSecretVersion> {
  const stack = TerraformStack.of(scope);
  if (!VALUES.has(stack)) VALUES.set(stack, new SecretValueRegistry());
  return VALUES.get(stack)!;
}

export interface GcpManagedSecretProps {
  /** Secret id, e.g. `initech-prod-broker-url`. */
  readonly secretId: string;
  /** The value; a Terraform expression is fine. */
  readonly value: string;
}

export class GcpManagedSecret extends Construct {
  readonly secret: SecretManagerSecret;
  readonly secretId: string;
  /** The secret id as a reference to the secret; pass this to consumers so they are created after the secret and its value. */
  readonly reference: string;
  readonly version: SecretManagerSecretVersion;

  constructor(scope: Construct, id: string, props: GcpManagedSecretProps) {
    super(scope, id);
    this.secretId = props.secretId;
    this.secret = new SecretManagerSecret(this, 'secret', {
      secretId: props.secretId,
      replication: { auto: {} },
      deletionProtection: true,
      lifecycle: { preventDestroy: true },
    });
    this.version = new SecretManagerSecretVersion(this, 'value', { secret: this.secret.id, secretData: props.value });
    this.reference = this.secret.secretId;
    gcpSecretValues(this).register(this.reference, this.version);
  }
}
