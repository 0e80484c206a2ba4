/**
 * The kit's policy pack as a cdktf Aspect, for stacks the kit does not own. On each stack it
 * visits it adds a validation that renders the stack and runs every rule; cdktf runs stack
 * validations after the aspects and before it writes that stack (cdktf lib/synthesize/synthesizer.js:
 * invokeAspects, then runAllValidations, then the files), so a violation stops the synth of that stack
 * with one line per problem, as on the YAML path. Resources the user adds are judged too: that is
 * the point of applying it to a whole stack.
 */
import { TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { checkStackPolicies, formatViolation, type PolicySuppression } from '../constructs/policies/policy-aspect';

export interface CeleryPolicyPackProps {
  /**
   * Rules to skip, each with the reason a reviewer will read, as `policy.suppress` in a file.
   * @default none: every rule applies
   */
  readonly suppressions?: readonly PolicySuppression[];
}

export class CeleryPolicyPack implements IAspect {
  private readonly checked = new WeakSet<TerraformStack>();

  constructor(private readonly props: CeleryPolicyPackProps = {}) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || this.checked.has(node)) return;
    this.checked.add(node);
    const stack = node;
    stack.node.addValidation({ validate: () => checkStackPolicies(stack, stack.node.id, this.props.suppressions ?? []).violations.map(formatViolation) });
  }
}
