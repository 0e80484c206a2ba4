/**
 * Synthesizes parameter files the way main.ts does, into a folder of the test's choosing.
 */
import { App } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeploymentsFromDir } from '../../spec/load';
import type { DeploymentSpec } from '../../spec/types';
import { CeleryStack } from '../../stacks/celery-stack';
import { tempDir, writeParameterFiles } from './parameter-files';

export interface SynthesizedStack {
  readonly spec: DeploymentSpec;
  /** Folder holding cdk.tf.json. */
  readonly dir: string;
  /** The parsed cdk.tf.json. */
  readonly json: TerraformJson;
}

export interface TerraformJson {
  terraform?: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, { version?: string; source?: string }> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
}

/** Synthesizes every file of `customersDir` (default: the bundled examples) into a new temp folder. */
export function synthesizeDir(customersDir = 'customers', localStateDir = '/var/lib/celerykit-test'): SynthesizedStack[] {
  const { specs } = loadDeploymentsFromDir(customersDir);
  const outdir = tempDir('celerykit-synth-');
  const app = new App({ outdir });
  for (const spec of specs) new CeleryStack(app, { spec, localStateDir });
  app.synth();
  return specs.map((spec) => {
    const dir = join(outdir, 'stacks', spec.stackId);
    return { spec, dir, json: JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as TerraformJson };
  });
}

/** Lets the test worker answer vitest between long synchronous steps (see test/helpers/run.ts). */
export const yieldToRunner = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * synthesizeDir for many files: several stacks per App, as main.ts does, in chunks with the event
 * loop let go between them, so no single synchronous block nears vitest's 60 s RPC timeout.
 */
export async function synthesizeDirInChunks(customersDir: string, chunkSize = 10, localStateDir = '/var/lib/celerykit-test'): Promise<SynthesizedStack[]> {
  const { specs } = loadDeploymentsFromDir(customersDir);
  const stacks: SynthesizedStack[] = [];
  for (let start = 0; start < specs.length; start += chunkSize) {
    await yieldToRunner();
    const chunk = specs.slice(start, start + chunkSize);
    const outdir = tempDir('celerykit-synth-');
    const app = new App({ outdir });
    for (const spec of chunk) new CeleryStack(app, { spec, localStateDir });
    app.synth();
    for (const spec of chunk) {
      const dir = join(outdir, 'stacks', spec.stackId);
      stacks.push({ spec, dir, json: JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as TerraformJson });
    }
  }
  return stacks;
}

export type ResourceBody = Record<string, unknown> & { lifecycle?: Record<string, unknown> };

/** Resources of one type in a synthesized stack, keyed by their Terraform name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, ResourceBody> {
  return (json.resource?.[type] ?? {}) as Record<string, ResourceBody>;
}

/** The only resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): ResourceBody {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

/** `${type.name.attr}` reference to the resource `name` of `type`, as cdktf writes it. */
export function referenceTo(type: string, name: string, attribute: string): string {
  return `\${${type}.${name}.${attribute}}`;
}

/** Synthesizes one YAML text (usually `editBase(...)`) and returns its stack. */
export function synthesizeYaml(text: string): SynthesizedStack {
  return synthesizeDir(writeParameterFiles({ 'deployment.yaml': text }))[0]!;
}

/** ECS container definitions of a task definition resource, parsed. */
export function containersOf(taskDefinition: ResourceBody): Array<Record<string, unknown>> {
  return JSON.parse(String(taskDefinition.container_definitions)) as Array<Record<string, unknown>>;
}

/** The inline policy document of the role whose name is `roleName`. */
export function inlinePolicyOfRole(json: TerraformJson, roleName: string): { Statement: Array<Record<string, unknown>> } | undefined {
  const roles = resourcesOf(json, 'aws_iam_role');
  const [key] = Object.entries(roles).find(([, r]) => r.name === roleName) ?? [];
  if (key === undefined) throw new Error(`no role ${roleName}`);
  const policy = Object.values(resourcesOf(json, 'aws_iam_role_policy')).find((p) => p.role === `\${aws_iam_role.${key}.id}`);
  return policy === undefined ? undefined : (JSON.parse(String(policy.policy)) as { Statement: Array<Record<string, unknown>> });
}
