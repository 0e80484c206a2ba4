/**
 * The ECS cluster of one deployment: Fargate and Fargate Spot capacity, Container Insights on
 * (the running-task metrics that queue-depth scaling divides by come from it).
 */
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { Construct } from 'constructs';

export interface AwsEcsClusterProps {
  readonly stackId: string;
}

export class AwsEcsCluster extends Construct {
  readonly cluster: EcsCluster;
  /**
   * FARGATE and FARGATE_SPOT attached to the cluster. CreateService refuses a capacity provider
   * strategy naming a provider the cluster does not have yet, so services wait for this
   * (https://github.com/aws/containers-roadmap/issues/631#issuecomment-816354807).
   */
  readonly capacityProviders: EcsClusterCapacityProviders;
  /** Cluster name: the stack id, known at synth time (metric dimensions and ARNs use it). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: AwsEcsClusterProps) {
    super(scope, id);
    this.name = props.stackId;
    this.cluster = new EcsCluster(this, 'cluster', {
      name: this.name,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, 'capacity', {
      clusterName: this.cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
  }
}
