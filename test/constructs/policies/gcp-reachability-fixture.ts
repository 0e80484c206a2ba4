/**
 * A Memorystore broker, its URL in a secret, one VM template that reads it (tag `client`), and the
 * egress rule admitting the tags it is given: the CK-NET-REACH-GCP rule case.
 */
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { MemorystoreInstance } from '@cdktf/provider-google/lib/memorystore-instance';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Token, type TerraformStack } from 'cdktf';

export function brokerClientStack(stack: TerraformStack, admittedTags: string[]): void {
  const valkey = new MemorystoreInstance(stack, 'valkey', { instanceId: 'v', location: 'europe-west1', shardCount: 1 });
  const url = new SecretManagerSecret(stack, 'url', { secretId: 'url', replication: { auto: {} } });
  const value = new SecretManagerSecretVersion(stack, 'url-value', { secret: url.id, secretData: `rediss://\${${valkey.fqn}.endpoints[0].connections[0].psc_auto_connection[0].ip_address}:6379/0` });
  new ComputeInstanceTemplate(stack, 'template', {
    machineType: 'e2-small',
    disk: [{ sourceImage: 'cos-cloud/cos-stable', boot: true }],
    networkInterface: [{ subnetwork: 's' }],
    tags: ['client'],
    metadata: { 'startup-script': `value=$(secret ${url.secretId})` },
    dependsOn: [value],
  });
  new ComputeFirewall(stack, 'clients', {
    name: 'clients',
    network: 'n',
    direction: 'EGRESS',
    destinationRanges: Token.asList(`\${[for c in flatten(${valkey.fqn}.endpoints[*].connections) : format("%s/32", c.psc_auto_connection[0].ip_address)]}`),
    targetTags: admittedTags,
    allow: [{ protocol: 'tcp', ports: ['6379'] }],
  });
}
