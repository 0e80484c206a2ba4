/**
 * A Terraform state for a synthesized stack as if it had been applied, built offline: no cloud
 * call, only the real terraform CLI and provider.
 *
 * Each round plans against the current state with -refresh=false and writes a new state from the
 * planned values. Values only known after apply (ids, ARNs, endpoints) get stand-ins the first
 * time; references to them resolve in the next round. When a plan shows no change at all, the
 * state matches the configuration the way a real apply would leave it, and plans of edited
 * configurations against it show exactly the edit's changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terraform, type TerraformSetup } from './terraform-harness';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AttributeType = string | [string, ...unknown[]];

export interface PlanJson {
  terraform_version: string;
  resource_changes: Array<{
    address: string;
    mode: string;
    type: string;
    name: string;
    change: { actions: string[]; after: Record<string, Json> | null; after_unknown: Record<string, Json>; after_sensitive: Json; replace_paths?: string[][] };
  }>;
  output_changes?: Record<string, { actions: string[] }>;
  planned_values?: { outputs?: Record<string, { value?: Json; type?: Json; sensitive?: boolean }> };
}

interface StateResource {
  mode: string;
  type: string;
  name: string;
  provider: string;
  instances: Array<{ schema_version: number; attributes: Record<string, Json>; sensitive_attributes: Json[] }>;
}

const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
/** The kit's generated secrets: a fixed stand-in value, typed as terraform_data stores it. */
const STAND_IN_SECRET = { value: { value: '0123456789abcdef'.repeat(4) }, type: ['object', { value: 'string' }] };

/** Plans with the saved state and returns the plan as JSON (and terraform's exit status). */
export async function planJson(setup: TerraformSetup, work: string, planFile = 'plan.tfplan'): Promise<{ status: number | null; output: string; plan?: PlanJson; jsonFile: string }> {
  const plan = await terraform(setup, work, ['plan', '-input=false', '-lock=false', '-refresh=false', '-detailed-exitcode', `-out=${planFile}`]);
  const jsonFile = join(work, `${planFile}.json`);
  if (plan.status !== 0 && plan.status !== 2) return { status: plan.status, output: `${plan.stdout}\n${plan.stderr}`, jsonFile };
  const show = await terraform(setup, work, ['show', '-json', planFile]);
  if (show.status !== 0) throw new Error(`terraform show failed:\n${show.stderr}`);
  writeFileSync(jsonFile, show.stdout);
  return { status: plan.status, output: plan.stdout, plan: JSON.parse(show.stdout) as PlanJson, jsonFile };
}

/**
 * Rounds of plan-then-write-state until a plan is empty; `statePath` is the local backend's file.
 * Returns the number of rounds. The configuration must not carry prevent_destroy: early rounds
 * replace resources whose stand-in ids changed.
 */
