/**
 * The AWS side of one deployment: the provider with the deployment's tags, and the constructs of
 * each concern (network, broker, worker pools, schedules, monitoring) as they are added.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ResourcegroupsGroup } from '@cdktf/provider-aws/lib/resourcegroups-group';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { AwsNetwork } from './network';

export interface AwsPlatformProps {
  /** The deployment; its cloud must be `aws`. */
  readonly spec: DeploymentSpec;
}

export class AwsPlatform extends Construct {
  readonly provider: AwsProvider;
  /** Every resource of the deployment in one console view, found by the kit's tags. */
  readonly resourceGroup: ResourcegroupsGroup;
  readonly network: AwsNetwork;

  constructor(scope: Construct, id: string, props: AwsPlatformProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.cloud !== 'aws') throw new Error(`AwsPlatform got a ${spec.cloud} spec (${spec.stackId})`);

    // default_tags puts customer/environment/managed-by on every taggable resource without each
    // construct repeating them.
    this.provider = new AwsProvider(this, 'provider', {
      region: spec.region,
      allowedAccountIds: spec.accountId === undefined ? undefined : [spec.accountId],
      defaultTags: [{ tags: { ...spec.tags } }],
    });

    this.network = new AwsNetwork(this, 'network', { stackId: spec.stackId, network: spec.network, natPerZone: !spec.nonProduction });

    this.resourceGroup = new ResourcegroupsGroup(this, 'resource-group', {
      name: `celerykit-${spec.stackId}`,
      description: `All resources of the celerykit deployment ${spec.stackId}`,
      resourceQuery: {
        type: 'TAG_FILTERS_1_0',
        query: JSON.stringify({
          ResourceTypeFilters: ['AWS::AllSupported'],
          TagFilters: [
            { Key: 'customer', Values: [spec.customer] },
            { Key: 'environment', Values: [spec.environment] },
            { Key: 'managed-by', Values: [spec.tags['managed-by']] },
          ],
        }),
      },
    });
  }
}
