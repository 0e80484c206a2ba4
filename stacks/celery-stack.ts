/**
 * One Terraform stack per deployment spec; picks the cloud and hands the spec to its platform.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsPlatform } from '../constructs/aws/aws-platform';
import { GcpPlatform } from '../constructs/gcp/gcp-platform';
import { celerySettingsModule } from '../constructs/celery/celery-settings';
import { escapeTerraformTemplates } from '../constructs/celery/terraform-text';
import type { DeploymentSpec } from '../spec/types';
import { releaseDestroyProtection } from './destroy-protection';
import { renderStackOnce } from './render-stack';
import { configureStateBackend } from './state-backend';

export interface CeleryStackProps {
  /** The validated, resolved deployment. */
  readonly spec: DeploymentSpec;
  /** Absolute folder for local state files (only used by `state.backend: local`). */
  readonly localStateDir: string;
}

export class CeleryStack extends TerraformStack {
  readonly spec: DeploymentSpec;
  readonly platform: AwsPlatform | GcpPlatform;
  /** The Terraform JSON of the finished stack, kept by `render()`. */
  private rendered?: Record<string, unknown>;

  constructor(scope: Construct, props: CeleryStackProps) {
    super(scope, props.spec.stackId);
    this.spec = props.spec;
    configureStateBackend(this, props.spec.state, props.localStateDir);
    this.platform =
      props.spec.cloud === 'aws' ? new AwsPlatform(this, 'aws', { spec: props.spec }) : new GcpPlatform(this, 'gcp', { spec: props.spec });
    if (props.spec.allowDestroy !== undefined) releaseDestroyProtection(this);

    new TerraformOutput(this, 'stack_id', { value: props.spec.stackId, description: 'celerykit stack id (<customer>-<environment>)' });
    // The app's Celery settings, for builds that fetch them from the stack (they hold no secret).
    new TerraformOutput(this, 'celery_settings', {
      value: escapeTerraformTemplates(celerySettingsModule(props.spec)),
      description: 'Python module for app.config_from_object(): queues, routes and broker options of this deployment',
    });
    new TerraformOutput(this, 'worker_pools', {
      value: props.spec.pools.map((p) => p.name),
      description: 'Worker pools of this deployment',
    });
  }

  /**
   * Renders the finished stack once, then locks it. Rendering resolves every token of every
   * resource, the largest part of synthesis; the policy pack checks this render and synth writes
   * it, instead of each rendering the stack again. Adding a construct afterwards throws (so would a
   * reference from a later stack into this one, which cdktf would answer by adding an output).
   */
  render(): void {
    this.rendered = renderStackOnce(this);
    if (this.rendered === undefined) {
      super.prepareStack();
      this.rendered = super.toTerraform() as Record<string, unknown>;
    }
    this.node.lock();
  }

  override prepareStack(): void {
    if (this.rendered === undefined) super.prepareStack();
  }

  override toTerraform(): Record<string, unknown> {
    return this.rendered ?? (super.toTerraform() as Record<string, unknown>);
  }
}
