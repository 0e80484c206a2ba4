/**
 * Runs the policy rules over every resource and provider of a stack, as a cdktf Aspect. The
 * synth entry point applies it to each stack before anything is written, so a violation stops
 * the run with one line per problem: stack, resource, rule id, problem and fix.
 */
import { TerraformProvider, TerraformResource, type IAspect, type TerraformStack } from 'cdktf';
// cdktf's own resolver (the one synth uses); the package has no public export of it in 0.21.
import { resolve } from 'cdktf/lib/_tokens';
import type { IConstruct } from 'constructs';
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

export class PolicyAspect implements IAspect {
  readonly violations: PolicyViolation[] = [];
  /** Suppressions that matched at least one violation, with how many. */
  readonly usedSuppressions = new Map<string, number>();

  constructor(
    private readonly stack: TerraformStack,
    private readonly stackId: string,
    private readonly suppressions: readonly PolicySuppression[] = [],
    private readonly rules: readonly PolicyRule[] = POLICY_RULES,
  ) {}

  private readonly seen: CheckedResource[] = [];

  visit(node: IConstruct): void {
    const resource = this.describe(node);
    if (resource === undefined) return;
    this.seen.push(resource);
    for (const rule of this.rules) {
      if (!rule.resourceTypes.includes(resource.type) && !rule.resourceTypes.includes('*')) continue;
      const problem = rule.check(resource);
      if (problem !== undefined) this.report(rule, resource, problem);
    }
  }

  /** Runs the rules that look at the whole stack; call once after every node was visited. */
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

  private describe(node: IConstruct): CheckedResource | undefined {
    if (node instanceof TerraformResource) {
      const tf = node.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
      const [type, byId] = Object.entries(tf.resource)[0]!;
      // References resolve to their Terraform form (`${aws_iam_role.x.arn}`), so rules can compare them.
      const config = resolve(this.stack, Object.values(byId)[0]!) as Record<string, unknown>;
      return { stackId: this.stackId, type, address: `${type}.${this.stack.getLogicalId(node)}`, path: node.node.path, config };
    }
    if (node instanceof TerraformProvider) {
      const tf = node.toTerraform() as { provider: Record<string, Array<Record<string, unknown>>> };
      const [name, configs] = Object.entries(tf.provider)[0]!;
      return { stackId: this.stackId, type: `${name}_provider`, address: `provider.${name}`, path: node.node.path, config: configs[0] ?? {} };
    }
    return undefined;
  }
}

/** Applies the rules to every construct of a stack (the aspect, run before synth writes anything). */
export function checkStackPolicies(stack: TerraformStack, stackId: string, suppressions: readonly PolicySuppression[]): PolicyAspect {
  const aspect = new PolicyAspect(stack, stackId, suppressions);
  for (const node of stack.node.findAll()) aspect.visit(node);
  aspect.finish();
  return aspect;
}
