/**
 * The GCP side of one deployment: the provider with the deployment's labels, and the constructs of
 * each concern (network, broker, worker pools, schedules, monitoring) as they are added.
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';

export interface GcpPlatformProps {
  /** The deployment; its cloud must be `gcp`. */
  readonly spec: DeploymentSpec;
}

export class GcpPlatform extends Construct {
  readonly provider: GoogleProvider;

  constructor(scope: Construct, id: string, props: GcpPlatformProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.cloud !== 'gcp' || spec.project === undefined) throw new Error(`GcpPlatform needs a gcp spec with a project (${spec.stackId})`);

    // default_labels reaches every labelled resource; the attribution label marks Terraform-managed
    // resources for people looking at the console.
    this.provider = new GoogleProvider(this, 'provider', {
      project: spec.project,
      region: spec.region,
      addTerraformAttributionLabel: true,
    });
    // Set as a raw override: cdktf's provider binding rewrites map keys to snake_case, which would
    // turn the label "managed-by" into "managed_by" on GCP only.
    this.provider.addOverride('default_labels', { ...spec.tags });
  }
}
