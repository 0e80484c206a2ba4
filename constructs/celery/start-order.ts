/**
 * Apply order for things that start tasks (ECS services, scheduled runs, Cloud Run, VM groups):
 * Terraform creates a resource as soon as everything it references exists, so a service can be
 * created, and its first tasks fail, before the secret value, route or listener they need at
 * start. The cloud constructs compute what each one needs; this adds it as `depends_on`
 * (https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on).
 */
import { dependable, type ITerraformDependable, type TerraformResource } from 'cdktf';

/** Makes `resource` wait for every prerequisite (undefined ones skipped), keeping existing entries, no duplicates. */
export function startAfter(resource: TerraformResource, prerequisites: Iterable<ITerraformDependable | undefined>): void {
  const added = new Map<string, string>();
  for (const prerequisite of prerequisites) {
    // dependable() renders a bare address; terraform refuses "${...}" in depends_on.
    if (prerequisite !== undefined && !added.has(prerequisite.fqn)) added.set(prerequisite.fqn, dependable(prerequisite));
  }
  resource.dependsOn = [...(resource.dependsOn ?? []), ...added.values()];
}

/** Registry of the secret values a stack writes, by the string other constructs use to name the secret. */
export class SecretValueRegistry<V extends ITerraformDependable> {
  private readonly byName = new Map<string, V>();

  register(name: string, value: V): void {
    this.byName.set(name, value);
  }

  /** The value resources behind these names; names the stack does not own (the app's own secrets) are skipped. */
  valuesOf(names: Iterable<string>): V[] {
    return [...new Set([...names].flatMap((name) => (this.byName.has(name) ? [this.byName.get(name)!] : [])))];
  }
}
