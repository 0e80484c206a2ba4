/**
 * Reading `terraform show -json <plan>` output: the resource changes, reduced to one action each,
 * and the stack the plan belongs to (its `stack_id` output).
 */
import { readFileSync } from 'node:fs';
import { DELETION_PROTECTION_ARGUMENT } from '../constructs/celery/deletion-protection';

/** What a plan does to one resource. `replace` covers both delete-then-create and create-then-delete. */
export type PlanAction = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read' | 'forget';

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly action: PlanAction;
  /** Attribute paths that force a replacement, e.g. `at_rest_encryption_enabled`. */
  readonly replacedBecauseOf: readonly string[];
  /** Terraform's reason code, e.g. `delete_because_no_resource_config`. */
  readonly reason?: string;
  /**
   * A cloud deletion-protection argument that is on in the current state (`deletion_protection`,
   * `deletion_protection_enabled`): the provider refuses the delete at apply, whatever the new
   * configuration says.
   */
  readonly protectionOnInState?: string;
}

export interface TerraformPlan {
  readonly file: string;
  readonly terraformVersion: string;
  /** The `stack_id` output celerykit puts in every stack, when the plan carries it. */
  readonly stackId?: string;
  /** Managed resources only; data sources are read, never changed. */
  readonly changes: readonly ResourceChange[];
  readonly outputsChanged: readonly string[];
}

/** A plan file that cannot be used; the message names the file, the problem and the fix. */
export class PlanFileError extends Error {}

interface RawChange {
  address?: unknown;
  mode?: unknown;
  type?: unknown;
  name?: unknown;
  action_reason?: unknown;
  change?: { actions?: unknown; replace_paths?: unknown; before?: unknown };
}

interface RawOutputChange {
  actions?: unknown;
  before?: unknown;
  after?: unknown;
}

interface RawPlan {
  format_version?: unknown;
  terraform_version?: unknown;
  errored?: unknown;
  resource_changes?: RawChange[];
  output_changes?: Record<string, RawOutputChange>;
}

const SHOW_JSON_FIX = 'run `terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json` in the stack folder and pass plan.json';

export function readTerraformPlan(file: string): TerraformPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PlanFileError(`${file}: cannot read the file. Fix: ${SHOW_JSON_FIX}.`);
  }
  let raw: RawPlan;
  try {
    raw = JSON.parse(text) as RawPlan;
  } catch {
    throw new PlanFileError(`${file}: is not JSON (the binary plan file, or the wrapper's output?). Fix: ${SHOW_JSON_FIX}.`);
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.format_version !== 'string' || raw.resource_changes === null || !Array.isArray(raw.resource_changes ?? [])) {
    throw new PlanFileError(`${file}: is not the JSON of a saved plan (no format_version). Fix: ${SHOW_JSON_FIX}.`);
  }
  if (raw.errored === true) {
    throw new PlanFileError(`${file}: terraform reported errors while planning, so the plan is incomplete. Fix: correct the errors terraform printed and plan again.`);
  }
  if (raw.resource_changes === undefined && raw.output_changes === undefined) {
    throw new PlanFileError(`${file}: holds no planned changes (is it \`terraform show -json\` of a state?). Fix: ${SHOW_JSON_FIX}.`);
  }
  const changes = (raw.resource_changes ?? []).filter((c) => c.mode === 'managed').map((c) => toResourceChange(c, file));
  const outputs = raw.output_changes ?? {};
  const stackOutput = outputs.stack_id;
  const stackId = [stackOutput?.after, stackOutput?.before].find((v): v is string => typeof v === 'string');
  return {
    file,
    terraformVersion: typeof raw.terraform_version === 'string' ? raw.terraform_version : 'unknown',
    ...(stackId === undefined ? {} : { stackId }),
    changes,
    outputsChanged: Object.entries(outputs)
      .filter(([, o]) => actionOf(o.actions, file) !== 'no-op')
      .map(([name]) => name),
  };
}

function toResourceChange(raw: RawChange, file: string): ResourceChange {
  if (typeof raw.address !== 'string' || typeof raw.type !== 'string' || typeof raw.name !== 'string') {
    throw new PlanFileError(`${file}: a resource change has no address, type or name. Fix: ${SHOW_JSON_FIX}.`);
  }
  const paths = Array.isArray(raw.change?.replace_paths) ? (raw.change.replace_paths as unknown[]) : [];
  const before = typeof raw.change?.before === 'object' && raw.change.before !== null ? (raw.change.before as Record<string, unknown>) : {};
  const protectionOnInState = DELETION_PROTECTION_ARGUMENTS.find((name) => Object.hasOwn(before, name) && before[name] === true);
  return {
    address: raw.address,
    type: raw.type,
    name: raw.name,
    action: actionOf(raw.change?.actions, file, raw.address),
    replacedBecauseOf: paths.map((p) => (Array.isArray(p) ? p.join('.') : String(p))),
    ...(typeof raw.action_reason === 'string' ? { reason: raw.action_reason } : {}),
    ...(protectionOnInState === undefined ? {} : { protectionOnInState }),
  };
}

/** Every argument name by which the kit's resources carry deletion protection, whatever the type. */
const DELETION_PROTECTION_ARGUMENTS = [...new Set(Object.values(DELETION_PROTECTION_ARGUMENT))];

function actionOf(actions: unknown, file: string, address = 'an output'): PlanAction {
  const list = Array.isArray(actions) ? actions.join(',') : '';
  switch (list) {
    case 'no-op':
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'forget':
      return list;
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      throw new PlanFileError(`${file}: ${address} has actions [${list}], which this celerykit does not know. Fix: use the terraform version pinned in docs/ci.md, or report it.`);
  }
}

/** Counts per action, in the order a reviewer reads them. */
export function countActions(changes: readonly ResourceChange[]): Record<'create' | 'update' | 'replace' | 'delete', number> {
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) if (c.action in counts) counts[c.action as keyof typeof counts] += 1;
  return counts;
}
