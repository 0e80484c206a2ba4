/**
 * The construct library (lib/): the same parameters give the same resources as the YAML path,
 * mistakes throw with key paths, and the constructs fit into stacks the user owns.
 */
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CeleryParametersError, CeleryPolicyPack, type CeleryParameters } from '../../lib';
import { CeleryPlatformAws } from '../../lib/aws';
import { CeleryPlatformGcp } from '../../lib/gcp';
import { listParameterFiles } from '../../spec/load';
import { synthesizeDirInChunks, yieldToRunner, type TerraformJson } from '../helpers/synth';

function libraryStack(parameters: CeleryParameters, build?: (stack: TerraformStack) => void, terraformNamePrefix?: string): TerraformJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'user-stack');
  build?.(stack);
  const names = terraformNamePrefix === undefined ? {} : { terraformNamePrefix };
  if (parameters.cloud === 'aws') new CeleryPlatformAws(stack, 'aws', { parameters: parameters as CeleryParameters & { cloud: 'aws' }, ...names });
  else new CeleryPlatformGcp(stack, 'gcp', { parameters: parameters as CeleryParameters & { cloud: 'gcp' }, ...names });
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** An example file as library parameters: the keys only the YAML path reads go. */
function exampleParameters(file: string): CeleryParameters {
  const { state: _state, ...parameters } = parse(readFileSync(file, 'utf8')) as CeleryParameters;
  return parameters;
}

/** Resources (or data sources) without cdktf's "//" metadata (construct paths), which name the stack and differ by design. */
function withoutMetadata(resources: TerraformJson['resource']): unknown {
  return Object.fromEntries(Object.entries(resources ?? {}).map(([type, byName]) => [type, Object.fromEntries(Object.entries(byName).map(([name, { '//': _meta, ...body }]) => [name, body]))]));
}

const AWS_BASE = exampleParameters('customers/acme-prod.yaml') as CeleryParameters & { cloud: 'aws' };

