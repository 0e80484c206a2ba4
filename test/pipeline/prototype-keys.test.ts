/**
 * Names from a plan file (resource types, action reasons, `before` arguments) that match
 * Object.prototype members are plain names to the guard's tables, never Object's functions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardPlan } from '../../pipeline/change-guard';
import { statefulReason } from '../../pipeline/stateful-resources';
import { readTerraformPlan } from '../../pipeline/terraform-plan';
import { BASE_FILE, specFromYaml, tempDir } from '../helpers/parameter-files';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** A saved plan (the shape of `terraform show -json`) deleting one resource. */
function planDeleting(change: { type: string; name: string; action_reason?: string; before: string }) {
  const file = join(tempDir('celerykit-prototype-plan-'), 'plan.json');
  // Written as text so that a "__proto__" key is an own key of the parsed JSON, as JSON.parse makes it.
  writeFileSync(
    file,
    `{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [{"address": ${JSON.stringify(`${change.type}.${change.name}`)}, "mode": "managed", ` +
      `"type": ${JSON.stringify(change.type)}, "name": ${JSON.stringify(change.name)}, ${change.action_reason === undefined ? '' : `"action_reason": ${JSON.stringify(change.action_reason)}, `}` +
      `"change": {"actions": ["delete"], "before": ${change.before}, "after": null}}], "output_changes": {}}`,
  );
  return readTerraformPlan(file);
}

describe('plan names like Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('a resource type "%s" holds no state, inside the RabbitMQ broker or not', (type) => {
    expect(statefulReason(type, 'any_name_1234')).toBeUndefined();
    expect(statefulReason(type, 'gcp_rabbitmq_group_C4D237D5')).toBeUndefined();
  });

  it.each(PROTOTYPE_NAMES)('a deleted resource of type "%s" passes the guard, with nothing listed', (type) => {
    const verdict = guardPlan(planDeleting({ type, name: 'gcp_rabbitmq_x_1234', before: '{}' }), specFromYaml(BASE_FILE));
    expect(verdict.destructive).toEqual([]);
    expect(verdict.passed).toBe(true);
  });

  it.each(PROTOTYPE_NAMES)('an action reason "%s" is quoted as Terraform gave it', (reason) => {
    const verdict = guardPlan(planDeleting({ type: 'aws_sqs_queue', name: 'aws_scheduler_dlq_1234', action_reason: reason, before: '{}' }), specFromYaml(BASE_FILE));
    expect(verdict.lines).toContain(`  BLOCKED  delete   aws_sqs_queue.aws_scheduler_dlq_1234  (queued messages (scheduled calls that could not start); ${reason})`);
  });

  it('a "__proto__" in the state before the change does not switch deletion protection on', () => {
    const plan = planDeleting({ type: 'aws_sqs_queue', name: 'q', before: '{"__proto__": {"deletion_protection": true}, "constructor": true}' });
    expect(plan.changes[0]!.protectionOnInState).toBeUndefined();
    const protectedPlan = planDeleting({ type: 'aws_sqs_queue', name: 'q', before: '{"deletion_protection": true}' });
    expect(protectedPlan.changes[0]!.protectionOnInState).toBe('deletion_protection');
  });
});
