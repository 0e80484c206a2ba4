/**
 * The parameter format as a TypeScript type, and its validation for library users. The type is
 * the schema's input type, so a key the YAML path accepts is a property here and nothing is
 * written twice; the validation is the YAML path's own (spec/validate-parameters.ts), so the same
 * mistakes get the same one-line problems, naming key paths instead of file lines.
 */
import type { z } from 'zod';
import { formatProblem, type SpecProblem } from '../spec/problems';
import type { parameterFileSchema } from '../spec/schema';
import type { DeploymentSpec } from '../spec/types';
import { validateParameterData } from '../spec/validate-parameters';
import { parameterLimitProblem } from './parameter-limits';

/** Everything a parameter file can hold (docs/parameters.md), as an object. */
export type CeleryParameters = z.input<typeof parameterFileSchema>;

/** Parameters of one cloud, for the cloud's construct. */
export type AwsCeleryParameters = CeleryParameters & { readonly cloud: 'aws' };
export type GcpCeleryParameters = CeleryParameters & { readonly cloud: 'gcp' };

/** Thrown at construction when parameters contradict themselves; carries every problem found. */
export class CeleryParametersError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly SpecProblem[],
  ) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the celerykit parameters of ${source}:\n${errors.map(formatProblem).join('\n')}`);
    this.name = 'CeleryParametersError';
  }
}

/**
 * Throws CeleryParametersError when the parameters pass a parameter file's limits (cycles, depth,
 * keys, text; lib/parameter-limits.ts), before anything recurses over them.
 */
export function assertParameterLimits(parameters: unknown, source: string): void {
  const problem = parameterLimitProblem(parameters, source);
  if (problem !== undefined) throw new CeleryParametersError(source, [problem]);
}

/**
 * Validates and resolves parameters the way a parameter file is; throws CeleryParametersError
 * listing every error. `source` names the caller in each problem (the construct's path).
 * Warnings come back with the deployment, for the caller to print or ignore.
 */
export function resolveCeleryParameters(parameters: CeleryParameters, source: string): { readonly spec: DeploymentSpec; readonly warnings: readonly SpecProblem[] } {
  assertParameterLimits(parameters, source);
  const result = validateParameterData(parameters, source);
  if (!result.ok) throw new CeleryParametersError(source, result.problems);
  return { spec: result.spec, warnings: result.problems };
}
