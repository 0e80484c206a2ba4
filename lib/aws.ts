/**
 * `celerykit/aws`: a Celery platform on AWS inside a stack of your own. Same parameters, same
 * validation and the same resources as a parameter file on the YAML path, but with your provider,
 * your backend, and (through `network.existing`) your VPC.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { Construct } from 'constructs';
import { AwsPlatform } from '../constructs/aws/aws-platform';
import { monitoringUrls, type MonitoringUrls } from '../constructs/celery/monitoring-urls';
import type { BrokerClient } from '../constructs/aws/security-groups';
import type { SpecProblem } from '../spec/problems';
import type { DeploymentSpec } from '../spec/types';
import type { AwsCeleryParameters } from './parameters';
import { adoptPlatform, preparePlatform } from './platform-parameters';

export interface CeleryPlatformAwsProps {
  /** The deployment, as in a parameter file (docs/parameters.md); `cloud` must be `aws`. */
  readonly parameters: AwsCeleryParameters;
  /**
   * The provider to create the platform's resources with.
   * @default the stack's default aws provider when you pass none and the stack has one; otherwise
   *   the platform makes its own, with the deployment's tags as default tags (a stack must not
   *   hold two unaliased aws providers, so pass yours if the stack has one)
   */
  readonly provider?: AwsProvider;
  /**
   * Prefix of the outputs and variables read by name (`<prefix>_flower_url`,
   * `TF_VAR_<prefix>_oidc_client_secret`), so that two platforms in one stack keep theirs apart.
   * `''` gives the plain names of the YAML path.
   * @default the construct id, with characters Terraform names cannot hold made `_`
   */
  readonly terraformNamePrefix?: string;
}

/**
 * The kit's AwsPlatform, built from parameters instead of a loaded file: with the id `aws` in a
 * stack of its own it gives exactly the resources (and addresses) the YAML path gives.
 */
export class CeleryPlatformAws extends AwsPlatform {
  /** The validated deployment with the kit's defaults filled in. */
  readonly spec: DeploymentSpec;
  /** Warnings the parameters raised (the YAML path prints them). */
  readonly warnings: readonly SpecProblem[];
  /** ARN of the Secrets Manager secret holding the Celery broker URL (for your own producers). */
  readonly brokerUrlSecretArn: string;
  /** Security groups of the broker's clients; add yours to reach the broker as a producer. */
  readonly clientSecurityGroups: Readonly<Record<BrokerClient, SecurityGroup>>;
  /** The broker's security group. */
  readonly brokerSecurityGroup: SecurityGroup;
  /** The SNS topic every alert goes to (with monitoring). */
  readonly alertTopic?: SnsTopic;
  /** Flower and Grafana, behind SSO (with monitoring). */
  readonly urls?: MonitoringUrls;
  /** DNS name of the monitoring load balancer, for your DNS record (with monitoring). */
  readonly loadBalancerDnsName?: string;
  /** ECS cluster of the worker pools. */
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: CeleryPlatformAwsProps) {
    const prepared = preparePlatform(scope, id, props.parameters, 'aws', props.provider, AwsProvider, props.terraformNamePrefix);
    super(scope, id, prepared);
    this.spec = prepared.spec;
    this.warnings = prepared.warnings;
    adoptPlatform(this, prepared.provider);
    this.brokerUrlSecretArn = this.brokerUrlSecret.arn;
    this.clientSecurityGroups = this.securityGroups.clients;
    this.brokerSecurityGroup = this.securityGroups.broker;
    this.clusterName = this.cluster.cluster.name;
    if (this.alerting) this.alertTopic = this.alerting.topic;
    if (prepared.spec.monitoring !== undefined && this.frontDoor) {
      this.urls = monitoringUrls(prepared.spec.monitoring.domain);
      this.loadBalancerDnsName = this.frontDoor.loadBalancer.dnsName;
    }
  }
}
