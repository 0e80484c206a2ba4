/**
 * One Celery worker pool on GCP: a dedicated service account, a regional group of COS VMs
 * running the kit's worker command (the same builder as AWS), and an autoscaler on the pool's
 * backlog per VM.
 */
import { ComputeRegionAutoscaler } from '@cdktf/provider-google/lib/compute-region-autoscaler';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { BROKER_URL_ENV } from '../../spec/defaults';
import type { DeploymentSpec, WorkerPoolSpec } from '../../spec/types';
import { POOL_WORKERS_SERIES } from '../celery/pool-backlog-rules';
import { workerCommand, workerShutdownEnvironment } from '../celery/worker-command';
import { GcpContainerVmGroup } from './container-vm-group';
import { e2MachineType } from '../../spec/gcp-machine-types';
import { networkTag } from './network-tags';
import { GcpComponentServiceAccount } from './service-account';

/**
 * Seconds the shutdown script gives the worker between SIGTERM (`docker stop`) and SIGKILL.
 * Compute Engine lets a shutdown script run 90 s when a VM is stopped or deleted and 30 s after a
 * Spot preemption begins (https://cloud.google.com/compute/docs/shutdownscript, "limitations").
 */
export const WARM_SHUTDOWN_SECONDS = 80;
/** The pool's recorded worker need (constructs/celery/pool-backlog-rules.ts) as Managed Service for Prometheus exports it. */
export const POOL_WORKERS_METRIC = `prometheus.googleapis.com/${POOL_WORKERS_SERIES}/gauge`;
/** The same within a Spot VM's 30 s, leaving the script time to start and the VM to stop. */
export const SPOT_SHUTDOWN_SECONDS = 25;

/** A pool's stop window on GCE: what its shutdown script waits, and what its soft shutdown fits in. */
export function gcpStopWindowSeconds(pool: WorkerPoolSpec): number {
  return pool.spot ? SPOT_SHUTDOWN_SECONDS : WARM_SHUTDOWN_SECONDS;
}

export interface GcpWorkerPoolProps {
  readonly spec: DeploymentSpec;
  readonly pool: WorkerPoolSpec;
  readonly subnetworkId: string;
  readonly zones: readonly string[];
  readonly brokerUrlSecretId: string;
  /** Files the container needs from Secret Manager (e.g. the broker CA), path -> secret id. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /** The network's way out (Cloud NAT); the VMs pull their image through it. */
  readonly egress: readonly ITerraformDependable[];
}

export class GcpWorkerPool extends Construct {
  readonly serviceAccount: GcpComponentServiceAccount;
  readonly vms: GcpContainerVmGroup;
  readonly autoscaler: ComputeRegionAutoscaler;

  constructor(scope: Construct, id: string, props: GcpWorkerPoolProps) {
    super(scope, id);
    const { spec, pool } = props;
    const project = spec.project!;
    const name = `${spec.stackId}-${pool.name}`;

    this.serviceAccount = new GcpComponentServiceAccount(this, 'service-account', {
      project,
      nameParts: [spec.stackId, pool.name],
      description: `celerykit ${spec.stackId}: ${pool.name} workers`,
      // Logs only: the workers write no metrics (the exporter reports the queues).
      projectRoles: ['roles/logging.logWriter'],
      secretIds: [props.brokerUrlSecretId, ...Object.values(props.secretFiles), ...Object.values(spec.app.secrets)],
      image: spec.app.image,
    });

    this.vms = new GcpContainerVmGroup(this, 'vms', {
      name,
      region: spec.region,
      subnetworkId: props.subnetworkId,
      zones: props.zones,
      // The schema bounds a pool to 16 vCPU and 120 GiB, which e2-highmem-16 always fits.
      machineType: e2MachineType(pool.cpu, pool.memory)!,
      spot: pool.spot,
      serviceAccountEmail: this.serviceAccount.email,
      startsAfter: [...this.serviceAccount.startPrerequisites, ...props.egress],
      networkTags: [networkTag(spec.stackId, 'workers')],
      container: {
        project,
        name: 'worker',
        image: spec.app.image,
        command: workerCommand(spec.app, pool),
        env: { ...spec.app.env, ...workerShutdownEnvironment(gcpStopWindowSeconds(pool)) },
        secretEnv: { [BROKER_URL_ENV]: props.brokerUrlSecretId, ...spec.app.secrets },
        secretFiles: props.secretFiles,
        stopTimeoutSeconds: gcpStopWindowSeconds(pool),
      },
    });

    this.autoscaler = new ComputeRegionAutoscaler(this, 'autoscaler', {
      name,
      region: spec.region,
      target: this.vms.group.id,
      autoscalingPolicy: {
        minReplicas: pool.autoscale.min,
        maxReplicas: pool.autoscale.max,
        cooldownPeriod: 60,
        mode: 'ON',
        // A per-group metric that already counts workers (waiting + running tasks, never fewer
        // than the busy workers, held while the exporter is silent), so one VM per unit.
        metric: [
          {
            name: POOL_WORKERS_METRIC,
            filter: `resource.type = "prometheus_target" AND metric.labels.stack = "${spec.stackId}" AND metric.labels.pool = "${pool.name}"`,
            singleInstanceAssignment: 1,
          },
        ],
        // Remove at most one VM per window; the window grows with the pool's time limit.
        scaleInControl: { maxScaledInReplicas: { fixed: 1 }, timeWindowSec: pool.scaleInCooldownSeconds },
      },
    });
  }
}
