/**
 * The Google APIs a GCP stack uses, turned on by the stack itself: on a fresh project most are
 * off, and the first resource of a disabled API fails the apply. Each resource is created after
 * the API it is managed through.
 */
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { dependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/** The API each kind of google resource is managed through, by resource type prefix. */
const API_OF_TYPE_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['google_compute_', 'compute.googleapis.com'],
  ['google_cloud_run_v2_', 'run.googleapis.com'],
  ['google_cloud_scheduler_', 'cloudscheduler.googleapis.com'],
  ['google_secret_manager_', 'secretmanager.googleapis.com'],
  ['google_memorystore_', 'memorystore.googleapis.com'],
  ['google_network_connectivity_', 'networkconnectivity.googleapis.com'],
  ['google_iap_', 'iap.googleapis.com'],
  ['google_monitoring_', 'monitoring.googleapis.com'],
  ['google_service_account', 'iam.googleapis.com'],
  ['google_project_iam_', 'cloudresourcemanager.googleapis.com'],
  ['google_artifact_registry_', 'artifactregistry.googleapis.com'],
];

/**
 * APIs the workloads call at run time rather than Terraform: VMs and Cloud Run write logs, the
 * exporter's Prometheus writes to Cloud Monitoring, and VMs read Secret Manager at boot.
 */
const RUNTIME_APIS: Readonly<Record<string, readonly string[]>> = {
  google_compute_instance_template: ['logging.googleapis.com', 'monitoring.googleapis.com', 'secretmanager.googleapis.com'],
  google_cloud_run_v2_service: ['logging.googleapis.com'],
  google_cloud_run_v2_job: ['logging.googleapis.com'],
};

/** The APIs a resource of this type needs before it is created (empty for types the kit does not know). */
export function apisOfResourceType(type: string): string[] {
  const managedBy = API_OF_TYPE_PREFIX.find(([prefix]) => type.startsWith(prefix))?.[1];
  return [...(managedBy === undefined ? [] : [managedBy]), ...(RUNTIME_APIS[type] ?? [])];
}

export interface GcpProjectServicesProps {
  readonly project: string;
  /** Everything below this construct is scanned; create GcpProjectServices after the rest of it. */
  readonly platform: Construct;
}

/**
 * One google_project_service per API the platform's resources use, never disabled on destroy
 * (other stacks and people in the project may rely on it), and each resource made to depend on
 * the services of its APIs. The provider enables a service and waits until Service Usage reports
 * it enabled before the resource counts as created
 * (hashicorp/terraform-provider-google, google/services/resourcemanager/resource_google_project.go,
 * waitForServiceUsageEnabledServices).
 */
export class GcpProjectServices extends Construct {
  /** API name -> its google_project_service. */
  readonly services: ReadonlyMap<string, ProjectService>;

  constructor(scope: Construct, id: string, props: GcpProjectServicesProps) {
    super(scope, id);
    const resources = props.platform.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource && !c.node.path.startsWith(this.node.path));
    const apis = [...new Set(resources.flatMap((r) => apisOfResourceType(r.terraformResourceType)))].sort();
    const services = new Map<string, ProjectService>();
    for (const api of apis) {
      services.set(
        api,
        new ProjectService(this, api.split('.')[0]!, {
          project: props.project,
          service: api,
          disableOnDestroy: false,
        }),
      );
    }
    for (const resource of resources) {
      // dependable() writes the plain address depends_on needs, as cdktf does for dependsOn props.
      const needed = apisOfResourceType(resource.terraformResourceType).map((api) => dependable(services.get(api)!));
      if (needed.length > 0) resource.dependsOn = [...new Set([...(resource.dependsOn ?? []), ...needed])];
    }
    this.services = services;
  }
}
