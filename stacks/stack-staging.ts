/**
 * Where a run's stack files wait between the stack being rendered and the run being known to have
 * passed. Writing each stack's files as soon as it is rendered, instead of keeping its text until
 * every stack is checked, keeps a run's memory flat in the number of stacks (1,000 stacks peaked at
 * 1.5 GB with every text held, and the second thread's share crossed threads as one message). The
 * promise stays the same: a run that fails writes nothing into the output, since the staged files
 * are only renamed into their stack folders once every stack passed, and removed otherwise.
 *
 * The staging folder sits inside the output folder, so a rename never crosses file systems.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prefix of staging folders in an output folder; one per run (the process id tells runs apart). */
const STAGING_PREFIX = '.celerykit-staging-';

/** This run's staging folder in `outdir`. */
export function stagingDirFor(outdir: string): string {
  return join(outdir, `${STAGING_PREFIX}${process.pid}`);
}

/** Writes one stack's files (by name) under `stagingDir`; returns the folder that holds them. */
export function stageStackFiles(stagingDir: string, stackId: string, files: Readonly<Record<string, string>>): string {
  const dir = join(stagingDir, stackId);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The names of the files staged in `stagedDir`. */
export function stagedFileNames(stagedDir: string): string[] {
  return readdirSync(stagedDir).sort();
}

/** Moves the staged file `name` of `stagedDir` to `target` (replacing what is there). */
export function placeStagedFile(stagedDir: string, name: string, target: string): void {
  renameSync(join(stagedDir, name), target);
}

/**
 * Removes every staging folder in `outdir`: this run's, once it has placed or given up its files,
 * and any left by a run that was killed before it could clean up.
 */
export function removeStagingDirs(outdir: string): void {
  let names: string[];
  try {
    names = readdirSync(outdir);
  } catch {
    return; // no output folder: nothing was staged
  }
  for (const name of names) {
    if (name.startsWith(STAGING_PREFIX)) rmSync(join(outdir, name), { recursive: true, force: true });
  }
}
