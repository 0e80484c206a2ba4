/**
 * Which stacks a change touches, for pipelines that plan and deploy only those: the stacks whose
 * parameter file changed, or every stack when the kit itself changed (its code shapes them all).
 */
import { execFileSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { DeploymentSpec } from '../spec/types';

export interface ChangedStack {
  readonly stack: string;
  readonly file: string;
  readonly cloud: string;
  readonly environment: string;
  /** Production stacks deploy through an approval gate. */
  readonly production: boolean;
}

export interface ChangeSet {
  readonly stacks: readonly ChangedStack[];
  /** Why these stacks: `kit` (every stack) or `parameter files`. */
  readonly because: 'kit' | 'parameter files' | 'nothing relevant';
  /** Changed parameter files that no longer exist: their stacks are not destroyed by any pipeline. */
  readonly removedFiles: readonly string[];
}

/** Paths that cannot change a synthesized stack. Everything else outside the customers folder is the kit. */
const NOT_THE_KIT = [/^docs\//, /\.md$/i, /^ci-templates\//, /^\.github\//, /^\.gitlab-ci\.yml$/, /^\.gitignore$/];

/** Files changed between `base` and HEAD (from their merge base, as a pull request sees it), repo-relative. */
export function changedFilesSince(base: string, cwd = process.cwd()): { root: string; files: string[] } {
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const root = git(['rev-parse', '--show-toplevel']);
  const files = git(['diff', '--name-only', '--no-renames', `${base}...HEAD`]);
  return { root, files: files === '' ? [] : files.split('\n') };
}

/**
 * `specs` are every current parameter file's specs; `changed` are repo-relative paths; `customersDir`
 * is the parameter folder as a repo-relative path.
 */
export function selectChangedStacks(specs: readonly DeploymentSpec[], changed: readonly string[], customersDir: string, root: string): ChangeSet {
  const folder = `${relative(root, resolve(customersDir)).replace(/\\/g, '/')}/`;
  const inFolder = changed.filter((f) => f.startsWith(folder));
  const kitChanged = changed.some((f) => !f.startsWith(folder) && !NOT_THE_KIT.some((p) => p.test(f)));
  const bySourceFile = new Map(specs.map((s) => [relative(root, resolve(s.sourceFile)).replace(/\\/g, '/'), s]));
  const removedFiles = inFolder.filter((f) => !bySourceFile.has(f) && /\.(ya?ml|json)$/i.test(f));
  const chosen = kitChanged ? specs : inFolder.flatMap((f) => bySourceFile.get(f) ?? []);
  return {
    stacks: chosen.map((s) => ({
      stack: s.stackId,
      file: relative(root, resolve(s.sourceFile)).replace(/\\/g, '/'),
      cloud: s.cloud,
      environment: s.environment,
      production: !s.nonProduction,
    })),
    because: kitChanged ? 'kit' : chosen.length > 0 ? 'parameter files' : 'nothing relevant',
    removedFiles,
  };
}
