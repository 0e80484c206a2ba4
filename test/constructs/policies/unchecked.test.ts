/**
 * The policy check fails closed: a resource of the stack it cannot find in the render is reported
 * like a violation, unless it was moved away (a moved resource renders a moved block instead).
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { checkStackPolicies, formatViolation, type PolicySuppression } from '../../../constructs/policies/policy-aspect';

/** A log group that, like a faulty construct, leaves no block of its own in the render. */
class UnrenderedLogGroup extends CloudwatchLogGroup {
  override toTerraform(): Record<string, unknown> {
    return { ...super.toTerraform(), resource: undefined };
  }
}

function violationLines(build: (stack: TerraformStack) => void, suppressions: PolicySuppression[] = []): string[] {
  const app = new App({ outdir: '/tmp/celerykit-policy-tests' });
  const stack = new TerraformStack(app, 'policy-test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { customer: 'acme', environment: 'prod', 'managed-by': 'celerykit' } }] });
  build(stack);
  return checkStackPolicies(stack, 'policy-test', suppressions).violations.map(formatViolation);
}

describe('policy check of resources missing from the render', () => {
  it('reports a resource that renders no block and was not moved, in one line', () => {
    expect(violationLines((s) => new UnrenderedLogGroup(s, 'logs', { name: 'l', retentionInDays: 30 }))).toEqual([
      'policy-test: aws_cloudwatch_log_group.logs (policy-test/logs): CK-POLICY-UNCHECKED every resource is checked: the rendered stack has no block for this resource, so no policy rule checked it. Fix: this is a fault in celerykit, not in the parameter file; report this line with the file to the platform team.',
    ]);
  });

  it('cannot be suppressed', () => {
    const suppress = [{ rule: 'CK-POLICY-UNCHECKED', reason: 'a reviewer asked for it in a long enough sentence' }];
    expect(violationLines((s) => new UnrenderedLogGroup(s, 'logs', { name: 'l', retentionInDays: 30 }), suppress)).toHaveLength(1);
  });

  it('skips a resource moved away, which renders a moved block instead', () => {
    const lines = violationLines((s) => {
      new CloudwatchLogGroup(s, 'renamed', { name: 'l', retentionInDays: 30 });
      new CloudwatchLogGroup(s, 'old', { name: 'l' }).moveToId('aws_cloudwatch_log_group.renamed');
    });
    // The moved log group has no retention, but it is no longer deployed: nothing to report.
    expect(lines).toEqual([]);
  });
});
