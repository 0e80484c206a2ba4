/**
 * A policy rule: one safety property every stack must have, checked on each resource's
 * Terraform configuration at synth time.
 */

/** One resource as the rules see it: its Terraform type and configuration (snake_case keys). */
export interface CheckedResource {
  readonly stackId: string;
  /** `type.logicalId`, as in the synthesized JSON. */
  readonly address: string;
  readonly type: string;
  /** The construct path, which names the kit construct the resource came from. */
  readonly path: string;
  readonly config: Record<string, unknown>;
}

export interface PolicyRule {
  /** Stable id, used in messages and suppressions, e.g. `CK-BROKER-ENCRYPTED`. */
  readonly id: string;
  /** What the rule requires, in a few words. */
  readonly title: string;
  /** Why, in one line. */
  readonly rationale: string;
  /** How to comply, in one line. */
  readonly fix: string;
  /** Resource types the rule looks at (`*` for all). */
  readonly resourceTypes: readonly string[];
  /** The problem with this resource, or undefined when it complies. */
  check(resource: CheckedResource): string | undefined;
  /** Rules about how resources relate (e.g. sharing) look at the whole stack once. */
  checkStack?(resources: readonly CheckedResource[]): Array<{ resource: CheckedResource; problem: string }>;
}

/** Convenience accessors for nested Terraform blocks, which cdktf writes as objects or lists. */
export function block(config: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = config[key];
  if (Array.isArray(value)) return value[0] as Record<string, unknown> | undefined;
  return value as Record<string, unknown> | undefined;
}

export function blocks(config: Record<string, unknown>, key: string): Array<Record<string, unknown>> {
  const value = config[key];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>;
}

export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
