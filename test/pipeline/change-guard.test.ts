/**
 * Guard verdicts that the offline terraform tests cannot produce: GCP plans (no google provider
 * binary here), with the cloud's deletion protection still on in the state.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardPlan } from '../../pipeline/change-guard';
import { readTerraformPlan } from '../../pipeline/terraform-plan';
import { specFromYaml, tempDir } from '../helpers/parameter-files';

const example = readFileSync(join(resolve(__dirname, '../..'), 'customers', 'initech-prod.yaml'), 'utf8');
const allowing = specFromYaml(`${example}\nallowDestroy:\n  reason: "OPS-9: move the broker to a new region, data drained"\n`, 'initech-prod.yaml');
const SECRET = 'google_secret_manager_secret.gcp_redis_ca_secret_55D30ADB';

/** A plan in the shape of `terraform show -json` that deletes the broker's CA secret. */
function planDeletingSecret(protectionInState: boolean) {
  const file = join(tempDir('celerykit-guard-'), 'plan.json');
  writeFileSync(
    file,
    JSON.stringify({
      format_version: '1.2',
      terraform_version: '1.11.4',
      resource_changes: [
        {
          address: SECRET,
          mode: 'managed',
          type: 'google_secret_manager_secret',
          name: 'gcp_redis_ca_secret_55D30ADB',
          action_reason: 'delete_because_no_resource_config',
          change: { actions: ['delete'], before: { secret_id: 'initech-prod-redis-ca', deletion_protection: protectionInState }, after: null },
        },
      ],
      output_changes: { stack_id: { actions: ['no-op'], before: 'initech-prod', after: 'initech-prod' } },
    }),
  );
  return readTerraformPlan(file);
}

describe('the change guard with allowDestroy on GCP', () => {
  it('still blocks a delete the cloud would refuse because its deletion protection is on in the state', () => {
    const verdict = guardPlan(planDeletingSecret(true), allowing);
    expect(verdict.passed).toBe(false);
    expect(verdict.lines).toContain(`  BLOCKED  delete   ${SECRET}  (secret: a credential the broker and workers share; no longer in the configuration)`);
    expect(verdict.lines.at(-1)).toMatch(/^celerykit guard: BLOCKED, 1 of them still has the cloud's deletion protection on in the state \(deletion_protection\), so the apply would fail halfway\. Fix: first apply allowDestroy/);
  });

  it('lets the delete through once an earlier apply turned the protection off', () => {
    const verdict = guardPlan(planDeletingSecret(false), allowing);
    expect(verdict.passed).toBe(true);
    expect(verdict.lines).toContain(`  ALLOWED  delete   ${SECRET}  (secret: a credential the broker and workers share; no longer in the configuration)`);
  });

  it('blocks it without allowDestroy either way', () => {
    const protectedSpec = specFromYaml(example, 'initech-prod.yaml');
    expect(guardPlan(planDeletingSecret(false), protectedSpec).passed).toBe(false);
  });
});
