/**
 * `celerykit/gcp`: a Celery platform on GCP inside a stack of your own. Same parameters, same
 * validation and the same resources as a parameter file on the YAML path, but with your provider,
 * your backend, and (through `network.existing`) your network.
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import type { Construct } from 'constructs';
import { GcpPlatform } from '../constructs/gcp/gcp-platform';
import { monitoringUrls, type MonitoringUrls } from '../constructs/celery/monitoring-urls';
import { GCP_COMPONENTS, networkTag, type GcpComponent } from '../constructs/gcp/network-tags';
import type { SpecProblem } from '../spec/problems';
import type { DeploymentSpec } from '../spec/types';
import type { GcpCeleryParameters } from './parameters';
import { adoptPlatform, preparePlatform } from './platform-parameters';

export interface CeleryPlatformGcpProps {
  /** The deployment, as in a parameter file (docs/parameters.md); `cloud` must be `gcp`. */
  readonly parameters: GcpCeleryParameters;
  /**
   * The provider to create the platform's resources with.
   * @default the stack's default google provider when you pass none and the stack has one;
   *   otherwise the platform makes its own in the file's project and region, with the deployment's
   *   labels as default labels
   */
  readonly provider?: GoogleProvider;
  /**
   * Prefix of the outputs and variables read by name (`<prefix>_flower_url`,
   * `TF_VAR_<prefix>_oidc_client_secret`), so that two platforms in one stack keep theirs apart.
   * `''` gives the plain names of the YAML path.
   * @default the construct id, with characters Terraform names cannot hold made `_`
   */
  readonly terraformNamePrefix?: string;
}

/**
 * The kit's GcpPlatform, built from parameters instead of a loaded file: with the id `gcp` in a
 * stack of its own it gives exactly the resources (and addresses) the YAML path gives.
 */
export class CeleryPlatformGcp extends GcpPlatform {
  /** The validated deployment with the kit's defaults filled in. */
  readonly spec: DeploymentSpec;
  /** Warnings the parameters raised (the YAML path prints them). */
  readonly warnings: readonly SpecProblem[];
  /** Secret Manager secret holding the Celery broker URL (for your own producers). */
  readonly brokerUrlSecretId: string;
  /** Network tag of each component; firewall rules of the kit admit these tags. */
  readonly networkTags: Readonly<Record<GcpComponent, string>>;
  /** Flower and Grafana, behind IAP (with monitoring). */
  readonly urls?: MonitoringUrls;

  constructor(scope: Construct, id: string, props: CeleryPlatformGcpProps) {
    const prepared = preparePlatform(scope, id, props.parameters, 'gcp', props.provider, GoogleProvider, props.terraformNamePrefix);
    super(scope, id, prepared);
    this.spec = prepared.spec;
    this.warnings = prepared.warnings;
    adoptPlatform(this, prepared.provider);
    this.brokerUrlSecretId = this.brokerUrlSecret.reference;
    this.networkTags = Object.fromEntries(GCP_COMPONENTS.map((c) => [c, networkTag(prepared.spec.stackId, c)])) as Record<GcpComponent, string>;
    if (prepared.spec.monitoring !== undefined) this.urls = monitoringUrls(prepared.spec.monitoring.domain);
  }
}
