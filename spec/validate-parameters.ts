/**
 * Validation of parsed parameter data, shared by the two ways in: a parameter file (spec/load.ts,
 * which adds file reading and line numbers) and the construct library (lib/parameters.ts, where a
 * TypeScript object is the input and problems name key paths only).
 */
import { checkParameterFile } from './checks';
import { ProblemCollector, type KeyPath, type SpecProblem } from './problems';
import { resolveSpec } from './resolve';
import { parameterFileSchema } from './schema';
import { reportSchemaIssues } from './schema-issues';
import type { DeploymentSpec } from './types';

export type LoadResult =
  | { readonly ok: true; readonly spec: DeploymentSpec; readonly problems: readonly SpecProblem[] }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

/**
 * Runs the schema, then the cross-key checks, then resolves defaults. `source` names the input in
 * every problem (a file path, or what a library user passed); `lineOf` maps a key path to its line.
 */
export function validateParameterData(data: unknown, source: string, lineOf?: (path: KeyPath) => number | undefined): LoadResult {
  const out = new ProblemCollector(source, lineOf);
  const result = parameterFileSchema.safeParse(data ?? {}, { reportInput: true });
  if (!result.success) {
    reportSchemaIssues(result.error.issues, out);
    return { ok: false, problems: out.problems };
  }
  checkParameterFile(result.data, out);
  if (out.hasErrors) return { ok: false, problems: out.problems };
  return { ok: true, spec: resolveSpec(result.data, source, out.problems), problems: out.problems };
}
