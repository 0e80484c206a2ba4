/**
 * RabbitMQ on Compute Engine: a regional stateful managed instance group of three COS VMs (one
 * for non-production files), each with a persistent data disk and a static internal IP that
 * survive recreation, forming one cluster by themselves (classic peer discovery over the fixed
 * node addresses), quorum queues by default, `pause_minority` on partitions, credentials and the
 * Erlang cookie generated into Secret Manager, and an internal TCP load balancer for AMQP with
 * health checks. No external IPs; firewall rules admit only the kit's components.
 *
 * AMQP on GCP is not TLS-wrapped by the kit: traffic stays inside the VPC, where Google encrypts
 * VM-to-VM traffic between its facilities; see docs/gcp.md.
 */
import { ComputeAddress } from '@cdktf/provider-google/lib/compute-address';
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeForwardingRule } from '@cdktf/provider-google/lib/compute-forwarding-rule';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { ComputeRegionBackendService } from '@cdktf/provider-google/lib/compute-region-backend-service';
import { ComputeRegionHealthCheck } from '@cdktf/provider-google/lib/compute-region-health-check';
import { ComputeRegionInstanceGroupManager } from '@cdktf/provider-google/lib/compute-region-instance-group-manager';
import { ComputeRegionPerInstanceConfig } from '@cdktf/provider-google/lib/compute-region-per-instance-config';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { RabbitmqBrokerSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { IMAGES } from '../celery/images';
import { COS_IMAGE } from './container-vm-group';
import { containerShutdownScript, containerStartupScript } from './container-vm-scripts';
import { GcpManagedSecret } from './managed-secret';
import { gcpBrokerClients, GOOGLE_HEALTH_CHECK_RANGES, networkTag } from './network-tags';
import { GcpComponentServiceAccount } from './service-account';

export const AMQP_PORT = 5672;
export const RABBITMQ_MANAGEMENT_PORT = 15672;
/** Erlang distribution: epmd, the inter-node port, and the CLI tools' range. */
const CLUSTERING_PORTS = ['4369', '25672', '35672-35682'];
const DATA_DEVICE = 'rabbitmq-data';
const DATA_DIR = '/mnt/disks/rabbitmq';
/** uid/gid of the rabbitmq user in the official image. */
const RABBITMQ_UID = 999;

export interface GcpRabbitmqBrokerProps {
  readonly stackId: string;
  readonly project: string;
  readonly region: string;
  readonly broker: RabbitmqBrokerSpec;
  readonly networkId: string;
  readonly subnetworkId: string;
  readonly zones: readonly string[];
  /** The network's way out (Cloud NAT); the nodes pull the RabbitMQ image through it. */
  readonly egress: readonly ITerraformDependable[];
  /** Whether the stack runs Flower, which then is a broker client the firewall admits. */
  readonly withFlower: boolean;
  /**
   * The broker user the Celery app connects as.
   * @default "celery"
   */
  readonly username?: string;
}

export class GcpRabbitmqBroker extends Construct {
  readonly group: ComputeRegionInstanceGroupManager;
  readonly nodeAddresses: ComputeAddress[];
  readonly loadBalancerAddress: ComputeAddress;
  readonly credentialsSecret: GcpManagedSecret;
  /** `amqp://` URL through the internal load balancer; sensitive, goes only into Secret Manager. */
  readonly brokerUrl: string;

  constructor(scope: Construct, id: string, props: GcpRabbitmqBrokerProps) {
    super(scope, id);
    const { stackId, broker, region } = props;
    const username = props.username ?? 'celery';
    const name = `${stackId}-rabbitmq`;
    const tag = networkTag(stackId, 'rabbitmq');

    const password = new GeneratedSecretValue(this, 'password');
    const cookie = new GeneratedSecretValue(this, 'erlang-cookie');
    this.credentialsSecret = new GcpManagedSecret(this, 'password-secret', { secretId: `${name}-password`, value: password.value });
    const cookieSecret = new GcpManagedSecret(this, 'cookie-secret', { secretId: `${name}-erlang-cookie`, value: cookie.value });

    const account = new GcpComponentServiceAccount(this, 'service-account', {
      project: props.project,
      nameParts: [stackId, 'rabbitmq'],
      description: `celerykit ${stackId}: RabbitMQ nodes`,
      projectRoles: ['roles/logging.logWriter', 'roles/monitoring.metricWriter'],
      secretIds: [this.credentialsSecret.reference, cookieSecret.reference],
    });

    const address = (suffix: string) =>
      new ComputeAddress(this, `address-${suffix}`, {
        name: `${name}-${suffix}`,
        region,
        subnetwork: props.subnetworkId,
        addressType: 'INTERNAL',
        lifecycle: { preventDestroy: true },
      });
    this.nodeAddresses = Array.from({ length: broker.nodes }, (_, i) => address(String(i)));
    this.loadBalancerAddress = address('lb');

    // Node names are the fixed IPs: no DNS to wait for, and a recreated VM comes back with the
    // same name, disk and address, so it rejoins as itself.
    const rabbitmqConf = [
      'cluster_formation.peer_discovery_backend = classic_config',
      ...this.nodeAddresses.map((a, i) => `cluster_formation.classic_config.nodes.${i + 1} = rabbit@${a.address}`),
      // Nodes boot one by one; without these, a quorum queue declared while only some nodes are
      // up keeps just those members. The hint tells the node (and its health checks) how many
      // peers to expect; continuous membership reconciliation (RabbitMQ 3.13+) grows every quorum
      // queue to that size when a node joins, 10 s after the join and hourly after that
      // (https://www.rabbitmq.com/docs/quorum-queues#replica-reconciliation). auto_remove stays off:
      // a recreated node comes back under its own name and disk, so it is never a stranger.
      `cluster_formation.target_cluster_size_hint = ${broker.nodes}`,
      ...(broker.nodes > 1
        ? [
            'quorum_queue.continuous_membership_reconciliation.enabled = true',
            `quorum_queue.continuous_membership_reconciliation.target_group_size = ${broker.nodes}`,
            'quorum_queue.continuous_membership_reconciliation.auto_remove = false',
          ]
        : []),
      'cluster_partition_handling = pause_minority',
      'default_queue_type = quorum',
      `listeners.tcp.default = ${AMQP_PORT}`,
      `management.tcp.port = ${RABBITMQ_MANAGEMENT_PORT}`,
      'vm_memory_high_watermark.relative = 0.6',
      'disk_free_limit.absolute = 2GB',
      'loopback_users.guest = true',
    ].join('\n');
    const metadataIp = "curl -sf -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/network-interfaces/0/ip";

    const startup = containerStartupScript({
      project: props.project,
      name: 'rabbitmq',
      image: IMAGES.rabbitmq,
      command: [],
      env: { RABBITMQ_USE_LONGNAME: 'true' },
      bootEnv: { RABBITMQ_NODENAME: `printf 'rabbit@%s' "$(${metadataIp})"` },
      secretEnv: {},
      stopTimeoutSeconds: 80,
      configFiles: { '/run/celerykit/rabbitmq/conf.d/90-celerykit.conf': rabbitmqConf },
      preRun: [
        `DEV=/dev/disk/by-id/google-${DATA_DEVICE}`,
        'blkid "$DEV" >/dev/null || mkfs.ext4 -m 0 -F -E lazy_itable_init=0,lazy_journal_init=0,discard "$DEV"',
        `mkdir -p ${DATA_DIR}`,
        `mountpoint -q ${DATA_DIR} || mount -o discard,defaults "$DEV" ${DATA_DIR}`,
        `value=$(secret ${cookieSecret.secretId})`,
        `install -m 600 /dev/null ${DATA_DIR}/.erlang.cookie`,
        `printf '%s' "$value" > ${DATA_DIR}/.erlang.cookie`,
        `chown -R ${RABBITMQ_UID}:${RABBITMQ_UID} ${DATA_DIR}`,
        // The password file is readable by the rabbitmq user only.
        `value=$(secret ${this.credentialsSecret.secretId})`,
        `install -m 600 -o ${RABBITMQ_UID} -g ${RABBITMQ_UID} /dev/null /run/celerykit/rabbitmq/conf.d/80-user.conf`,
        `printf 'default_user = %s\\ndefault_pass = %s\\n' '${username}' "$value" > /run/celerykit/rabbitmq/conf.d/80-user.conf`,
      ],
      runOptions: ['--network=host', `-v ${DATA_DIR}:/var/lib/rabbitmq`, '-v /run/celerykit/rabbitmq/conf.d:/etc/rabbitmq/conf.d:ro'],
      // Quorum as the vhost default too: the config key alone does not reach an existing vhost.
      postRun: [
        '(docker exec rabbitmq rabbitmqctl await_startup --timeout 600 && docker exec rabbitmq rabbitmqctl update_vhost_metadata / --default-queue-type quorum) >/dev/null 2>&1 &',
      ],
    });

    const template = new ComputeInstanceTemplate(this, 'template', {
      namePrefix: `${name}-`,
      // The VMs read the cookie and password at boot.
      dependsOn: [...account.startPrerequisites, ...props.egress],
      machineType: broker.instanceType,
      disk: [
        { sourceImage: COS_IMAGE, boot: true, autoDelete: true, diskType: 'pd-balanced', diskSizeGb: 20 },
        { deviceName: DATA_DEVICE, diskType: 'pd-ssd', diskSizeGb: broker.diskSizeGb, autoDelete: false, boot: false, mode: 'READ_WRITE' },
      ],
      networkInterface: [{ subnetwork: props.subnetworkId }],
      tags: [tag],
      serviceAccount: { email: account.email, scopes: ['cloud-platform'] },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: {
        'startup-script': startup,
        'shutdown-script': containerShutdownScript('rabbitmq', 80),
        'google-logging-enabled': 'true',
        'enable-oslogin': 'TRUE',
        'block-project-ssh-keys': 'TRUE',
      },
      scheduling: { provisioningModel: 'STANDARD', automaticRestart: true, onHostMaintenance: 'MIGRATE' },
      lifecycle: { createBeforeDestroy: true },
    });

    const health = new ComputeRegionHealthCheck(this, 'health', {
      name: `${name}-amqp`,
      region,
      checkIntervalSec: 10,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      tcpHealthCheck: { port: AMQP_PORT },
    });

    this.group = new ComputeRegionInstanceGroupManager(this, 'group', {
      name,
      baseInstanceName: name,
      region,
      version: [{ instanceTemplate: template.selfLinkUnique, name: 'primary' }],
      ...(props.zones.length > 0 ? { distributionPolicyZones: [...props.zones] } : {}),
      // No target_size: each per-instance config below calls the group's createInstances
      // (terraform-provider-google google/services/compute/resource_compute_region_per_instance_config.go,
      // Create), which adds its named VM to the group
      // (https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/createInstances).
      // A target_size of 3 as well would start three unnamed VMs beside them, outside the node list.
      // target_size is Optional+Computed in the provider (resource_compute_region_instance_group_manager.go),
      // so left out it is sent as 0 on create and never planned again; ignore_changes keeps any
      // later edit from resizing the group either way.
      statefulDisk: [{ deviceName: DATA_DEVICE, deleteRule: 'NEVER' }],
      autoHealingPolicies: { healthCheck: health.id, initialDelaySec: 600 },
      // Never a rolling update: a template change reaches a node only when it is recreated, which
      // an operator does one node at a time (docs/gcp.md). A regional group refuses a fixed
      // max_unavailable of 1 when it spans more zones (https://issuetracker.google.com/issues/201753226),
      // so the policy cannot say "one" itself; no surge either, since a surge VM would be unnamed.
      updatePolicy: {
        type: 'OPPORTUNISTIC',
        minimalAction: 'RESTART',
        replacementMethod: 'RECREATE',
        maxSurgeFixed: 0,
        maxUnavailableFixed: Math.max(1, props.zones.length > 0 ? props.zones.length : 3),
        instanceRedistributionType: 'NONE',
      },
      lifecycle: { preventDestroy: true, ignoreChanges: ['target_size'] },
    });

    this.nodeAddresses.forEach((nodeAddress, i) => {
      new ComputeRegionPerInstanceConfig(this, `node-${i}`, {
        region,
        regionInstanceGroupManager: this.group.name,
        name: `${name}-${i}`,
        preservedState: {
          internalIp: [{ interfaceName: 'nic0', autoDelete: 'NEVER', ipAddress: { address: nodeAddress.id } }],
        },
        // A changed config must not touch the node at apply: Terraform updates the three configs in
        // parallel, and each update ends in applyUpdatesToInstances with these two actions
        // (terraform-provider-google resource_compute_region_per_instance_config.go, Update), which
        // also brings the node to the group's current template. minimal_action is only a floor: the
        // call performs whatever the update needs, up to most_disruptive_allowed_action, and refuses
        // an update that needs more
        // (https://cloud.google.com/python/docs/reference/compute/latest/google.cloud.compute_v1.types.RegionInstanceGroupManagersApplyUpdatesRequest).
        // With NONE as the ceiling no node restarts at apply; an update that needs a restart is
        // stored in the group and refused at apply, and reaches the node when it is next recreated.
        minimalAction: 'NONE',
        mostDisruptiveAllowedAction: 'NONE',
        lifecycle: { preventDestroy: true },
      });
    });

    const backend = new ComputeRegionBackendService(this, 'backend', {
      name: `${name}-amqp`,
      region,
      protocol: 'TCP',
      loadBalancingScheme: 'INTERNAL',
      healthChecks: [health.id],
      backend: [{ group: this.group.instanceGroup, balancingMode: 'CONNECTION' }],
    });
    new ComputeForwardingRule(this, 'amqp', {
      name: `${name}-amqp`,
      region,
      loadBalancingScheme: 'INTERNAL',
      ipProtocol: 'TCP',
      ports: [String(AMQP_PORT)],
      ipAddress: this.loadBalancerAddress.address,
      network: props.networkId,
      subnetwork: props.subnetworkId,
      backendService: backend.id,
    });

    const firewall = (suffix: string, sourceTags: string[] | undefined, sourceRanges: string[] | undefined, ports: string[], description: string) =>
      new ComputeFirewall(this, `firewall-${suffix}`, {
        name: `${name}-${suffix}`,
        network: props.networkId,
        direction: 'INGRESS',
        targetTags: [tag],
        ...(sourceTags === undefined ? {} : { sourceTags }),
        ...(sourceRanges === undefined ? {} : { sourceRanges }),
        allow: [{ protocol: 'tcp', ports }],
        description,
      });
    firewall('amqp', gcpBrokerClients(props.withFlower).map((c) => networkTag(stackId, c)), undefined, [String(AMQP_PORT)], 'Broker clients of this stack to AMQP');
    firewall('management', [networkTag(stackId, 'exporter'), networkTag(stackId, 'flower')], undefined, [String(RABBITMQ_MANAGEMENT_PORT)], 'Exporter and Flower to the management API');
    firewall('cluster', [tag], undefined, CLUSTERING_PORTS, 'RabbitMQ nodes to each other (Erlang distribution)');
    firewall('health', undefined, GOOGLE_HEALTH_CHECK_RANGES, [String(AMQP_PORT)], 'Google health checks and the internal load balancer');

    this.brokerUrl = `amqp://${username}:${password.value}@${this.loadBalancerAddress.address}:${AMQP_PORT}//`;
  }
}
