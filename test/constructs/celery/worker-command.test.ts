/**
 * Worker and scheduled-call command lines, the same for both clouds.
 */
import { describe, expect, it } from 'vitest';
import { scheduledCallCommand, workerCommand } from '../../../constructs/celery/worker-command';
import { loadParameterFile } from '../../../spec/load';
import { editBase, specFromYaml } from '../../helpers/parameter-files';
import type { DeploymentSpec } from '../../../spec/types';

function example(file: string): DeploymentSpec {
  const result = loadParameterFile(`customers/${file}`);
  if (!result.ok) throw new Error(`example ${file} does not load`);
  return result.spec;
}

const acme = example('acme-prod.yaml');
const pool = (name: string) => acme.pools.find((p) => p.name === name)!;

describe('a worker command line', () => {
  it('runs the fast lane on gevent with its own queues, prefetch 1 and time limits', () => {
    expect(workerCommand(acme.app, pool('fast'))).toEqual([
      'celery', '-A', 'myapp', 'worker', '-Q', 'email,webhooks', '-P', 'gevent', '-c', '200',
      '--prefetch-multiplier=1', '-n', 'fast@%h', '-E', '--time-limit=120', '--soft-time-limit=100',
    ]);
  });

  it('always states the prefetch multiplier and sends events, for every pool of every example', () => {
    for (const file of ['acme-prod.yaml', 'globex-prod.yaml', 'initech-prod.yaml', 'umbrella-staging.yaml']) {
      const spec = example(file);
      for (const p of spec.pools) {
        const cmd = workerCommand(spec.app, p);
        expect(cmd).toContain(`--prefetch-multiplier=${p.prefetchMultiplier}`);
        expect(cmd).toContain('-E');
        expect(cmd[cmd.indexOf('-Q') + 1]!.split(',')).toEqual(p.queues);
      }
    }
  });

  it('leaves out time limits a pool does not set', () => {
    const cmd = workerCommand(acme.app, pool('default'));
    expect(cmd).toContain('--time-limit=300');
    expect(cmd.some((a) => a.startsWith('--soft-time-limit'))).toBe(false);
  });
});

describe('a scheduled call', () => {
  it('sends the task to the queue its routes select, with JSON arguments', () => {
    expect(scheduledCallCommand(acme.app, acme.schedules[0]!)).toEqual([
      'celery', '-A', 'myapp', 'call', 'myapp.tasks.reports.nightly', '--queue', 'reports', '--kwargs', '{"scope":"all-accounts"}',
    ]);
  });

  it('passes positional arguments as a JSON list', () => {
    const initech = example('initech-prod.yaml');
    expect(scheduledCallCommand(initech.app, initech.schedules[0]!)).toEqual([
      'celery', '-A', 'tps', 'call', 'tps.tasks.reports.nightly', '--queue', 'reports', '--args', '["full"]',
    ]);
  });
});

describe('the memory cap of a prefork child', () => {
  it('defaults to three quarters of the worker memory per slot, in KiB', () => {
    // reports: 8192 MiB, concurrency 4 -> 1536 MiB per child
    expect(workerCommand(acme.app, pool('reports'))).toContain(`--max-memory-per-child=${1536 * 1024}`);
    expect(pool('reports').maxMemoryPerChildKiB).toBe(1536 * 1024);
  });

  it('is left out for pools without child processes', () => {
    expect(workerCommand(acme.app, pool('fast')).some((a) => a.startsWith('--max-memory-per-child'))).toBe(false);
  });

  it('takes the MiB the file gives', () => {
    const spec = specFromYaml(editBase({ 20: '    timeLimit: 3600\n    maxMemoryPerChild: 700' }));
    expect(workerCommand(spec.app, spec.pools.find((p) => p.name === 'batch')!)).toContain(`--max-memory-per-child=${700 * 1024}`);
  });
});
