/**
 * Which stacks a change touches, for pipelines that plan and deploy only those: the stacks whose
 * parameter file changed, or every stack when the kit itself changed (its code shapes them all).
 */
import { execFileSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { parse } from 'yaml';
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

export interface GitChanges {
  readonly root: string;
  /** Repo-relative paths changed since the merge base (a rename shows as both of its paths). */
  readonly files: string[];
  /** The stack id a file made at the merge base (`<customer>-<environment>`), if it can be read. */
  readonly stackIdAtBase: (file: string) => string | undefined;
}

/** Files changed between `base` and HEAD (from their merge base, as a pull request sees it). */
export function changedFilesSince(base: string, cwd = process.cwd()): GitChanges {
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const root = git(['rev-parse', '--show-toplevel']);
  const mergeBase = git(['merge-base', base, 'HEAD']);
  const files = git(['diff', '--name-only', '--no-renames', `${mergeBase}..HEAD`]);
  const stackIdAtBase = (file: string): string | undefined => {
    try {
      const old = parse(git(['show', `${mergeBase}:${file}`])) as { customer?: unknown; environment?: unknown } | null;
      return typeof old?.customer === 'string' && typeof old.environment === 'string' ? `${old.customer}-${old.environment}` : undefined;
    } catch {
      return undefined;
    }
  };
  return { root, files: files === '' ? [] : files.split('\n'), stackIdAtBase };
}

/**
 * `specs` are every current parameter file's specs; `changes` the git changes; `customersDir` the
 * parameter folder. Only files directly in that folder are parameter files (as for synth).
 */
export function selectChangedStacks(specs: readonly DeploymentSpec[], changes: Pick<GitChanges, 'files' | 'stackIdAtBase'>, customersDir: string, root: string): ChangeSet {
  const folder = `${repoPath(root, customersDir)}/`;
  const inFolder = changes.files.filter((f) => f.startsWith(folder) && !f.slice(folder.length).includes('/'));
  const kitChanged = changes.files.some((f) => !f.startsWith(folder) && !NOT_THE_KIT.some((p) => p.test(f)));
  const bySourceFile = new Map(specs.map((s) => [repoPath(root, s.sourceFile), s]));
  const currentStacks = new Set(specs.map((s) => s.stackId));
  // A file that is gone is a removed stack only if no current file makes its stack (else it was renamed).
  const removedFiles = inFolder.filter((f) => !bySourceFile.has(f) && /\.(ya?ml|json)$/i.test(f) && !currentStacks.has(changes.stackIdAtBase(f) ?? ''));
  const chosen = kitChanged ? specs : inFolder.flatMap((f) => bySourceFile.get(f) ?? []);
  return {
    stacks: chosen.map((s) => ({
      stack: s.stackId,
      file: repoPath(root, s.sourceFile),
      cloud: s.cloud,
      environment: s.environment,
      production: !s.nonProduction,
    })),
    because: kitChanged ? 'kit' : chosen.length > 0 ? 'parameter files' : 'nothing relevant',
    removedFiles,
  };
}

function repoPath(root: string, path: string): string {
  return relative(root, resolve(path)).replace(/\\/g, '/');
}
