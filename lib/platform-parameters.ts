/**
 * What the two cloud constructs share: validate the parameters for one cloud, keep the tokens of an
 * existing network, and give the platform's Terraform outputs names that cannot collide when a stack
 * holds more than one platform.
 */
import { TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { SpecProblem } from '../spec/problems';
import type { Cloud, DeploymentSpec } from '../spec/types';
import { swapNetworkTokens } from './existing-network';
import { assertParameterLimits, CeleryParametersError, resolveCeleryParameters, type CeleryParameters } from './parameters';

/** What a cloud construct needs before it can build its platform. */
export interface PreparedPlatform<P extends TerraformProvider> {
  readonly spec: DeploymentSpec;
  readonly warnings: readonly SpecProblem[];
  /** The provider to build with; undefined: the platform makes its own. */
  readonly provider?: P;
  /** The construct id, made a Terraform name: two platforms in one stack keep their outputs apart. */
  readonly terraformNamePrefix: string;
}

/** Validates the parameters for `cloud` and picks the provider (see providerFor). */
export function preparePlatform<P extends TerraformProvider>(
  scope: Construct,
  id: string,
  parameters: CeleryParameters,
  cloud: Cloud,
  handed: P | undefined,
  providerType: abstract new (...args: never[]) => P,
  namePrefix: string | undefined,
): PreparedPlatform<P> {
  const provider = providerFor(scope, handed, providerType);
  const terraformNamePrefix = namePrefix ?? id.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
  return { ...platformSpec(scope, id, parameters, cloud), terraformNamePrefix, ...(provider ? { provider } : {}) };
}

/** Once the platform exists: the aliased provider on each resource. */
export function adoptPlatform(platform: Construct, provider: TerraformProvider | undefined): void {
  bindProvider(platform, provider);
}

function platformSpec(scope: Construct, id: string, parameters: CeleryParameters, cloud: Cloud): { spec: DeploymentSpec; warnings: readonly SpecProblem[] } {
  const source = scope.node.path === '' ? id : `${scope.node.path}/${id}`;
  // First: the checks below and the token swap read the object, and a cycle must not reach them.
  assertParameterLimits(parameters, source);
  if (parameters.cloud !== cloud) {
    throw new CeleryParametersError(source, [
      { severity: 'error', file: source, path: ['cloud'], problem: `this construct builds on ${cloud}, but cloud is "${String(parameters.cloud)}"`, fix: `set cloud: ${cloud}, or use the ${parameters.cloud === 'aws' ? 'CeleryPlatformAws' : 'CeleryPlatformGcp'} construct` },
    ]);
  }
  const yamlOnly = (['state', 'policy'] as const).filter((key) => parameters[key] !== undefined);
  if (yamlOnly.length > 0) {
    throw new CeleryParametersError(
      source,
      yamlOnly.map((key) => ({
        severity: 'error' as const,
        file: source,
        path: [key],
        problem: key === 'state' ? 'state is the YAML path\'s backend; a stack of yours has its own' : 'policy suppressions of the YAML path do not reach a stack of yours',
        fix: key === 'state' ? 'remove state and configure the backend on your TerraformStack' : 'remove policy and pass the suppressions to new CeleryPolicyPack({ suppressions })',
      })),
    );
  }
  const swap = swapNetworkTokens(parameters);
  const { spec, warnings } = resolveCeleryParameters(swap.parameters, source);
  return { spec: swap.restore(spec), warnings };
}

/** Prefixes every output under `platform` with `prefix_`, so two platforms in one stack keep theirs apart. */

/**
 * The provider a platform should use: the one handed in, else the stack's unaliased provider of
 * that type (Terraform allows one per type), else none (the platform makes its own).
 */
function providerFor<P extends TerraformProvider>(scope: Construct, handed: P | undefined, type: abstract new (...args: never[]) => P): P | undefined {
  if (handed !== undefined) return handed;
  return TerraformStack.of(scope)
    .node.findAll()
    .find((n): n is P => n instanceof type && (n as P).alias === undefined);
}

/**
 * Resources pick the unaliased provider of their type by themselves; with an aliased one each
 * resource and data source must name it.
 */
function bindProvider(platform: Construct, provider: TerraformProvider | undefined): void {
  if (provider?.alias === undefined) return;
  for (const node of platform.node.findAll()) {
    if ((node instanceof TerraformResource || node instanceof TerraformDataSource) && node.provider === undefined && node.terraformGeneratorMetadata?.providerName === provider.terraformGeneratorMetadata?.providerName) node.provider = provider;
  }
}
