/**
 * The GCP side of one deployment: the provider with the deployment's labels, then one construct
 * per concern (network, broker, broker URL secret, worker pools, exporter, schedules).
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { GcpAlerting } from './alerting';
import { GcpManagedSecret } from './managed-secret';
import { GcpMonitoringFrontDoor } from './monitoring-front-door';
import { GcpNetwork } from './network';
import { GcpProjectServices } from './project-services';
import { GcpQueueMetricsExporter } from './queue-metrics-exporter';
import { GcpRabbitmqBroker } from './rabbitmq-broker';
import { BROKER_CA_PATH, GcpRedisBroker } from './redis-broker';
import { GcpScheduledTasks } from './scheduled-tasks';
import { GcpWorkerPool } from './worker-pool';
import { fixedTerraformName, setTerraformNamePrefix } from '../celery/terraform-names';

export interface GcpPlatformProps {
  /** The deployment; its cloud must be `gcp`. */
  readonly spec: DeploymentSpec;
  /**
   * The provider the platform's resources use, when the stack already has one (the construct
   * library case). Its default labels are then the caller's business; the policy pack's CK-TAGS
   * still asks for customer, environment and managed-by on it.
   * @default a provider of the platform's own, in the file's project and region, with the
   *   deployment's labels as default labels, which is what a stack of its own needs.
   */
  readonly provider?: GoogleProvider;
  /**
   * Prefix of the outputs and variables people and pipelines read by name (`flower_url`,
   * `oidc_client_secret`), for two platforms in one stack.
   * @default none: the names as they are, which is what a stack of its own (the YAML path) uses
   */
  readonly terraformNamePrefix?: string;
}

export class GcpPlatform extends Construct {
  /** The google provider every resource of the platform uses (the one handed in, or its own). */
  readonly provider: GoogleProvider;
  /** The VPC network, subnet, Cloud NAT and firewall rules, or the existing network the file names. */
  readonly network: GcpNetwork;
  /** Memorystore (Redis/Valkey) or RabbitMQ on container VMs, by `broker.kind`. */
  readonly broker: GcpRedisBroker | GcpRabbitmqBroker;
  /** The full Celery broker URL; read by workers at start, never placed in metadata. */
  readonly brokerUrlSecret: GcpManagedSecret;
  /** One managed instance group per worker pool, each with its queue-depth autoscaler. */
  readonly pools: GcpWorkerPool[];
  /** celery-exporter, and the queue-depth metrics that the autoscalers read from it. */
  readonly exporter: GcpQueueMetricsExporter;
  /** Periodic tasks: Cloud Scheduler jobs that start a one-shot `celery call` Cloud Run job. */
  readonly scheduledTasks: GcpScheduledTasks;
  /** Alert policies, Flower and Grafana behind IAP (when the file has monitoring). */
  readonly alerting?: GcpAlerting;
  /** The HTTPS load balancer with IAP in front of Flower and Grafana (when the file has monitoring). */
  readonly frontDoor?: GcpMonitoringFrontDoor;
  /** The Google APIs the stack turns on (absent when the file says `enableApis: false`). */
  readonly projectServices?: GcpProjectServices;

  constructor(scope: Construct, id: string, props: GcpPlatformProps) {
    super(scope, id);
    // Before any child exists: the children read it from the construct context.
    setTerraformNamePrefix(this, props.terraformNamePrefix);
    const { spec } = props;
    if (spec.cloud !== 'gcp' || spec.project === undefined) throw new Error(`GcpPlatform needs a gcp spec with a project (${spec.stackId})`);
    const project = spec.project;

    // The attribution label marks Terraform-managed resources for people looking at the console.
    if (props.provider !== undefined) this.provider = props.provider;
    else {
      this.provider = new GoogleProvider(this, 'provider', { project, region: spec.region, addTerraformAttributionLabel: true });
      // Set as a raw override: cdktf's provider binding rewrites map keys to snake_case, which would
      // turn the label "managed-by" into "managed_by" on GCP only.
      this.provider.addOverride('default_labels', { ...spec.tags });
    }

    this.network = new GcpNetwork(this, 'network', { stackId: spec.stackId, region: spec.region, network: spec.network });
    const placement = { networkId: this.network.networkId, subnetworkId: this.network.subnetworkId, egress: this.network.egress };

    this.broker =
      spec.broker.kind === 'redis'
        ? new GcpRedisBroker(this, 'redis', {
            stackId: spec.stackId,
            project,
            region: spec.region,
            broker: spec.broker,
            // An existing network must already have its Memorystore policy (one per network and region).
            createServiceConnectionPolicy: spec.network.mode === 'create',
            withFlower: spec.monitoring !== undefined,
            ...placement,
          })
        : new GcpRabbitmqBroker(this, 'rabbitmq', { stackId: spec.stackId, project, region: spec.region, broker: spec.broker, zones: this.network.zones, withFlower: spec.monitoring !== undefined, ...placement });

    this.brokerUrlSecret = new GcpManagedSecret(this, 'broker-url', { secretId: `${spec.stackId}-broker-url`, value: this.broker.brokerUrl });
    const brokerUrlSecretId = this.brokerUrlSecret.reference;
    const secretFiles: Record<string, string> = this.broker instanceof GcpRedisBroker ? { [BROKER_CA_PATH]: this.broker.caSecret.reference } : {};
    const clientProps = { spec, brokerUrlSecretId, secretFiles, subnetworkId: this.network.subnetworkId, zones: this.network.zones, egress: this.network.egress };

    this.pools = spec.pools.map((pool) => new GcpWorkerPool(this, `pool-${pool.name}`, { ...clientProps, pool }));
    this.exporter = new GcpQueueMetricsExporter(this, 'exporter', clientProps);
    this.scheduledTasks = new GcpScheduledTasks(this, 'scheduled-tasks', { ...clientProps, networkId: this.network.networkId });

    if (spec.monitoring !== undefined) {
      this.alerting = new GcpAlerting(this, 'alerting', { spec, monitoring: spec.monitoring });
      this.frontDoor = new GcpMonitoringFrontDoor(this, 'front-door', { spec, monitoring: spec.monitoring, ...placement, brokerUrlSecretId, secretFiles });
    }

    // Last, so that it sees every resource above.
    if (spec.enableApis) this.projectServices = new GcpProjectServices(this, 'apis', { project, platform: this });

    new TerraformOutput(this, 'broker_url_secret_id', { value: brokerUrlSecretId, description: 'Secret Manager secret holding the Celery broker URL' }).overrideLogicalId(fixedTerraformName(this, 'broker_url_secret_id'));
    new TerraformOutput(this, 'worker_instance_groups', {
      value: Object.fromEntries(this.pools.map((p, i) => [spec.pools[i]!.name, p.vms.group.name])),
      description: 'Regional managed instance group per worker pool',
    }).overrideLogicalId(fixedTerraformName(this, 'worker_instance_groups'));
  }
}
