/**
 * Resolved deployment specs: the example customer files, and the defaults and derived values the
 * loader fills in for keys a file leaves out.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadParameterFile } from '../../spec/load';
import type { DeploymentSpec, WorkerPoolSpec } from '../../spec/types';
import { BASE_FILE, editBase, specFromYaml, tempDir } from '../helpers/parameter-files';

function loadCustomer(name: string): DeploymentSpec {
  const file = `customers/${name}.yaml`;
  const result = loadParameterFile(file);
  if (!result.ok) throw new Error(`${file} does not load: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

function poolNamed(spec: DeploymentSpec, name: string): WorkerPoolSpec {
  const pool = spec.pools.find((p) => p.name === name);
  if (pool === undefined) throw new Error(`no pool "${name}" in ${spec.stackId}`);
  return pool;
}

const CUSTOMERS = ['acme-prod', 'globex-prod', 'initech-prod', 'umbrella-staging'] as const;

describe('the example customer files', () => {
  it.each(CUSTOMERS)('%s loads as the stack of the same name, without warnings', (name) => {
    const result = loadParameterFile(`customers/${name}.yaml`);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const spec = loadCustomer(name);
    expect(spec.stackId).toBe(name);
    expect(spec.sourceFile).toBe(`customers/${name}.yaml`);
  });

  it.each(CUSTOMERS)('%s uses one prefetched message per slot in every pool, as none sets it', (name) => {
    const spec = loadCustomer(name);
    expect(spec.pools.length).toBeGreaterThan(0);
    for (const pool of spec.pools) expect(pool.prefetchMultiplier, pool.name).toBe(1);
  });

  it.each(CUSTOMERS)('%s tags every resource with its customer, environment and the kit', (name) => {
    const spec = loadCustomer(name);
    expect(spec.tags).toMatchObject({ customer: spec.customer, environment: spec.environment, 'managed-by': 'celerykit' });
    expect(`${spec.customer}-${spec.environment}`).toBe(name);
  });
});

describe('acme-prod (AWS, Valkey broker)', () => {
  const spec = loadCustomer('acme-prod');

  it('derives a visibility timeout just above its longest time limit', () => {
    expect(spec.derived.longestTimeLimit).toBe(3600);
    expect(spec.broker).toMatchObject({ kind: 'redis', engine: 'valkey', visibilityTimeout: 4500, visibilityTimeoutDerived: true });
  });

  it('has its four routed queues plus the default queue, each with one consuming pool', () => {
    expect(spec.defaultQueue).toBe('default');
    expect(spec.queues.map((q) => [q.name, q.consumedBy])).toEqual([
      ['email', 'fast'],
      ['webhooks', 'fast'],
      ['reports', 'reports'],
      ['ml', 'ml'],
      ['default', 'default'],
    ]);
    expect(spec.queues.find((q) => q.name === 'default')!.routes).toEqual([]);
    expect(spec.queues.find((q) => q.name === 'email')!.routes).toEqual(['myapp.tasks.email.*']);
  });

  it('sends a schedule to the queue its task routes to', () => {
    expect(spec.schedules).toHaveLength(1);
    expect(spec.schedules[0]).toMatchObject({ name: 'nightly-report', task: 'myapp.tasks.reports.nightly', queue: 'reports', timezone: 'Europe/Dublin' });
    expect(spec.schedules[0]!.kwargs).toEqual({ scope: 'all-accounts' });
    expect(spec.schedules[0]!.args).toEqual([]);
  });

  it("keeps the file's own tags next to the kit's", () => {
    expect(spec.tags).toEqual({ 'cost-center': 'cc-1042', customer: 'acme', environment: 'prod', 'managed-by': 'celerykit' });
  });

  it('keeps its state in S3 under one key per stack, in the stack region', () => {
    expect(spec.state).toEqual({ backend: 's3', bucket: 'acme-terraform-state', region: 'eu-west-1', key: 'celerykit/acme-prod/terraform.tfstate' });
  });

  it('scales each pool from its own autoscale settings and expects its minimum of workers', () => {
    expect(poolNamed(spec, 'fast')).toMatchObject({ pool: 'gevent', concurrency: 200, autoscale: { min: 2, max: 20, backlogPerWorker: 200 }, expectedWorkers: 2 });
    expect(poolNamed(spec, 'ml')).toMatchObject({ spot: true, expectedWorkers: 0 });
    expect(poolNamed(spec, 'default').autoscale).toEqual({ min: 1, max: 4, backlogPerWorker: 2 });
  });

  it('runtime buckets end at its longest time limit', () => {
    expect(spec.derived.runtimeBuckets.at(-1)).toBe(3600);
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.pools)).toBe(true);
    expect(Object.isFrozen(spec.pools[0])).toBe(true);
    expect(Object.isFrozen(spec.pools[0]!.autoscale)).toBe(true);
    expect(Object.isFrozen(spec.pools[0]!.queues)).toBe(true);
    expect(Object.isFrozen(spec.broker)).toBe(true);
    expect(Object.isFrozen(spec.tags)).toBe(true);
    expect(Object.isFrozen(spec.derived.runtimeBuckets)).toBe(true);
    expect(Object.isFrozen(spec.schedules[0]!.kwargs)).toBe(true);
    expect(() => {
      (spec as { stackId: string }).stackId = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (spec.broker as { visibilityTimeout: number }).visibilityTimeout = 60;
    }).toThrow(TypeError);
    expect(spec.stackId).toBe('acme-prod');
  });
});

describe('globex-prod (AWS, RabbitMQ broker)', () => {
  const spec = loadCustomer('globex-prod');

  it('runs a three-node RabbitMQ cluster in production', () => {
    expect(spec.nonProduction).toBe(false);
    expect(spec.broker).toMatchObject({ kind: 'rabbitmq', nodes: 3, engineVersion: '3.13', instanceType: 'mq.m5.large' });
  });

  it('keeps its state in the bucket region the file names, not the stack region', () => {
    expect(spec.region).toBe('us-east-1');
    expect(spec.state).toEqual({ backend: 's3', bucket: 'globex-tf-state', region: 'us-east-2', key: 'celerykit/globex-prod/terraform.tfstate' });
  });

  it('fills in autoscale defaults for a pool that sets none', () => {
    expect(poolNamed(spec, 'default')).toMatchObject({ pool: 'prefork', autoscale: { min: 1, max: 10, backlogPerWorker: 2 }, expectedWorkers: 1 });
  });

  it('merges the alert thresholds it sets over the defaults', () => {
    expect(spec.monitoring?.alerts.queueLength).toEqual({ threshold: 1000, forMinutes: 10 });
    expect(spec.monitoring?.alerts.failureSpike).toEqual({ ratio: 3, minFailuresPerMinute: 1 });
  });
});

describe('initech-prod (GCP, Valkey broker)', () => {
  const spec = loadCustomer('initech-prod');

  it('runtime buckets reach past its two-hour time limit', () => {
    expect(spec.derived.longestTimeLimit).toBe(7200);
    expect(spec.derived.runtimeBuckets.at(-1)).toBe(7200);
  });

  it('derives a visibility timeout above its two-hour time limit', () => {
    expect(spec.broker).toMatchObject({ kind: 'redis', engine: 'valkey', visibilityTimeout: 9000, visibilityTimeoutDerived: true });
  });

  it('keeps its state in GCS under one prefix per stack', () => {
    expect(spec.state).toEqual({ backend: 'gcs', bucket: 'initech-terraform-state', prefix: 'celerykit/initech-prod' });
  });

  it('labels resources with its own labels and the kit’s', () => {
    expect(spec.tags).toEqual({ team: 'platform', customer: 'initech', environment: 'prod', 'managed-by': 'celerykit' });
  });
});

describe('umbrella-staging (GCP, RabbitMQ, non-production)', () => {
  const spec = loadCustomer('umbrella-staging');

  it('runs a single RabbitMQ node outside production', () => {
    expect(spec.nonProduction).toBe(true);
    expect(spec.broker).toMatchObject({ kind: 'rabbitmq', nodes: 1 });
  });

  it('has no warning about local state', () => {
    expect(spec.warnings.filter((w) => w.path[0] === 'state')).toEqual([]);
    expect(spec.warnings).toEqual([]);
  });

  it('schedules in UTC when the file names no time zone', () => {
    expect(spec.schedules[0]).toMatchObject({ name: 'nightly-report', cron: '0 4 * * 1-5', timezone: 'UTC', queue: 'reports' });
  });

  it('creates its network in the range the file gives', () => {
    expect(spec.network).toEqual({ mode: 'create', cidr: '10.60.0.0/16', zones: [] });
  });
});

describe('a parameter file that leaves keys out', () => {
  it('runs a prefork pool with one process per whole vCPU', () => {
    const spec = specFromYaml(editBase({ 19: '    queues: [reports]\n    cpu: 4\n    memory: 8192' }));
    expect(poolNamed(spec, 'batch')).toMatchObject({ pool: 'prefork', cpu: 4, memory: 8192, concurrency: 4 });
  });

  it('runs one prefork process on the default single vCPU', () => {
    const batch = poolNamed(specFromYaml(BASE_FILE), 'batch');
    expect(batch).toMatchObject({ pool: 'prefork', cpu: 1, memory: 2048, concurrency: 1, spot: false, prefetchMultiplier: 1 });
  });

  it('runs one prefork process on less than a vCPU', () => {
    const spec = specFromYaml(editBase({ 19: '    queues: [reports]\n    cpu: 0.5' }));
    expect(poolNamed(spec, 'batch')).toMatchObject({ cpu: 0.5, concurrency: 1 });
  });

  it('runs 100 greenlets for a gevent pool', () => {
    expect(poolNamed(specFromYaml(BASE_FILE), 'fast')).toMatchObject({ pool: 'gevent', concurrency: 100 });
  });

  it('scales between 1 and 10 workers with a backlog target of one concurrency per worker', () => {
    const spec = specFromYaml(BASE_FILE);
    expect(poolNamed(spec, 'fast').autoscale).toEqual({ min: 1, max: 10, backlogPerWorker: 100 });
    expect(poolNamed(spec, 'batch').autoscale).toEqual({ min: 1, max: 10, backlogPerWorker: 1 });
  });

  it('takes the backlog target from an explicit concurrency', () => {
    const spec = specFromYaml(editBase({ 16: '    pool: gevent\n    concurrency: 40' }));
    expect(poolNamed(spec, 'fast')).toMatchObject({ concurrency: 40, autoscale: { backlogPerWorker: 40 } });
  });

  it('expects as many live workers as the autoscale minimum', () => {
    expect(poolNamed(specFromYaml(BASE_FILE), 'fast').expectedWorkers).toBe(1);
    const spec = specFromYaml(editBase({ 17: '    timeLimit: 60\n    autoscale: {min: 3, max: 5}' }));
    expect(poolNamed(spec, 'fast')).toMatchObject({ autoscale: { min: 3, max: 5 }, expectedWorkers: 3 });
    const idle = specFromYaml(editBase({ 17: '    timeLimit: 60\n    autoscale: {min: 0}' }));
    expect(poolNamed(idle, 'fast')).toMatchObject({ autoscale: { min: 0, max: 10 }, expectedWorkers: 0 });
  });

  it('sends unrouted tasks to a queue named "default", added to the declared queues', () => {
    const spec = specFromYaml(BASE_FILE);
    expect(spec.defaultQueue).toBe('default');
    expect(spec.queues.map((q) => q.name)).toEqual(['email', 'reports', 'default']);
    expect(spec.queues.find((q) => q.name === 'default')).toEqual({ name: 'default', routes: [], consumedBy: 'fast' });
  });

  it('uses the default queue the file names, without adding "default"', () => {
    const spec = specFromYaml(editBase({ 12: '  reports: ["myapp.tasks.reports.*"]\ndefaultQueue: email', 15: '    queues: [email]' }));
    expect(spec.defaultQueue).toBe('email');
    expect(spec.queues.map((q) => q.name)).toEqual(['email', 'reports']);
  });

  it('sends a scheduled task to the default queue when no route matches it', () => {
    const spec = specFromYaml(editBase({ 25: '    task: myapp.tasks.cleanup.purge' }));
    expect(spec.schedules[0]!.queue).toBe('default');
  });

  it('sends a scheduled task to the queue the file names over the routed one', () => {
    const spec = specFromYaml(editBase({ 25: '    task: myapp.tasks.reports.nightly\n    queue: email' }));
    expect(spec.schedules[0]!.queue).toBe('email');
    expect(specFromYaml(BASE_FILE).schedules[0]!.queue).toBe('reports');
  });

  it('derives the Redis visibility timeout from the longest time limit', () => {
    const spec = specFromYaml(BASE_FILE);
    expect(spec.broker).toMatchObject({ kind: 'redis', engine: 'valkey', visibilityTimeout: 4500, visibilityTimeoutDerived: true });
  });

  it("falls back to Celery's one-hour visibility timeout and hour-long buckets without time limits", () => {
    const spec = specFromYaml(editBase({ 17: '', 20: '', 21: '' }));
    expect(spec.derived.longestTimeLimit).toBeUndefined();
    expect(spec.broker).toMatchObject({ visibilityTimeout: 3600, visibilityTimeoutDerived: true });
    expect(spec.derived.runtimeBuckets.at(-1)).toBe(3600);
  });

  it('keeps a visibility timeout the file sets, and says it was not derived', () => {
    const spec = specFromYaml(editBase({ 9: '  kind: redis\n  visibilityTimeout: 7200' }));
    expect(spec.broker).toMatchObject({ visibilityTimeout: 7200, visibilityTimeoutDerived: false });
  });

  it('tags resources with customer, environment and managed-by only', () => {
    expect(specFromYaml(BASE_FILE).tags).toEqual({ customer: 'acme', environment: 'prod', 'managed-by': 'celerykit' });
  });

  it('creates a network over three zones of the AWS region', () => {
    expect(specFromYaml(BASE_FILE).network).toEqual({ mode: 'create', cidr: '10.40.0.0/16', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
  });

  it('keeps production state in a local file per stack, with a warning', () => {
    const spec = specFromYaml(editBase({ 26: '', 27: '', 28: '' }));
    expect(spec.state).toEqual({ backend: 'local', path: 'terraform.acme-prod.tfstate' });
    expect(spec.warnings.map((w) => [w.severity, w.path])).toEqual([['warning', ['state']]]);
  });

  it('keeps non-production state in a local file without a warning, and runs one RabbitMQ node', () => {
    const spec = specFromYaml(editBase({ 4: 'region: eu-west-1\nnonProduction: true', 9: '  kind: rabbitmq', 26: '', 27: '', 28: '' }));
    expect(spec.state).toEqual({ backend: 'local', path: 'terraform.acme-prod.tfstate' });
    expect(spec.warnings).toEqual([]);
    expect(spec.broker).toMatchObject({ kind: 'rabbitmq', nodes: 1 });
  });
});

describe('a JSON parameter file', () => {
  it('loads to the same spec as the same data in YAML', () => {
    const dir = tempDir();
    const jsonFile = join(dir, 'deployment.json');
    writeFileSync(jsonFile, JSON.stringify(parse(BASE_FILE), null, 2));
    const fromJson = loadParameterFile(jsonFile);
    if (!fromJson.ok) throw new Error(JSON.stringify(fromJson.problems));
    const fromYaml = specFromYaml(BASE_FILE);

    expect(fromJson.spec.sourceFile).toBe(jsonFile);
    expect(fromYaml.sourceFile).toMatch(/\.yaml$/);
    const withoutSource = (spec: DeploymentSpec) => ({ ...spec, sourceFile: 'ignored' });
    expect(withoutSource(fromJson.spec)).toEqual(withoutSource(fromYaml));
    expect(fromJson.spec.stackId).toBe('acme-prod');
    expect(fromJson.spec.pools.map((p) => p.name)).toEqual(['fast', 'batch']);
  });
});

describe('a queue named like an Object.prototype member', () => {
  it('gets no routes from Object.prototype (own keys only, issue 18)', () => {
    const spec = specFromYaml(editBase({ 1: 'customer: acme\ndefaultQueue: constructor', 15: '    queues: [email, constructor]' }));
    expect(spec.queues.find((q) => q.name === 'constructor')?.routes).toEqual([]);
  });
});
