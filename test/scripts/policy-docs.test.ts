/**
 * The policy reference explains, besides the generated table, which apply-order rules cover GCP.
 * That paragraph is prose: it must name every order rule that judges Google resources, or the page
 * tells a GCP reader an order is unchecked when a rule checks it.
 */
import { describe, expect, it } from 'vitest';
import { POLICY_RULES } from '../../constructs/policies/rules';
import { renderPolicyReference } from '../../scripts/policy-docs';

describe('the policy reference', () => {
  const page = renderPolicyReference();
  const gcpOrderParagraph = page.split('\n\n').find((p) => p.startsWith('`CK-ORDER-SECRETS` covers both clouds'))!;

  it('names every apply-order rule that judges Google resources where it explains the order on GCP', () => {
    const gcpOrderRules = POLICY_RULES.filter((r) => r.id.startsWith('CK-ORDER-') && r.resourceTypes.some((t) => t === '*' || t.startsWith('google_'))).map((r) => r.id);
    expect(gcpOrderRules).toEqual(expect.arrayContaining(['CK-ORDER-SECRETS', 'CK-ORDER-GRANTS', 'CK-ORDER-APIS']));
    for (const id of gcpOrderRules) expect(gcpOrderParagraph, id).toContain(`\`${id}\``);
  });
});
