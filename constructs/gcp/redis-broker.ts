/**
 * The Redis-protocol broker on GCP: Memorystore for Valkey in cluster-disabled mode (Celery's
 * Redis transport cannot use Redis Cluster), replicas in other zones, AOF persistence with fsync
 * every second, `noeviction`, TLS with server authentication, deletion protection, reached
 * through a Private Service Connect endpoint in the deployment's subnetwork.
 *
 * Memorystore for Valkey offers no password AUTH (only IAM tokens, which Celery's transport
 * cannot refresh), so access is by network: the endpoint is private, and only VMs with the
 * broker-client tags may send traffic to it (egress firewall rules).
 */
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { MemorystoreInstance } from '@cdktf/provider-google/lib/memorystore-instance';
import { NetworkConnectivityServiceConnectionPolicy } from '@cdktf/provider-google/lib/network-connectivity-service-connection-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { RedisBrokerSpec } from '../../spec/types';
import { GcpManagedSecret } from './managed-secret';
import { gcpBrokerClients, networkTag } from './network-tags';

/** Where workers find the broker's CA certificate (written at start from Secret Manager). */
export const BROKER_CA_PATH = '/etc/celerykit/broker-ca.pem';
export const MEMORYSTORE_PORT = 6379;

export interface GcpRedisBrokerProps {
  readonly stackId: string;
  readonly project: string;
  readonly region: string;
  readonly broker: RedisBrokerSpec;
  readonly networkId: string;
  readonly subnetworkId: string;
  /** Whether the stack runs Flower, which then is a broker client the firewall admits. */
  readonly withFlower: boolean;
  /**
   * Create the network's service connection policy for Memorystore. A network has one per
   * region and service class; turn this off when the network (an existing one) already has it.
   * @default true
   */
  readonly createServiceConnectionPolicy?: boolean;
}

export class GcpRedisBroker extends Construct {
  readonly instance: MemorystoreInstance;
  readonly caSecret: GcpManagedSecret;
  /** `rediss://` URL of the primary endpoint, verifying the server against the instance CA. */
  readonly brokerUrl: string;

  constructor(scope: Construct, id: string, props: GcpRedisBrokerProps) {
    super(scope, id);
    const { stackId, broker } = props;

    const policy =
      props.createServiceConnectionPolicy === false
        ? undefined
        : new NetworkConnectivityServiceConnectionPolicy(this, 'psc-policy', {
            name: `${stackId}-memorystore`,
            location: props.region,
            network: props.networkId,
            serviceClass: 'gcp-memorystore',
            pscConfig: { subnetworks: [props.subnetworkId] },
          });

    this.instance = new MemorystoreInstance(this, 'instance', {
      instanceId: `${stackId}-broker`,
      location: props.region,
      mode: 'CLUSTER_DISABLED',
      shardCount: 1,
      replicaCount: broker.replicas,
      nodeType: broker.nodeType,
      engineVersion: `VALKEY_${broker.engineVersion.replace(/\./g, '_')}`,
      engineConfigs: { 'maxmemory-policy': 'noeviction' },
      persistenceConfig: { mode: 'AOF', aofConfig: { appendFsync: 'EVERY_SEC' } },
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      authorizationMode: 'AUTH_DISABLED',
      zoneDistributionConfig: { mode: 'MULTI_ZONE' },
      desiredAutoCreatedEndpoints: [{ network: props.networkId, projectId: props.project }],
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
      dependsOn: policy === undefined ? undefined : [policy],
    });
    // cdktf would rewrite the hyphenated config key; set it exactly as Memorystore expects.
    this.instance.addOverride('engine_configs', { 'maxmemory-policy': 'noeviction' });

    const primary = `one([for c in flatten(${this.instance.fqn}.endpoints[*].connections) : c.psc_auto_connection[0] if c.psc_auto_connection[0].connection_type == "CONNECTION_TYPE_PRIMARY"])`;
    this.caSecret = new GcpManagedSecret(this, 'ca', {
      secretId: `${stackId}-broker-ca`,
      value: `\${join("\\n", flatten(${this.instance.fqn}.managed_server_ca[0].ca_certs[*].certificates))}`,
    });
    this.brokerUrl = `rediss://\${${primary}.ip_address}:\${${primary}.port}/0?ssl_cert_reqs=required&ssl_ca_certs=${BROKER_CA_PATH}`;

    // PSC endpoints ignore ingress rules; restrict who may send to the endpoints instead. Every
    // endpoint, not only the primary: with replicas the instance also has a reader endpoint (and
    // may have a discovery one), each its own address in the subnetwork (connection_type
    // CONNECTION_TYPE_PRIMARY, _READER, _DISCOVERY in the provider's r/memorystore_instance docs).
    const endpoints = Token.asList(
      `\${[for c in flatten(${this.instance.fqn}.endpoints[*].connections) : format("%s/32", c.psc_auto_connection[0].ip_address) if length(c.psc_auto_connection) > 0]}`,
    );
    new ComputeFirewall(this, 'clients-to-broker', {
      name: `${stackId}-broker-clients`,
      network: props.networkId,
      direction: 'EGRESS',
      priority: 900,
      destinationRanges: endpoints,
      targetTags: gcpBrokerClients(props.withFlower).map((c) => networkTag(stackId, c)),
      allow: [{ protocol: 'tcp', ports: [String(MEMORYSTORE_PORT)] }],
      description: 'Broker clients of this stack may reach the Memorystore endpoints',
    });
    new ComputeFirewall(this, 'others-not-to-broker', {
      name: `${stackId}-broker-deny-others`,
      network: props.networkId,
      direction: 'EGRESS',
      priority: 1000,
      destinationRanges: endpoints,
      deny: [{ protocol: 'all' }],
      description: 'Nothing else in the network may reach the Memorystore endpoints',
    });
  }
}
