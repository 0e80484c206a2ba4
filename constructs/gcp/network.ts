/**
 * Private networking for one deployment on GCP: a VPC network with one regional subnet (Private
 * Google Access on, flow logs sampled), and Cloud NAT for egress so no VM needs an external IP.
 * Or, when the file names an existing network and subnetwork, nothing is created.
 */
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { NetworkSpec } from '../../spec/types';

export interface GcpNetworkProps {
  readonly stackId: string;
  readonly region: string;
  readonly network: NetworkSpec;
}

export class GcpNetwork extends Construct {
  /** Network self link (or the existing network as given). */
  readonly networkId: string;
  /** Network name, for resources that take a name. */
  readonly networkName: string;
  /** Subnetwork self link (or as given). */
  readonly subnetworkId: string;
  readonly zones: readonly string[];
  /**
   * The VMs' way out: the router and Cloud NAT. A VM without an external IP reaches the internet
   * only through Cloud NAT (https://cloud.google.com/compute/docs/ip-addresses), and the kit's VMs
   * pull public images at boot, so VM templates wait for it. Empty for an existing network.
   */
  readonly egress: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: GcpNetworkProps) {
    super(scope, id);
    const { network, stackId, region } = props;
    this.zones = network.zones;
    if (network.mode === 'existing-gcp') {
      this.networkId = network.network;
      this.networkName = network.network.split('/').pop()!;
      this.subnetworkId = network.subnetwork;
      return;
    }
    if (network.mode !== 'create') throw new Error(`GcpNetwork cannot use a ${network.mode} network (${stackId})`);

    const vpc = new ComputeNetwork(this, 'network', { name: stackId, autoCreateSubnetworks: false, routingMode: 'REGIONAL' });
    const subnet = new ComputeSubnetwork(this, 'subnet', {
      name: `${stackId}-${region}`,
      network: vpc.id,
      region,
      ipCidrRange: network.cidr,
      // Google APIs (Secret Manager, Logging, Monitoring, Artifact Registry) without external IPs.
      privateIpGoogleAccess: true,
      logConfig: { aggregationInterval: 'INTERVAL_5_MIN', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
    });
    const router = new ComputeRouter(this, 'router', { name: `${stackId}-nat`, network: vpc.id, region });
    const nat = new ComputeRouterNat(this, 'nat', {
      name: `${stackId}-nat`,
      router: router.name,
      region,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });
    this.egress.push(router, nat);
    this.networkId = vpc.id;
    this.networkName = vpc.name;
    this.subnetworkId = subnet.id;
  }
}