export async function convergeState(setup: TerraformSetup, work: string, statePath: string, maxRounds = 8): Promise<number> {
  const schema = await terraform(setup, work, ['providers', 'schema', '-json']);
  if (schema.status !== 0) throw new Error(`terraform providers schema failed:\n${schema.stderr}`);
  const resourceSchemas = (JSON.parse(schema.stdout) as { provider_schemas: Record<string, { resource_schemas: Record<string, { version: number; block: { attributes?: Record<string, { type?: AttributeType }> } }> }> })
    .provider_schemas[AWS_PROVIDER]!.resource_schemas;
  let previous = new Map<string, Record<string, Json>>();
  for (let round = 1; round <= maxRounds; round += 1) {
    const { status, output, plan } = await planJson(setup, work, 'converge.tfplan');
    if (plan === undefined) throw new Error(`round ${round}: terraform plan failed:\n${output}`);
    if (status === 0) return round;
    const resources: StateResource[] = plan.resource_changes
      .filter((c) => c.mode === 'managed')
      .map((c) => {
        const before = previous.get(c.address);
        let attributes: Record<string, Json>;
        let schemaVersion = 0;
        let provider = `provider["${AWS_PROVIDER}"]`;
        if (c.type === 'terraform_data') {
          attributes = { id: `stand-in-${c.name}`, input: STAND_IN_SECRET, output: STAND_IN_SECRET, triggers_replace: null };
          provider = 'provider["terraform.io/builtin/terraform"]';
        } else {
          const resourceSchema = resourceSchemas[c.type];
          if (resourceSchema === undefined) throw new Error(`no provider schema for ${c.type}`);
          schemaVersion = resourceSchema.version;
          attributes = { ...(c.change.after ?? {}) };
          for (const [key, unknown] of Object.entries(c.change.after_unknown ?? {})) {
            if (unknown !== true) continue;
            attributes[key] = before?.[key] ?? standIn(key, c.name, resourceSchema.block.attributes?.[key]?.type, before !== undefined);
          }
        }
        return { mode: 'managed', type: c.type, name: c.name, provider, instances: [{ schema_version: schemaVersion, attributes, sensitive_attributes: sensitivePaths(c.change.after_sensitive) }] };
      });
    previous = new Map(resources.map((r) => [`${r.type}.${r.name}`, r.instances[0]!.attributes]));
    const outputs = Object.fromEntries(
      Object.entries(plan.planned_values?.outputs ?? {})
        .filter(([, o]) => o.value !== undefined)
        .map(([name, o]) => [name, { value: o.value, type: o.type ?? 'string', ...(o.sensitive ? { sensitive: true } : {}) }]),
    );
    const state = { version: 4, terraform_version: plan.terraform_version, serial: round, lineage: 'celerykit-converged-state', outputs, resources };
    writeFileSync(statePath, JSON.stringify(state));
  }
  throw new Error(`the state did not converge in ${maxRounds} rounds`);
}

/**
 * A stand-in for a value only known after apply. Ids, ARNs and endpoints get unique strings the
 * first round (other resources reference them); other computed values stay null until a later
 * round, then take the type's empty value, as the provider would have read them back.
 */
function standIn(key: string, name: string, type: AttributeType | undefined, laterRound: boolean): Json {
  const tag = name.slice(-8).toLowerCase();
  if (type === 'string') {
    if (key === 'arn' || key.endsWith('_arn')) return `arn:aws:stand-in:eu-west-1:123456789012:x/${tag}`;
    if (key === 'id' || key.endsWith('_id') || key.includes('address') || key.includes('endpoint') || key === 'name') return `stand-in-${tag}`;
  }
  if (!laterRound || type === undefined) return null;
  if (typeof type === 'string') return ({ string: '', number: 0, bool: false } as Record<string, Json>)[type] ?? null;
  if (type[0] === 'list' || type[0] === 'set') return [];
  if (type[0] === 'map') return {};
  return null;
}

/** Terraform's after_sensitive tree as the state's list of sensitive attribute paths. */
function sensitivePaths(tree: Json, path: Json[] = []): Json[] {
  if (tree === true) return [path];
  if (Array.isArray(tree)) return tree.flatMap((v, i) => sensitivePaths(v, [...path, { type: 'index', value: { value: i, type: 'number' } }]));
  if (tree !== null && typeof tree === 'object') return Object.entries(tree).flatMap(([k, v]) => sensitivePaths(v, [...path, { type: 'get_attr', value: k }]));
  return [];
}

/** Edits one resource's attributes in a state file, e.g. to model a broker created before a setting existed. */
export function editStateAttributes(statePath: string, type: string, edit: (attributes: Record<string, Json>) => void): void {
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as { resources: StateResource[] };
  const matches = state.resources.filter((r) => r.type === type);
  if (matches.length !== 1) throw new Error(`expected one ${type} in the state, found ${matches.length}`);
  edit(matches[0]!.instances[0]!.attributes);
  writeFileSync(statePath, JSON.stringify(state));
}
