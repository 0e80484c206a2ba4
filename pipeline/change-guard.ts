/**
 * The change guard: a plan may not delete or replace a stateful resource unless the stack's
 * parameter file says `allowDestroy` (with its reason). Run between `terraform plan` and
 * `terraform apply`; the pipeline templates apply only the plan the guard passed.
 */
import type { DeploymentSpec } from '../spec/types';
import { statefulReason } from './stateful-resources';
import { countActions, type ResourceChange, type TerraformPlan } from './terraform-plan';

export interface DestructiveChange extends ResourceChange {
  /** What would be lost. */
  readonly loses: string;
}

export interface GuardVerdict {
  readonly stackId: string;
  /** Deletes and replaces of stateful resources, in plan order. */
  readonly destructive: readonly DestructiveChange[];
  /** True when there is nothing destructive, or the parameter file allows it. */
  readonly passed: boolean;
  /** The report, one line each; the caller prints it. */
  readonly lines: readonly string[];
}

/** Terraform's action_reason values in words; a Map, since the reason is read from the plan file. */
const REASONS: ReadonlyMap<string, string> = new Map(Object.entries({
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'count/for_each changed',
  delete_because_count_index: 'count shrank',
  delete_because_each_key: 'for_each key removed',
  replace_because_tainted: 'tainted',
  replace_by_request: 'replace requested',
  replace_by_triggers: 'replace_triggered_by',
}));

export function destructiveChanges(plan: TerraformPlan): DestructiveChange[] {
  const found: DestructiveChange[] = [];
  for (const change of plan.changes) {
    if (change.action !== 'delete' && change.action !== 'replace') continue;
    const loses = statefulReason(change.type, change.name);
    if (loses !== undefined) found.push({ ...change, loses });
  }
  return found;
}

/** `spec` is the stack's resolved parameter file. */
export function guardPlan(plan: TerraformPlan, spec: DeploymentSpec): GuardVerdict {
  const destructive = destructiveChanges(plan);
  const counts = countActions(plan.changes);
  const lines = [
    `celerykit guard: ${spec.stackId} (${spec.sourceFile}): ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete`,
  ];
  if (destructive.length === 0) {
    lines.push(`celerykit guard: passed, no stateful resource is deleted or replaced.`);
    return { stackId: spec.stackId, destructive, passed: true, lines };
  }
  const allowed = spec.allowDestroy !== undefined;
  // allowDestroy turns the cloud's deletion protection off only from the next apply on; in this
  // apply the provider still sees it on in the state and fails halfway through.
  const stillProtected = allowed ? destructive.filter((d) => d.protectionOnInState !== undefined) : [];
  for (const d of destructive) {
    const verdict = !allowed || d.protectionOnInState !== undefined ? 'BLOCKED' : 'ALLOWED';
    lines.push(`  ${verdict}  ${d.action.padEnd(7)}  ${d.address}  (${describe(d)})`);
  }
  const count = `${destructive.length} stateful resource${destructive.length === 1 ? '' : 's'}`;
  if (allowed && stillProtected.length === 0) {
    lines.push(`celerykit guard: passed, ${count} deleted or replaced as allowed by allowDestroy in ${spec.sourceFile}: ${spec.allowDestroy!.reason}`);
    lines.push('celerykit guard: remove allowDestroy from the file once this change is applied.');
  } else if (allowed) {
    lines.push(
      `celerykit guard: BLOCKED, ${stillProtected.length} of them still ha${stillProtected.length === 1 ? 's' : 've'} the cloud's deletion protection on in the state ` +
        `(${[...new Set(stillProtected.map((d) => d.protectionOnInState))].join(', ')}), so the apply would fail halfway. ` +
        `Fix: first apply allowDestroy in ${spec.sourceFile} together with the configuration these resources still have (that turns the protection off), then make this change and plan again.`,
    );
  } else {
    lines.push(
      `celerykit guard: BLOCKED, ${count} would be deleted or replaced; do not apply this plan. ` +
        `Fix: if the loss is intended, add to ${spec.sourceFile}:\n  allowDestroy:\n    reason: "<ticket: why this may be lost, who approved>"\n` +
        'then synth, plan and review again (remove it after the apply). Otherwise change the file so the plan keeps these resources.',
    );
  }
  return { stackId: spec.stackId, destructive, passed: allowed && stillProtected.length === 0, lines };
}

function describe(d: DestructiveChange): string {
  const why = d.replacedBecauseOf.length > 0 ? `forced by ${d.replacedBecauseOf.join(', ')}` : d.reason === undefined ? undefined : (REASONS.get(d.reason) ?? d.reason);
  return why === undefined ? d.loses : `${d.loses}; ${why}`;
}
