/**
 * The apply-order graph of one synthesized stack, built the way Terraform builds it: an edge
 * from a resource to every resource or data source its configuration references
 * (`${aws_x.y.attr}`, `${data.google_x.y.attr}`, also inside larger expressions) and to every
 * entry of its `depends_on`. Terraform creates a resource only after everything it depends on,
 * transitively (https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on,
 * https://developer.hashicorp.com/terraform/internals/graph). Cloud-neutral: the AWS and GCP
 * apply-order rules both query it.
 */
import type { CheckedResource } from './policy-rule';

/** `type.name` of a resource, or `data.type.name` of a data source, as Terraform addresses them. */
export type ResourceAddress = string;

// A reference inside an interpolation: optional `data.`, a type (provider_kind), a name, then an
// attribute, index or the end of the expression. Module and variable references are not resources.
const REFERENCE = /(?<![\w.])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)(?=[.[\s}),]|$)/g;
const INTERPOLATION = /\$\{([^}]*)\}/g;

/** The resource addresses one string value references. */
export function referencesIn(value: string): ResourceAddress[] {
  // Most values of a stack hold no interpolation; the policy pack asks about each of them.
  if (!value.includes('${')) return [];
  const found: ResourceAddress[] = [];
  for (const interpolation of value.matchAll(INTERPOLATION)) {
    for (const reference of interpolation[1].matchAll(REFERENCE)) found.push(reference[1]);
  }
  return found;
}

function collectReferences(value: unknown, into: Set<ResourceAddress>): void {
  if (typeof value === 'string') {
    for (const address of referencesIn(value)) into.add(address);
  } else if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectReferences(item, into);
  }
}

/** `depends_on` entries are bare addresses (`aws_x.y`) or, from cdktf, interpolations of them. */
function dependsOnEntries(config: Record<string, unknown>): ResourceAddress[] {
  const entries = config.depends_on;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) => {
    if (typeof entry !== 'string') return [];
    const interpolated = referencesIn(entry);
    return interpolated.length > 0 ? interpolated : [entry.trim()];
  });
}

/** A node of the graph: a resource of the stack or a data source it reads. */
export interface GraphNode {
  readonly address: ResourceAddress;
  readonly type: string;
  /** Undefined for addresses referenced but not declared in the stack (e.g. data sources). */
  readonly resource?: CheckedResource;
}

export class ResourceGraph {
  /** Builds the graph from the resources (and data sources, addressed `data.type.name`) of one stack. */
  static fromResources(resources: readonly CheckedResource[]): ResourceGraph {
    return new ResourceGraph(resources);
  }

  /**
   * Builds the graph from a stack's synthesized JSON (`cdk.tf.json`): its `resource` and `data`
   * blocks, keyed type -> name -> configuration.
   */
  static fromSynthesizedStack(stack: Record<string, unknown>, stackId = ''): ResourceGraph {
    return new ResourceGraph(resourcesOfSynthesizedStack(stack, stackId));
  }

  private readonly nodes = new Map<ResourceAddress, GraphNode>();
  private readonly edges = new Map<ResourceAddress, Set<ResourceAddress>>();
  private readonly reverse = new Map<ResourceAddress, Set<ResourceAddress>>();

  private constructor(resources: readonly CheckedResource[]) {
    for (const resource of resources) {
      this.nodes.set(resource.address, { address: resource.address, type: resource.type, resource });
    }
    for (const resource of resources) {
      const targets = new Set<ResourceAddress>();
      const { depends_on: _dependsOn, ...rest } = resource.config;
      collectReferences(rest, targets);
      for (const entry of dependsOnEntries(resource.config)) targets.add(entry);
      targets.delete(resource.address);
      this.edges.set(resource.address, targets);
      for (const target of targets) {
        if (!this.nodes.has(target)) this.nodes.set(target, { address: target, type: typeOf(target) });
        if (!this.reverse.has(target)) this.reverse.set(target, new Set());
        this.reverse.get(target)!.add(resource.address);
      }
    }
  }

  /** Every node: declared resources and the addresses they reference. */
  all(): GraphNode[] {
    return [...this.nodes.values()];
  }

  node(address: ResourceAddress): GraphNode | undefined {
    return this.nodes.get(address);
  }

  /** Declared resources of one Terraform type. */
  ofType(type: string): CheckedResource[] {
    return this.all().flatMap((node) => (node.type === type && node.resource && !node.address.startsWith('data.') ? [node.resource] : []));
  }

  /** What `address` references or lists in `depends_on`, directly. */
  directDependencies(address: ResourceAddress): ResourceAddress[] {
    return [...(this.edges.get(address) ?? [])];
  }

  /** What references `address` or lists it in `depends_on`, directly. */
  directDependents(address: ResourceAddress): ResourceAddress[] {
    return [...(this.reverse.get(address) ?? [])];
  }

  /** Everything Terraform must create before `address`, transitively. */
  dependencies(address: ResourceAddress): Set<ResourceAddress> {
    return this.walk(address, this.edges);
  }

  /** Everything Terraform can create only after `address`, transitively. */
  dependents(address: ResourceAddress): Set<ResourceAddress> {
    return this.walk(address, this.reverse);
  }

  /** True when `from` is created after `to` (a path of references / depends_on leads from `from` to `to`). */
  dependsOn(from: ResourceAddress, to: ResourceAddress): boolean {
    return this.dependencies(from).has(to);
  }

  /** A shortest chain of edges from `from` to `to` (both included), or undefined when there is none. */
  path(from: ResourceAddress, to: ResourceAddress): ResourceAddress[] | undefined {
    const previous = new Map<ResourceAddress, ResourceAddress>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const current = queue.shift()!;
      if (current === to) {
        const chain = [to];
        while (chain[0] !== from) chain.unshift(previous.get(chain[0])!);
        return chain;
      }
      for (const next of this.edges.get(current) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        previous.set(next, current);
        queue.push(next);
      }
    }
    return undefined;
  }

  private walk(start: ResourceAddress, adjacency: Map<ResourceAddress, Set<ResourceAddress>>): Set<ResourceAddress> {
    const seen = new Set<ResourceAddress>();
    const stack = [...(adjacency.get(start) ?? [])];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      for (const next of adjacency.get(current) ?? []) stack.push(next);
    }
    seen.delete(start);
    return seen;
  }
}

/** The resources (and data sources, addressed `data.type.name`) of a stack's synthesized JSON, as the rules see them. */
export function resourcesOfSynthesizedStack(stack: Record<string, unknown>, stackId = ''): CheckedResource[] {
  const resources: CheckedResource[] = [];
  const add = (section: unknown, prefix: string) => {
    for (const [type, byName] of Object.entries((section ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [name, config] of Object.entries(byName)) {
        const meta = (config as { '//'?: { metadata?: { path?: string } } })['//'];
        resources.push({
          stackId,
          address: `${prefix}${type}.${name}`,
          type,
          path: meta?.metadata?.path ?? '',
          config: config as Record<string, unknown>,
        });
      }
    }
  };
  add(stack.resource, '');
  add(stack.data, 'data.');
  return resources;
}

/** The Terraform type of an address: `aws_x.y` -> `aws_x`, `data.aws_x.y` -> `aws_x`. */
export function typeOf(address: ResourceAddress): string {
  const parts = address.split('.');
  return parts[0] === 'data' ? parts[1] : parts[0];
}