describe('the construct library', () => {
  it('gives the same resources, providers and data sources as the YAML path for each bundled example', async () => {
    // One stack per step, with the event loop let go between them (a loaded machine takes seconds per stack).
    const yaml = await synthesizeDirInChunks('customers', 1);
    const files = listParameterFiles('customers');
    expect(files).toHaveLength(yaml.length);
    for (const stack of yaml) {
      await yieldToRunner();
      const file = files.find((f) => f.endsWith(`${stack.spec.stackId}.yaml`))!;
      // With the plain names of the YAML path: variables (oidc_client_secret) are referenced by resources.
      const library = libraryStack(exampleParameters(file), undefined, '') as TerraformJson & { data?: TerraformJson['resource'] };
      expect(Object.keys(library.resource ?? {}).length, stack.spec.stackId).toBeGreaterThan(10);
      expect(withoutMetadata(library.resource), stack.spec.stackId).toEqual(withoutMetadata(stack.json.resource));
      expect(library.provider, stack.spec.stackId).toEqual(stack.json.provider);
      expect(withoutMetadata(library.data), stack.spec.stackId).toEqual(withoutMetadata((stack.json as { data?: TerraformJson['resource'] }).data));
    }
    // Measured 10.7 s at load average 7 and 17.0 s at 12, on 2 cores (the default is 30 s): about 4x that.
  }, 70_000);

  it('throws one line per mistake, naming the construct and the key path, for a contradiction the YAML path refuses', () => {
    const bad = { ...AWS_BASE, broker: { kind: 'redis', visibilityTimeout: 600 } } as CeleryParameters;
    let error: unknown;
    try {
      libraryStack(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CeleryParametersError);
    const { problems, message } = error as CeleryParametersError;
    expect(problems.filter((p) => p.severity === 'error').length).toBeGreaterThan(0);
    expect(message).toMatch(/^\d+ problems? in the celerykit parameters of user-stack\/aws:\n/);
    // No file, so no line number: the construct path and the key path instead.
    expect(message.split('\n').slice(1).every((l) => /^user-stack\/aws: error: [\w.[\]"-]+: .+ Fix: .+/.test(l)), message).toBe(true);
    expect(problems.every((p) => p.line === undefined)).toBe(true);
  });

  it('refuses the keys only the YAML path reads (state, policy), saying where they belong instead', () => {
    expect(() => libraryStack({ ...AWS_BASE, state: { backend: 'local' } })).toThrow(/state: .*Fix: remove state and configure the backend on your TerraformStack/);
    expect(() => libraryStack({ ...AWS_BASE, policy: { suppress: [{ rule: 'CK-TAGS', reason: 'x' }] } } as CeleryParameters)).toThrow(/CeleryPolicyPack/);
  });

  it('refuses parameters of the other cloud', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    expect(() => new CeleryPlatformGcp(stack, 'gcp', { parameters: AWS_BASE as unknown as CeleryParameters & { cloud: 'gcp' } })).toThrow(/cloud: this construct builds on gcp.*CeleryPlatformAws/);
  });

  it("uses the stack's own provider, places the platform in the user's VPC by reference, and keeps two platforms' outputs apart", () => {
    const json = libraryStack({ ...AWS_BASE, customer: 'first' }, (stack) => {
      new AwsProvider(stack, 'mine', { region: 'eu-west-1', defaultTags: [{ tags: { customer: 'x', environment: 'prod', 'managed-by': 'celerykit' } }] });
      const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.60.0.0/16' });
      const subnets = ['eu-west-1a', 'eu-west-1b'].map((az, i) => new Subnet(stack, `s${i}`, { vpcId: vpc.id, availabilityZone: az, cidrBlock: `10.60.${i * 16}.0/20` }));
      new CeleryPlatformAws(stack, 'second', {
        parameters: {
          ...AWS_BASE,
          customer: 'second',
          monitoring: undefined,
          network: { existing: { vpcId: vpc.id, subnetIds: subnets.map((s) => s.id) }, zones: ['eu-west-1a', 'eu-west-1b'] },
        },
      });
    });
    expect(json.provider?.aws).toHaveLength(1);
    expect(json.provider?.aws?.[0]?.alias).toBeUndefined();
    // The second platform's groups live in the user's VPC, not in a VPC of the kit's.
    const groups = Object.values(json.resource?.aws_security_group ?? {});
    expect(groups.filter((g) => String(g.vpc_id).includes('aws_vpc.vpc.id')).length).toBeGreaterThan(0);
    expect(Object.keys(json.resource?.aws_vpc ?? {})).toHaveLength(2); // the user's, and the first platform's own
    const outputs = Object.keys(json.output ?? {});
    expect(outputs).toEqual(expect.arrayContaining(['aws_cluster_name', 'second_cluster_name']));
  });

  it('gives two platforms with monitoring in one stack their own variables and outputs, each resource reading its own', () => {
    const json = libraryStack({ ...AWS_BASE, customer: 'first' }, (stack) => {
      new CeleryPlatformAws(stack, 'second', { parameters: { ...AWS_BASE, customer: 'second' } });
    }) as TerraformJson & { variable?: Record<string, unknown> };
    const variables = Object.keys(json.variable ?? {});
    expect(variables).toEqual(expect.arrayContaining(['aws_oidc_client_secret', 'second_oidc_client_secret']));
    expect(variables).not.toContain('oidc_client_secret');
    expect(Object.keys(json.output ?? {})).toEqual(expect.arrayContaining(['aws_flower_url', 'second_flower_url', 'aws_broker_url_secret_arn', 'second_broker_url_secret_arn']));
    // Each platform's listener rules read the client secret of its own variable.
    const rules = Object.entries(json.resource?.aws_lb_listener_rule ?? {}).map(([name, body]) => [name, JSON.stringify(body)] as const);
    const reads = (prefix: string) => rules.filter(([, body]) => body.includes(`var.${prefix}_oidc_client_secret`)).length;
    expect(reads('aws')).toBeGreaterThan(0);
    expect(reads('second')).toBe(reads('aws'));
  });

  it('sets an aliased provider on every resource of the platform', () => {
    const json = libraryStack({ ...AWS_BASE, monitoring: undefined, cloud: 'aws' }, (stack) => {
      new AwsProvider(stack, 'default', { region: 'us-east-1' });
    });
    expect(json.provider?.aws).toHaveLength(1);
    const app = Testing.app();
    const stack = new TerraformStack(app, 'aliased');
    new AwsProvider(stack, 'default', { region: 'us-east-1' });
    const eu = new AwsProvider(stack, 'eu', { region: 'eu-west-1', alias: 'eu' });
    new CeleryPlatformAws(stack, 'aws', { parameters: AWS_BASE as CeleryParameters & { cloud: 'aws' }, provider: eu });
    const aliased = JSON.parse(Testing.synth(stack)) as TerraformJson;
    // terraform_data belongs to Terraform itself and takes no provider.
    const bodies = Object.entries(aliased.resource ?? {})
      .filter(([type]) => !type.startsWith('terraform_'))
      .flatMap(([, byName]) => Object.values(byName));
    expect(bodies.length).toBeGreaterThan(50);
    expect(bodies.filter((b) => b.provider !== 'aws.eu')).toEqual([]);
  });

  it('applies the policy pack as an Aspect to a whole stack: a resource of the user that breaks a rule stops the synth', () => {
    const build = (open: boolean) => {
      const app = new App({ outdir: Testing.app().outdir });
      const stack = new TerraformStack(app, 'user-stack');
      new CeleryPlatformAws(stack, 'aws', { parameters: AWS_BASE as CeleryParameters & { cloud: 'aws' } });
      new SecurityGroup(stack, 'admin', { name: 'admin', ingress: open ? [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }] : [] });
      // Per stack: cdktf invokes aspects from each stack down, so an App-level aspect never runs.
      Aspects.of(stack).add(new CeleryPolicyPack());
      return () => app.synth();
    };
    expect(build(false)).not.toThrow();
    expect(build(true)).toThrow(/aws_security_group\.admin .*CK-NET-NO-OPEN-INGRESS/);
  });
});
