/**
 * The apply-order rules read the stack's own references and depends_on. This checks the same
 * requirements on the graph the real terraform CLI builds (`terraform graph -type=plan`) for every
 * AWS example and the plan test's variants: each service and schedule is created after every
 * secret value, capacity provider association, listener rule and private route its tasks need. A
 * second case removes one depends_on entry from a synthesized stack and expects exactly that pair
 * to be reported, so the check cannot pass by reading nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOfSynthesizedStack } from '../../constructs/policies/resource-graph';
import { startRequirements } from '../../constructs/policies/rules/apply-order';
import { tempDir, writeParameterFiles } from '../helpers/parameter-files';
import { synthesizeDir, type SynthesizedStack, type TerraformJson } from '../helpers/synth';
import { AWS_VARIANTS } from './aws-variants';
import { findTerraform, prepareOfflineWorkdir, terraform, type TerraformSetup } from './terraform-harness';

const found = findTerraform();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && !inCi) console.warn(`[skipped] terraform graph apply-order checks: ${missing}`);

// terraform 1.x writes plan-graph nodes as "[root] aws_x.name (expand)"; the default graph writes
// bare "aws_x.name". Both are accepted.
const NODE = String.raw`"(?:\[root\] )?([^"\s]+)(?: \((?:expand|close)\))?"`;
const EDGE = new RegExp(`${NODE}\\s*->\\s*${NODE}`, 'g');

/** Edges of a DOT graph from `terraform graph`: node -> what it depends on. */
function dotEdges(dot: string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [, from, to] of dot.matchAll(EDGE)) {
    if (!edges.has(from!)) edges.set(from!, new Set());
    edges.get(from!)!.add(to!);
  }
  return edges;
}

function reaches(edges: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === to && node !== from) return true;
    for (const next of edges.get(node) ?? []) if (!seen.has(next)) (seen.add(next), stack.push(next));
  }
  return false;
}

/** Requirements of the stack that terraform's graph does not honour, as "starter -> prerequisite". */
function unmetInTerraformGraph(json: TerraformJson, dot: string): string[] {
  const edges = dotEdges(dot);
  return startRequirements(resourcesOfSynthesizedStack(json as Record<string, unknown>))
    .filter((r) => r.prerequisite === undefined || !reaches(edges, r.starter.address, r.prerequisite))
    .map((r) => `${r.rule}: ${r.starter.address} -> ${r.prerequisite ?? '(missing from the stack)'}`);
}

async function terraformGraph(setup: TerraformSetup, stackDir: string): Promise<string> {
  const work = prepareOfflineWorkdir(stackDir);
  const init = await terraform(setup, work, ['init', '-input=false']);
  expect(init.status, `${init.stdout}\n${init.stderr}`).toBe(0);
  const graph = await terraform(setup, work, ['graph', '-type=plan']);
  expect(graph.status, graph.stderr).toBe(0);
  return graph.stdout;
}

// The examples, plus an existing VPC with beat as a service and a pool that scales to zero.
const awsStacks: SynthesizedStack[] = [...synthesizeDir(), ...synthesizeDir(writeParameterFiles(AWS_VARIANTS))].filter((s) => s.spec.cloud === 'aws');

describe.skipIf(missing !== undefined && !inCi)("terraform's own graph of the AWS examples and variants", () => {
  let setup: TerraformSetup;
  beforeAll(() => {
    if (missing !== undefined) throw new Error(`CI must run the terraform graph checks, but ${missing}`);
    setup = found as TerraformSetup;
  });

  it.each(awsStacks.map((s) => [s.spec.stackId, s] as const))('%s creates every service and schedule after what its tasks need', async (_id, stack) => {
    const requirements = startRequirements(resourcesOfSynthesizedStack(stack.json as Record<string, unknown>));
    // An empty list would prove nothing: every stack has secrets and capacity providers, a created
    // network has routes, monitoring has listener rules, Amazon MQ has users created by the bootstrap.
    const expected = [
      'CK-ORDER-SECRETS',
      'CK-ORDER-CAPACITY',
      ...(stack.spec.network.mode === 'create' ? ['CK-ORDER-NETWORK'] : []),
      ...(stack.spec.monitoring ? ['CK-ORDER-LISTENER'] : []),
      ...(stack.spec.broker.kind === 'rabbitmq' ? ['CK-ORDER-BROKER-USERS'] : []),
    ];
    expect(new Set(requirements.map((r) => r.rule))).toEqual(new Set(expected));
    expect(unmetInTerraformGraph(stack.json, await terraformGraph(setup, stack.dir))).toEqual([]);
  }, 240_000);

  it('reports the pair whose depends_on entry is removed', async () => {
    const stack = awsStacks.find((s) => s.spec.broker.kind === 'redis')!;
    const json = structuredClone(stack.json);
    const services = json.resource!.aws_ecs_service!;
    const [name, service] = Object.entries(services).find(([n]) => n.includes('pool-default'))!;
    const value = (service.depends_on as string[]).find((d) => d.startsWith('aws_secretsmanager_secret_version.'))!;
    service.depends_on = (service.depends_on as string[]).filter((d) => d !== value);
    const dir = join(tempDir('celerykit-mutated-'), 'stack');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
    expect(unmetInTerraformGraph(json, await terraformGraph(setup, dir))).toEqual([`CK-ORDER-SECRETS: aws_ecs_service.${name} -> ${value}`]);
  }, 240_000);
});
