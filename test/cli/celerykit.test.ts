/**
 * The celerykit command line, run as users run it (bin/celerykit.cjs).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_FILE, editBase, tempDir, writeParameterFiles } from '../helpers/parameter-files';
import { runQuick } from '../helpers/run';

const repo = resolve(__dirname, '../..');
const celerykitIn = (cwd: string, ...args: string[]) => runQuick(process.execPath, [join(repo, 'bin', 'celerykit.cjs'), ...args], { cwd });
const celerykit = (...args: string[]) => celerykitIn(repo, ...args);

/** A git repository shaped like a user's: the kit's examples in customers/, one commit on main. */
function userRepository(): { dir: string; git: (...args: string[]) => string } {
  const dir = tempDir('celerykit-repo-');
  const git = (...args: string[]): string => {
    const r = runQuick('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  cpSync(join(repo, 'customers'), join(dir, 'customers'), { recursive: true });
  mkdirSync(join(dir, 'constructs'));
  writeFileSync(join(dir, 'constructs', 'kit.ts'), 'export {};\n');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'start');
  git('checkout', '-q', '-b', 'change');
  return { dir, git };
}

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

  it('names each unreadable link of a folder in one line and exits 1, without a stack trace', () => {
    const dir = writeParameterFiles({ 'acme.yaml': BASE_FILE });
    symlinkSync(join(dir, 'loop.yaml'), join(dir, 'loop.yaml'));
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'));
    const r = celerykit('list', dir);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'dangling.yaml')}: error: (top level): this link points at nothing (${join(dir, 'gone.yaml')}). Fix: point the link at an existing parameter file, or remove it.`,
      `${join(dir, 'loop.yaml')}: error: (top level): this link loops (it points, directly or through other links, back at itself). Fix: point the link at the parameter file, or remove it.`,
    ]);
  });

  it('has help for itself and each command, and names an unknown command', () => {
    expect(celerykit('--help').stdout).toContain('validate <file...>');
    expect(celerykit('list', '--help').stdout).toContain('Usage: celerykit list [folder]');
    const unknown = celerykit('deploy');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('celerykit: unknown command "deploy". Fix: run celerykit --help for the commands.');
    for (const command of ['validate', 'changed', 'guard', 'summary']) expect(celerykit(command, '--help').stdout).toContain(`Usage: celerykit ${command}`);
  });

  describe('changed', () => {
    it('selects only the stacks whose parameter file changed, with what a pipeline matrix needs', () => {
      const { dir, git } = userRepository();
      const file = join(dir, 'customers', 'umbrella-staging.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('autoscale: { min: 1, max: 4 }', 'autoscale: { min: 1, max: 5 }'));
      writeFileSync(join(dir, 'docs.md'), 'notes\n');
      git('commit', '-q', '-am', 'scale umbrella');
      git('add', '.');
      git('commit', '-q', '-m', 'notes');
      const r = celerykitIn(dir, 'changed', '--base', 'main', '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([{ stack: 'umbrella-staging', file: 'customers/umbrella-staging.yaml', cloud: 'gcp', environment: 'staging', production: false }]);
    });

    it('selects every stack when the kit itself changed, and none when only docs did', () => {
      const { dir, git } = userRepository();
      writeFileSync(join(dir, 'README.md'), 'docs only\n');
      git('add', '.');
      git('commit', '-q', '-m', 'docs');
      expect(JSON.parse(celerykitIn(dir, 'changed', '--base', 'main', '--json').stdout)).toEqual([]);
      writeFileSync(join(dir, 'constructs', 'kit.ts'), 'export const changed = true;\n');
      git('commit', '-q', '-am', 'kit');
      const r = celerykitIn(dir, 'changed', '--base', 'main');
      expect(r.stdout.trim().split('\n')).toEqual(['acme-prod', 'globex-prod', 'initech-prod', 'umbrella-staging']);
      expect(r.stderr).toContain('4 stacks (kit) since main');
    });

    it('says that a removed file does not destroy its stack', () => {
      const { dir, git } = userRepository();
      rmSync(join(dir, 'customers', 'globex-prod.yaml'));
      git('commit', '-q', '-am', 'offboard globex');
      const r = celerykitIn(dir, 'changed', '--base', 'main', '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect(r.stderr).toContain('customers/globex-prod.yaml was removed; its stack is not destroyed by the pipeline.');
    });

    it('follows a renamed file to its stack instead of calling the stack removed, and ignores subfolders', () => {
      const { dir, git } = userRepository();
      git('mv', 'customers/acme-prod.yaml', 'customers/acme-production.yaml');
      mkdirSync(join(dir, 'customers', 'archive'));
      git('mv', 'customers/globex-prod.yaml', 'customers/archive/globex-prod.yaml');
      git('commit', '-q', '-m', 'rename acme, archive globex');
      const r = celerykitIn(dir, 'changed', '--base', 'main', '--json');
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).map((s: { stack: string; file: string }) => [s.stack, s.file])).toEqual([['acme-prod', 'customers/acme-production.yaml']]);
      expect(r.stderr.trim()).toBe('celerykit changed: customers/globex-prod.yaml was removed; its stack is not destroyed by the pipeline. Run terraform destroy for it by hand, after setting allowDestroy, if that is intended.');
    });

    it('needs a base that git knows', () => {
      const { dir } = userRepository();
      expect(celerykitIn(dir, 'changed', '--json').stderr.trim()).toBe(
        'celerykit changed: no --base given. Fix: celerykit changed --base origin/main (the branch a pull request merges into, or the commit before a push).',
      );
      const r = celerykitIn(dir, 'changed', '--base', 'origin/nope');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^celerykit changed: git cannot compare origin\/nope with HEAD \(.+\)\. Fix: fetch the full history/);
    });
  });

  describe('guard and summary', () => {
    const planFile = (content: string) => {
      const file = join(tempDir('celerykit-plan-json-'), 'plan.json');
      writeFileSync(file, content);
      return file;
    };

    it('refuse a file that is not `terraform show -json` of a plan, and say how to make one', () => {
      const binary = planFile('TFPLAN\u0000binary');
      expect(celerykit('guard', binary).stderr.trim()).toBe(
        `celerykit: ${binary}: is not JSON (the binary plan file, or the wrapper's output?). Fix: run \`terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json\` in the stack folder and pass plan.json.`,
      );
      const state = planFile(JSON.stringify({ format_version: '1.0', terraform_version: '1.11.4', values: {} }));
      expect(celerykit('summary', state).stderr).toContain('holds no planned changes');
      const errored = planFile(JSON.stringify({ format_version: '1.2', errored: true, resource_changes: [] }));
      const r = celerykit('guard', errored);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('terraform reported errors while planning, so the plan is incomplete');
    });

    it('need to know the stack: from the plan or --stack, with a parameter file that makes it', () => {
      const noStack = planFile(JSON.stringify({ format_version: '1.2', resource_changes: [] }));
      expect(celerykit('guard', noStack).stderr.trim()).toBe(`celerykit guard: ${noStack} has no stack_id output. Fix: pass --stack <stack-id>.`);
      const other = celerykit('guard', noStack, '--stack', 'nobody-prod');
      expect(other.status).toBe(1);
      expect(other.stderr).toContain('no parameter file in customers makes stack nobody-prod');
      const known = celerykit('guard', noStack, '--stack', 'acme-prod');
      expect(known.status, known.stderr).toBe(0);
      expect(known.stdout).toContain('passed, no stateful resource is deleted or replaced');
    });

    it('refuse to judge a plan by another stack\'s parameter file', () => {
      const acmePlan = planFile(JSON.stringify({ format_version: '1.2', resource_changes: [], output_changes: { stack_id: { actions: ['no-op'], before: 'acme-prod', after: 'acme-prod' } } }));
      const r = celerykit('guard', acmePlan, '--stack', 'globex-prod');
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`celerykit guard: ${acmePlan} is a plan of stack acme-prod, not globex-prod. Fix: drop --stack, or guard the plan of globex-prod.`);
    });

    it('reject unknown options', () => {
      const r = celerykit('guard', 'plan.json', '--force');
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe('celerykit guard: unknown option --force. Fix: see celerykit guard --help.');
    });
  });
});
