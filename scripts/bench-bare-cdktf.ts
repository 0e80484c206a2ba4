/**
 * Benchmark comparison: a bare cdktf app that creates exactly the resources of an earlier kit
 * synth (same types and configuration, read from its cdk.tf.json files) with no kit logic.
 *
 *   npm run build && node dist/scripts/bench-bare-cdktf.js <cdktf.out folder of the kit run> <output folder>
 *
 * Compiled like the kit, so both sides run plain JavaScript.
 */
import { App, TerraformResource, TerraformStack } from 'cdktf';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';

process.setSourceMapsEnabled(false);

class RawResource extends TerraformResource {
  constructor(scope: Construct, id: string, type: string, private readonly config: Record<string, unknown>) {
    super(scope, id, { terraformResourceType: type });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.config;
  }
}

const [source, outdir] = process.argv.slice(2) as [string, string];
const app = new App({ outdir, stackTraces: false, skipValidation: true });
let resources = 0;
for (const stackId of readdirSync(join(source, 'stacks'))) {
  const json = JSON.parse(readFileSync(join(source, 'stacks', stackId, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const stack = new TerraformStack(app, stackId);
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      const { ['//']: _metadata, ...rest } = config;
      new RawResource(stack, name, type, rest);
      resources++;
    }
  }
}
app.synth();
console.log(`bare cdktf: ${resources} resources`);
