/**
 * With replicas, Memorystore for Valkey gives the instance a reader endpoint besides the primary,
 * each its own address in the subnetwork. The egress rules that fence the broker must cover every
 * endpoint the instance has. The rules' destination expression is evaluated by the real terraform
 * CLI (`terraform console`) against an instance value shaped like the provider's `endpoints`
 * attribute; no google provider is needed for that.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAsync } from '../../helpers/run';
import { resourcesOf, synthesizeYaml } from '../../helpers/synth';
import { assertToolPresent, requireTool } from '../../helpers/tools';

const terraform = requireTool('Memorystore endpoint fence', 'terraform', ['version'], 'install the terraform CLI');
const initech = synthesizeYaml(readFileSync('customers/initech-prod.yaml', 'utf8')).json;
const dir = mkdtempSync(join(tmpdir(), 'celerykit-fence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An instance with a primary and a reader endpoint, as the provider reports it. */
const INSTANCE = `{
  endpoints = [{
    connections = [
      { psc_auto_connection = [{ ip_address = "10.40.0.5", port = 6379, connection_type = "CONNECTION_TYPE_PRIMARY" }] },
      { psc_auto_connection = [{ ip_address = "10.40.0.6", port = 6379, connection_type = "CONNECTION_TYPE_READER" }] },
    ]
  }]
}`;

/** Evaluates one `${...}` string of the stack with the Memorystore instance replaced by INSTANCE. */
async function evaluate(template: string): Promise<unknown> {
  const expression = template.replace(/^\$\{([\s\S]*)\}$/, '$1').replace(/google_memorystore_instance\.[A-Za-z0-9_-]+/g, 'local.instance');
  writeFileSync(join(dir, 'main.tf'), `locals {\n  instance = ${INSTANCE}\n}\n`);
  const r = await runAsync('terraform', ['console'], { cwd: dir, input: `jsonencode(${expression})\n`, env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' }, timeoutMs: 60_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(JSON.parse(r.stdout.trim()) as string);
}

describe.skipIf(terraform.skip)('the Memorystore fence', () => {
  const rules = Object.values(resourcesOf(initech, 'google_compute_firewall')).filter((r) => String(r.name).startsWith('initech-prod-broker'));

  it('admits the broker clients to, and denies everyone else, every endpoint of the instance, the reader included', async () => {
    assertToolPresent(terraform);
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(await evaluate(String(rule.destination_ranges))).toEqual(['10.40.0.5/32', '10.40.0.6/32']);
  });

  it('would see a primary-only fence (the check can fail)', async () => {
    assertToolPresent(terraform);
    const primaryOnly = '${[for c in flatten(google_memorystore_instance.x.endpoints[*].connections) : format("%s/32", c.psc_auto_connection[0].ip_address) if c.psc_auto_connection[0].connection_type == "CONNECTION_TYPE_PRIMARY"]}';
    expect(await evaluate(primaryOnly)).toEqual(['10.40.0.5/32']);
  });
});
