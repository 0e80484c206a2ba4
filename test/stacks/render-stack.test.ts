/**
 * The kit's one-pass render gives exactly what cdktf's prepareStack() and toTerraform() give.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { describe, expect, it } from 'vitest';
import { loadDeploymentsFromDir } from '../../spec/load';
import { CeleryStack } from '../../stacks/celery-stack';
import { renderStackOnce } from '../../stacks/render-stack';
import { randomParameterFile } from '../../scripts/parameter-file-generator';
import { tempDir, writeParameterFiles } from '../helpers/parameter-files';
import { yieldToRunner } from '../helpers/synth';

describe('rendering a stack in one pass', () => {
  it('equals cdktf prepareStack() then toTerraform() for the examples and generated files, overrides included', async () => {
    const generated = Array.from({ length: 6 }, (_, i) => randomParameterFile(200 + i, { monitoring: true }));
    const specs = [...loadDeploymentsFromDir('customers').specs, ...loadDeploymentsFromDir(writeParameterFiles(Object.fromEntries(generated.map((f) => [f.name, f.text])))).specs];
    expect(new Set(specs.map((s) => s.state.backend))).toContain('s3');
    for (const spec of specs) {
      await yieldToRunner();
      const once = renderStackOnce(new CeleryStack(new App({ outdir: tempDir() }), { spec, localStateDir: '/tmp' }));
      const reference = new CeleryStack(new App({ outdir: tempDir() }), { spec, localStateDir: '/tmp' });
      TerraformStack.prototype.prepareStack.call(reference);
      expect(JSON.stringify(once), spec.stackId).toBe(JSON.stringify(TerraformStack.prototype.toTerraform.call(reference)));
    }
    // Measured 9.1 s at load average 7 and 21.9 s at 12, on 2 cores (the default is 30 s): about 4x that.
  }, 90_000);

  it('gives up when resolving adds elements (a reference to another stack), so the caller renders the cdktf way', () => {
    const app = new App({ outdir: tempDir() });
    const origin = new TerraformStack(app, 'origin');
    new AwsProvider(origin, 'aws', { region: 'eu-west-1' });
    const queue = new SqsQueue(origin, 'queue', { name: 'q' });
    const user = new TerraformStack(app, 'user');
    new TerraformOutput(user, 'arn', { value: queue.arn });
    expect(renderStackOnce(user)).toBeUndefined();
  });
});
