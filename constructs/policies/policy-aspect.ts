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
}

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
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) {
      const type = node.terraformResourceType;
      const config = rendered.resource?.[type]?.[node.friendlyUniqueId];
      // A moved resource renders no block of its own.
      if (config === undefined) continue;
      check.visit({ stackId, type, address: `${type}.${node.friendlyUniqueId}`, path: node.node.path, config });
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
