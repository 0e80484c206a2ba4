/**
 * Minimal GCP stacks for the GCP apply-order rules: a VM template that reads a secret as its own
 * service account, and resources of a stack that turns its APIs on. Each has one switch that
 * breaks the rule.
 */
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import type { ITerraformDependable, TerraformStack } from 'cdktf';

/** A template whose startup script reads a secret; `grant` says whether its account may read it and whether the template waits for that. */
export function secretReadingTemplate(stack: TerraformStack, grant: 'granted' | 'not-waited-for' | 'missing'): void {
  const account = new ServiceAccount(stack, 'account', { accountId: 'reader' });
  const secret = new SecretManagerSecret(stack, 'secret', { secretId: 's', replication: { auto: {} }, deletionProtection: true, lifecycle: { preventDestroy: true } });
  const value = new SecretManagerSecretVersion(stack, 'value', { secret: secret.id, secretData: 'v' });
  const dependsOn: ITerraformDependable[] = [value];
  if (grant !== 'missing') {
    const member = new SecretManagerSecretIamMember(stack, 'grant', { secretId: secret.secretId, role: 'roles/secretmanager.secretAccessor', member: account.member });
    if (grant === 'granted') dependsOn.push(member);
  }
  new ComputeInstanceTemplate(stack, 'template', {
    machineType: 'e2-small',
    disk: [{ sourceImage: 'cos-cloud/cos-stable', boot: true }],
    networkInterface: [{ subnetwork: 's' }],
    serviceAccount: { email: account.email, scopes: ['cloud-platform'] },
    metadata: { 'startup-script': `value=$(secret ${secret.secretId})` },
    dependsOn,
  });
}

/** A network in a stack that turns the Compute API on, created after it unless `withoutOrder`. */
export function apiOrderedStack(stack: TerraformStack, withoutOrder = false): void {
  const compute = new ProjectService(stack, 'compute', { project: 'p', service: 'compute.googleapis.com', disableOnDestroy: false });
  new ComputeNetwork(stack, 'network', { name: 'n', autoCreateSubnetworks: false, dependsOn: withoutOrder ? [] : [compute] });
}
