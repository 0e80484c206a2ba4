/**
 * Fixed names of the outputs and variables people and pipelines use by name (`terraform output
 * flower_url`, `TF_VAR_oidc_client_secret`). In a stack of its own a platform uses them as they are;
 * two platforms in one stack (the construct library) would give both the same name, so the library
 * gives each platform a prefix (test/lib/library.test.ts places two with monitoring in one stack).
 */
import type { Construct } from 'constructs';

const PREFIX_CONTEXT = 'celerykit:terraformNamePrefix';

/** Called by a platform before it creates children: every fixed name below it gets `prefix_`. */
export function setTerraformNamePrefix(platform: Construct, prefix: string | undefined): void {
  if (prefix === undefined || prefix === '') return;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new Error(`terraform name prefix "${prefix}" must be letters, digits and underscores, not starting with a digit`);
  platform.node.setContext(PREFIX_CONTEXT, prefix);
}

/** `name`, with the prefix of the platform `scope` belongs to, if it has one. */
export function fixedTerraformName(scope: Construct, name: string): string {
  const prefix: unknown = scope.node.tryGetContext(PREFIX_CONTEXT);
  return typeof prefix === 'string' ? `${prefix}_${name}` : name;
}
