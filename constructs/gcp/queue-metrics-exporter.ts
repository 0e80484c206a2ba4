/**
 * celery-exporter on GCP: one Container-Optimized OS VM (a group of one, so it is recreated if it
 * dies) running the exporter and Google's drop-in Prometheus, which scrapes it, records each
 * pool's backlog, and exports both to Managed Service for Prometheus, where the pool autoscalers
 * and alerts read them.
 */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { celeryExporterArgs } from '../celery/exporter-args';
import { IMAGES } from '../celery/images';
import { exporterPrometheusConfig, poolBacklogRules } from '../celery/pool-backlog-rules';
import { GcpContainerVmGroup } from './container-vm-group';
import { networkTag } from './network-tags';
import { GcpComponentServiceAccount } from './service-account';

const PROMETHEUS_DIR = '/run/celerykit/prometheus';

export interface GcpQueueMetricsExporterProps {
  readonly spec: DeploymentSpec;
  readonly subnetworkId: string;
  readonly zones: readonly string[];
  readonly brokerUrlSecretId: string;
  readonly secretFiles: Readonly<Record<string, string>>;
  /** The network's way out (Cloud NAT); the VMs pull their image through it. */
  readonly egress: readonly ITerraformDependable[];
}

export class GcpQueueMetricsExporter extends Construct {
  readonly serviceAccount: GcpComponentServiceAccount;
  readonly vms: GcpContainerVmGroup;

  constructor(scope: Construct, id: string, props: GcpQueueMetricsExporterProps) {
    super(scope, id);
    const { spec } = props;
    const project = spec.project!;
    this.serviceAccount = new GcpComponentServiceAccount(this, 'service-account', {
      project,
      nameParts: [spec.stackId, 'exporter'],
      description: `celerykit ${spec.stackId}: celery-exporter and its metrics collector`,
      projectRoles: ['roles/logging.logWriter', 'roles/monitoring.metricWriter'],
      secretIds: [props.brokerUrlSecretId, ...Object.values(props.secretFiles)],
    });

    this.vms = new GcpContainerVmGroup(this, 'vms', {
      name: `${spec.stackId}-exporter`,
      region: spec.region,
      subnetworkId: props.subnetworkId,
      zones: props.zones,
      machineType: 'e2-small',
      spot: false,
      serviceAccountEmail: this.serviceAccount.email,
      startsAfter: [...this.serviceAccount.startPrerequisites, ...props.egress],
      networkTags: [networkTag(spec.stackId, 'exporter')],
      targetSize: 1,
      // A surge VM beside the old one would export every backlog series twice.
      surge: false,
      container: {
        project,
        name: 'celery-exporter',
        image: IMAGES.celeryExporter,
        command: celeryExporterArgs(spec),
        env: {},
        // celery-exporter reads --broker-url from CE_BROKER_URL.
        secretEnv: { CE_BROKER_URL: props.brokerUrlSecretId },
        secretFiles: props.secretFiles,
        stopTimeoutSeconds: 10,
        runOptions: ['--network=host'],
        configFiles: {
          [`${PROMETHEUS_DIR}/prometheus.yaml`]: exporterPrometheusConfig('/etc/prometheus/rules.yaml'),
          [`${PROMETHEUS_DIR}/rules.yaml`]: poolBacklogRules(spec),
        },
        sidecars: [
          {
            name: 'prometheus',
            image: IMAGES.gmpPrometheus,
            runOptions: ['--network=host', `-v ${PROMETHEUS_DIR}:/etc/prometheus:ro`],
            args: [
              '--config.file=/etc/prometheus/prometheus.yaml',
              '--storage.tsdb.retention.time=1d',
              `--export.label.location=${spec.region}`,
              `--export.label.cluster=${spec.stackId}`,
            ],
          },
        ],
      },
    });
  }
}
