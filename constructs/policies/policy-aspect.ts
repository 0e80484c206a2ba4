/**
 * Runs the policy rules over every resource and provider of a stack. The rules read the stack's
 * rendered Terraform JSON (`stack.toTerraform()`: references resolved to `${type.name.attr}`), so
 * the synth entry point checks exactly what it writes, before anything is written; a violation
 * stops the run with one line per problem: stack, resource, rule id, problem and fix.
 */
import { TerraformProvider, TerraformResource, type TerraformStack } from 'cdktf';
import type { CheckedResource, PolicyRule } from './policy-rule';
import { POLICY_RULES } from './rules';

export interface PolicySuppression {
  readonly rule: string;
  readonly reason: string;
}

export interface PolicyViolation {
  readonly stackId: string;
  readonly address: string;
  readonly path: string;
  readonly rule: PolicyRule;
  readonly problem: string;
}

export function formatViolation(v: PolicyViolation): string {
  return `${v.stackId}: ${v.address} (${v.path}): ${v.rule.id} ${v.rule.title}: ${v.problem}. Fix: ${v.rule.fix}.`;
}

/** The parts of a stack's rendered Terraform JSON the rules look at. */
interface RenderedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Array<Record<string, unknown>>>;
  readonly moved?: Array<{ readonly from?: string; readonly to?: string }>;
}

/**
 * Not a rule of the pack (so it cannot be suppressed): the check itself could not see a resource.
 * A resource of the stack without a block in the render, other than one moved away, would otherwise
 * go unchecked: the check fails closed and reports it like a violation.
 */
export const UNCHECKED_RESOURCE: PolicyRule = {
  id: 'CK-POLICY-UNCHECKED',
  title: 'every resource is checked',
  rationale: 'A resource the policy pack cannot find in the rendered stack would be deployed without any check.',
  fix: 'this is a fault in celerykit, not in the parameter file; report this line with the file to the platform team',
  resourceTypes: [],
  check: () => undefined,
};

export class PolicyCheck {
  readonly violations: PolicyViolation[] = [];
  /** Suppressions that matched at least one violation, with how many. */
  readonly usedSuppressions = new Map<string, number>();
  private readonly seen: CheckedResource[] = [];

  constructor(
    private readonly stackId: string,
    private readonly suppressions: readonly PolicySuppression[] = [],
    private readonly rules: readonly PolicyRule[] = POLICY_RULES,
  ) {}

  visit(resource: CheckedResource): void {
    this.seen.push(resource);
    for (const rule of this.rules) {
      if (!rule.resourceTypes.includes(resource.type) && !rule.resourceTypes.includes('*')) continue;
      const problem = rule.check(resource);
      if (problem !== undefined) this.report(rule, resource, problem);
    }
  }

  /** Records a resource the rules could not see; a violation of UNCHECKED_RESOURCE, which no suppression hides. */
  missing(resource: Omit<CheckedResource, 'config'>): void {
    this.violations.push({ stackId: this.stackId, address: resource.address, path: resource.path, rule: UNCHECKED_RESOURCE, problem: 'the rendered stack has no block for this resource, so no policy rule checked it' });
  }

  /** Runs the rules that look at the whole stack; call once after every resource was visited. */
  finish(): void {
    for (const rule of this.rules) {
      for (const { resource, problem } of rule.checkStack?.(this.seen) ?? []) this.report(rule, resource, problem);
    }
  }

  private report(rule: PolicyRule, resource: CheckedResource, problem: string): void {
    if (this.suppressions.some((s) => s.rule === rule.id)) {
      this.usedSuppressions.set(rule.id, (this.usedSuppressions.get(rule.id) ?? 0) + 1);
      return;
    }
    this.violations.push({ stackId: this.stackId, address: resource.address, path: resource.path, rule, problem });
  }
}

/**
 * Applies the rules to every resource and provider of a stack, in construct order, reading their
 * configuration from one render of the whole stack (rendering resolves every token, the costly part).
 */
export function checkStackPolicies(stack: TerraformStack, stackId: string, suppressions: readonly PolicySuppression[]): PolicyCheck {
  const check = new PolicyCheck(stackId, suppressions);
  const rendered = stack.toTerraform() as RenderedStack;
  // Providers of one name render as one list, in construct order.
  const providerIndex = new Map<string, number>();
  // A moved resource renders a moved block in place of a block of its own.
  const movedAway = new Set((rendered.moved ?? []).map((m) => m.from));
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) {
      const type = node.terraformResourceType;
      const address = `${type}.${node.friendlyUniqueId}`;
      const config = rendered.resource?.[type]?.[node.friendlyUniqueId];
      if (config !== undefined) check.visit({ stackId, type, address, path: node.node.path, config });
      else if (!movedAway.has(address)) check.missing({ stackId, type, address, path: node.node.path });
    } else if (node instanceof TerraformProvider) {
      const name = node.terraformResourceType;
      const index = providerIndex.get(name) ?? 0;
      providerIndex.set(name, index + 1);
      check.visit({ stackId, type: `${name}_provider`, address: `provider.${name}`, path: node.node.path, config: rendered.provider?.[name]?.[index] ?? {} });
    }
  }
  check.finish();
  return check;
}
