/**
 * The celerykit command line, run as users run it (bin/celerykit.cjs).
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_FILE, editBase, writeParameterFiles } from '../helpers/parameter-files';

const repo = resolve(__dirname, '../..');
const celerykit = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'celerykit.cjs'), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('celerykit', () => {
  it('validates good files and says which stacks they make', () => {
    const r = celerykit('validate', 'customers/acme-prod.yaml', 'customers/initech-prod.yaml');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('2 files valid (acme-prod, initech-prod)');
  });

  it('prints one line per problem of a bad file and exits 1, without a stack trace', () => {
    const dir = writeParameterFiles({ 'bad.yaml': editBase({ 3: 'cloud: awz', 20: '    timeLimit: 1h' }) });
    const r = celerykit('validate', join(dir, 'bad.yaml'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'bad.yaml')}:3: error: cloud: must be "aws" or "gcp". Fix: set cloud to aws or gcp.`,
      `${join(dir, 'bad.yaml')}:20: error: workers.batch.timeLimit: must be a whole number of seconds. Fix: write a number such as 3600 (not "1h").`,
      '',
      '2 errors.',
    ]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('finds two files that would write one stack', () => {
    const dir = writeParameterFiles({ 'a.yaml': BASE_FILE, 'b.yaml': BASE_FILE });
    const r = celerykit('validate', join(dir, 'a.yaml'), join(dir, 'b.yaml'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stack id "acme-prod" is already used by');
  });

  it('lists the stacks of a folder', () => {
    const r = celerykit('list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['acme-prod', 'aws', 'eu-west-1', 'redis'],
      ['globex-prod', 'aws', 'us-east-1', 'rabbitmq'],
      ['initech-prod', 'gcp', 'europe-west1', 'redis'],
      ['umbrella-staging', 'gcp', 'us-central1', 'rabbitmq'],
    ]);
  });

  it('has help for itself and each command, and names an unknown command', () => {
    expect(celerykit('--help').stdout).toContain('validate <file...>');
    expect(celerykit('list', '--help').stdout).toContain('Usage: celerykit list [folder]');
    const unknown = celerykit('deploy');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('celerykit: unknown command "deploy". Fix: run celerykit --help for the commands.');
  });
});
