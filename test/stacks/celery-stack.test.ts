/**
 * Each example file becomes one stack with its cloud's provider, its tags/labels and its backend.
 */
import { App, TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { loadDeploymentsFromDir } from '../../spec/load';
import { CeleryStack } from '../../stacks/celery-stack';
import { editBase, tempDir, writeParameterFiles } from '../helpers/parameter-files';
import { synthesizeDir, type SynthesizedStack } from '../helpers/synth';

const examples = synthesizeDir();
const byId = (id: string): SynthesizedStack => {
  const stack = examples.find((s) => s.spec.stackId === id);
  if (!stack) throw new Error(`no example stack ${id}`);
  return stack;
};

describe('a stack synthesized from a parameter file', () => {
  it('exists once per example file, named <customer>-<environment>', () => {
    expect(examples.map((s) => s.spec.stackId).sort()).toEqual(['acme-prod', 'globex-prod', 'initech-prod', 'umbrella-staging']);
  });

  it('tags every AWS resource with customer, environment, managed-by and the file tags through default_tags', () => {
    const provider = byId('acme-prod').json.provider?.aws?.[0] as { region: string; default_tags: Array<{ tags: Record<string, string> }> };
    expect(provider.region).toBe('eu-west-1');
    expect((provider as unknown as { allowed_account_ids: string[] }).allowed_account_ids).toEqual(['123456789012']);
    expect(provider.default_tags[0]!.tags).toEqual({ customer: 'acme', environment: 'prod', 'managed-by': 'celerykit', 'cost-center': 'cc-1042' });
  });

  it('labels every GCP resource and pins the project and region', () => {
    const provider = byId('initech-prod').json.provider?.google?.[0] as Record<string, unknown>;
    expect(provider).toMatchObject({
      project: 'initech-celery-prod',
      region: 'europe-west1',
      default_labels: { customer: 'initech', environment: 'prod', 'managed-by': 'celerykit', team: 'platform' },
    });
    expect(byId('initech-prod').json.provider?.aws).toBeUndefined();
  });

  it('keeps S3 state under one key per stack, encrypted, with S3-native locking', () => {
    expect(byId('acme-prod').json.terraform?.backend?.s3).toEqual({
      bucket: 'acme-terraform-state',
      key: 'celerykit/acme-prod/terraform.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    });
    expect(byId('globex-prod').json.terraform?.backend?.s3).toMatchObject({ key: 'celerykit/globex-prod/terraform.tfstate', region: 'us-east-2' });
  });

  it('keeps GCS state under one prefix per stack', () => {
    expect(byId('initech-prod').json.terraform?.backend?.gcs).toEqual({ bucket: 'initech-terraform-state', prefix: 'celerykit/initech-prod' });
    expect(byId('umbrella-staging').json.terraform?.backend?.gcs).toEqual({ bucket: 'umbrella-staging-tfstate', prefix: 'celerykit/umbrella-staging' });
  });

  it('keeps local state outside cdktf.out, in the folder main.ts chose', () => {
    const dir = writeParameterFiles({ 'local.yaml': editBase({ 26: 'nonProduction: true', 27: '', 28: '' }) });
    const [stack] = synthesizeDir(dir, '/srv/celerykit-state');
    expect(stack!.json.terraform?.backend?.local).toEqual({ path: '/srv/celerykit-state/terraform.acme-prod.tfstate' });
  });

  it('publishes the generated Celery settings as an output', () => {
    expect(String(byId('acme-prod').json.output?.celery_settings?.value)).toContain('task_default_queue = "default"');
  });

  it('outputs the stack id and its worker pools', () => {
    const output = byId('globex-prod').json.output;
    expect(output?.stack_id?.value).toBe('globex-prod');
    expect(output?.worker_pools?.value).toEqual(['fast', 'reports', 'ml', 'default']);
  });

  it('renders once for the policy pack and synth to share, and refuses new constructs afterwards', () => {
    const { specs } = loadDeploymentsFromDir(writeParameterFiles({ 'acme.yaml': editBase({}) }));
    const app = new App({ outdir: tempDir('celerykit-render-') });
    const stack = new CeleryStack(app, { spec: specs[0]!, localStateDir: '/tmp' });
    stack.render();
    expect(stack.toTerraform()).toBe(stack.toTerraform());
    expect(() => new TerraformOutput(stack, 'late', { value: 1 })).toThrow(/synthesis/);
  });
});
