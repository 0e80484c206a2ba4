/**
 * A regional managed instance group of Container-Optimized OS VMs running one container: the
 * shape the GCP worker pools and the exporter share. Shielded VM, OS Login, no external IP,
 * container logs to Cloud Logging, Spot when asked.
 */
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { ComputeRegionInstanceGroupManager } from '@cdktf/provider-google/lib/compute-region-instance-group-manager';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { containerShutdownScript, containerStartupScript, type ContainerVmProps } from './container-vm-scripts';

export const COS_IMAGE = 'cos-cloud/cos-stable';

export interface GcpContainerVmGroupProps {
  /** Group name, also the prefix of template and instance names. */
  readonly name: string;
  readonly region: string;
  readonly subnetworkId: string;
  /** Zones to spread over; empty lets the group choose. */
  readonly zones: readonly string[];
  readonly machineType: string;
  readonly spot: boolean;
  readonly serviceAccountEmail: string;
  readonly networkTags: readonly string[];
  readonly container: ContainerVmProps;
  /**
   * Fixed size. Omit when an autoscaler owns the size.
   */
  readonly targetSize?: number;
  /** What the VMs need at boot (the values of the secrets they read, and the grants to read them). */
  readonly startsAfter: readonly ITerraformDependable[];
  /**
   * Whether an update may start new VMs before removing old ones.
   * @default true, so a pool keeps its capacity while it rolls; a group that must never run two
   *   VMs at once (the exporter: a second one reports every backlog twice) sets false and is
   *   replaced in place, with a short gap.
   */
  readonly surge?: boolean;
}

export class GcpContainerVmGroup extends Construct {
  readonly template: ComputeInstanceTemplate;
  readonly group: ComputeRegionInstanceGroupManager;

  constructor(scope: Construct, id: string, props: GcpContainerVmGroupProps) {
    super(scope, id);
    this.template = new ComputeInstanceTemplate(this, 'template', {
      namePrefix: `${props.name}-`,
      dependsOn: [...props.startsAfter],
      machineType: props.machineType,
      disk: [{ sourceImage: COS_IMAGE, boot: true, autoDelete: true, diskType: 'pd-balanced', diskSizeGb: 20 }],
      // No access_config: the VM gets no external IP and reaches out through Cloud NAT.
      networkInterface: [{ subnetwork: props.subnetworkId }],
      tags: [...props.networkTags],
      serviceAccount: { email: props.serviceAccountEmail, scopes: ['cloud-platform'] },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: {
        'startup-script': containerStartupScript(props.container),
        'shutdown-script': containerShutdownScript(props.container.name, props.container.stopTimeoutSeconds),
        'google-logging-enabled': 'true',
        'enable-oslogin': 'TRUE',
        'block-project-ssh-keys': 'TRUE',
      },
      scheduling: props.spot
        ? { provisioningModel: 'SPOT', preemptible: true, automaticRestart: false, onHostMaintenance: 'TERMINATE', instanceTerminationAction: 'DELETE' }
        : { provisioningModel: 'STANDARD', automaticRestart: true, onHostMaintenance: 'MIGRATE' },
      lifecycle: { createBeforeDestroy: true },
    });

    this.group = new ComputeRegionInstanceGroupManager(this, 'group', {
      name: props.name,
      baseInstanceName: props.name,
      region: props.region,
      version: [{ instanceTemplate: this.template.selfLinkUnique, name: 'primary' }],
      ...(props.zones.length > 0 ? { distributionPolicyZones: [...props.zones] } : {}),
      ...(props.targetSize === undefined ? {} : { targetSize: props.targetSize }),
      // With surge: start new VMs first; a regional group surges at least one VM per zone.
      // Without: recreate each VM under its name, nothing above the target size; a regional
      // group's fixed max_unavailable must then cover every zone.
      updatePolicy:
        props.surge === false
          ? { type: 'PROACTIVE', minimalAction: 'REPLACE', replacementMethod: 'RECREATE', maxSurgeFixed: 0, maxUnavailableFixed: Math.max(3, props.zones.length) }
          : { type: 'PROACTIVE', minimalAction: 'REPLACE', replacementMethod: 'SUBSTITUTE', maxSurgeFixed: Math.max(3, props.zones.length), maxUnavailableFixed: 0 },
      ...(props.targetSize === undefined ? { lifecycle: { ignoreChanges: ['target_size'] } } : {}),
    });
  }
}
