/**
 * Library users name an existing network by reference (`vpc.id`, `subnet.id`), which are cdktf
 * tokens until apply and cannot pass the parameter format's id patterns. The ids under
 * `network.existing` are swapped for well-formed placeholders while the parameters are validated
 * (so the cross-key checks still count subnets against zones), and the tokens go back into the
 * resolved network afterwards. A token anywhere else is refused by the schema, as a typo would be.
 */
import { Token } from 'cdktf';
import type { DeploymentSpec } from '../spec/types';
import type { CeleryParameters } from './parameters';

type Existing = NonNullable<NonNullable<CeleryParameters['network']>['existing']>;

const PLACEHOLDER_PREFIX: Record<keyof Existing, string> = {
  vpcId: 'vpc-',
  subnetIds: 'subnet-',
  publicSubnetIds: 'subnet-',
  network: 'celerykit-placeholder-network-',
  subnetwork: 'celerykit-placeholder-subnetwork-',
};

export interface TokenSwap {
  readonly parameters: CeleryParameters;
  /** Puts the caller's tokens back into a resolved deployment. */
  restore(spec: DeploymentSpec): DeploymentSpec;
}

export function swapNetworkTokens(parameters: CeleryParameters): TokenSwap {
  const existing = parameters.network?.existing;
  if (existing === undefined) return { parameters, restore: (spec) => spec };
  const tokens = new Map<string, string>();
  const swap = (key: keyof Existing, value: string): string => {
    // A key the table lacks is left as it is, for the schema to name as unknown.
    if (!Token.isUnresolved(value) || !Object.hasOwn(PLACEHOLDER_PREFIX, key)) return value;
    const placeholder = `${PLACEHOLDER_PREFIX[key]}${(0xc0ffee00 + tokens.size).toString(16)}`;
    tokens.set(placeholder, value);
    return placeholder;
  };
  const swapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(existing) as Array<[keyof Existing, unknown]>) {
    swapped[key] = typeof value === 'string' ? swap(key, value) : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? swap(key, v) : v)) : value;
  }
  const back = (value: string): string => tokens.get(value) ?? value;
  return {
    parameters: { ...parameters, network: { ...parameters.network, existing: swapped as Existing } },
    restore: (spec) => {
      const n = spec.network;
      if (n.mode === 'existing-aws') return { ...spec, network: { ...n, vpcId: back(n.vpcId), subnetIds: n.subnetIds.map(back), publicSubnetIds: n.publicSubnetIds.map(back) } };
      if (n.mode === 'existing-gcp') return { ...spec, network: { ...n, network: back(n.network), subnetwork: back(n.subnetwork) } };
      return spec;
    },
  };
}
