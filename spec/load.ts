/**
 * The loader: parameter files in, validated DeploymentSpecs out, or every problem of every file.
 * Only this module (and main.ts) touches the file system.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ProblemCollector, SpecValidationError, type SpecProblem } from './problems';
import { readParameterFile } from './read-file';
import type { DeploymentSpec } from './types';
import { debugRequested, describeError, UNEXPECTED_FIX } from './unexpected-error';
import { validateParameterData, type LoadResult } from './validate-parameters';

const PARAMETER_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'];

export type { LoadResult } from './validate-parameters';

/**
 * Loads one file; never throws. Content the kit did not foresee (an error inside the YAML parser or
 * a check) becomes one problem naming the file, so one odd file cannot hide the others' problems.
 */
export function loadParameterFile(file: string): LoadResult {
  try {
    return loadCheckedFile(file);
  } catch (e) {
    if (debugRequested()) throw e;
    return { ok: false, problems: [{ severity: 'error', file, path: [], problem: `the kit stopped unexpectedly while checking this file (${describeError(e)})`, fix: UNEXPECTED_FIX }] };
  }
}

function loadCheckedFile(file: string): LoadResult {
  const parsed = readParameterFile(file);
  if (parsed.syntaxErrors.length > 0) {
    const problems = parsed.syntaxErrors.map((e) => ({ severity: 'error' as const, file, line: e.line, path: e.path ?? [], problem: e.problem, fix: e.fix }));
    return { ok: false, problems };
  }
  return validateParameterData(parsed.data, file, parsed.lineOf);
}

/**
 * Parameter files in a folder, sorted so stack order (and output) is stable. Throws
 * SpecValidationError, one problem per entry, for a folder that is missing, a file, or unreadable,
 * and for links that loop or point at nothing: a customer file that cannot be read must stop the
 * run, or its stack would look removed.
 */
export function listParameterFiles(dir: string): string[] {
  const folderProblem = (problem: string, fix: string) => new SpecValidationError([{ severity: 'error', file: dir, path: [], problem, fix }]);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = 'point CUSTOMERS_DIR at the folder that holds them';
    if (code === 'ENOENT') throw folderProblem('this folder does not exist', `create it with your customer files, or ${where}`);
    if (code === 'ENOTDIR') throw folderProblem('this is a file, not a folder', where);
    if (code === 'ELOOP') throw folderProblem('this folder is a link that loops back to itself', `replace the link with the folder, or ${where}`);
    throw folderProblem(`cannot read this folder (${code ?? describeError(e)})`, 'check its permissions');
  }
  const files: string[] = [];
  const problems: SpecProblem[] = [];
  for (const name of names.sort()) {
    if (!PARAMETER_FILE_EXTENSIONS.includes(extname(name).toLowerCase()) || name.startsWith('.')) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) files.push(path);
    } catch (e) {
      problems.push(entryProblem(path, (e as NodeJS.ErrnoException).code));
    }
  }
  if (problems.length > 0) throw new SpecValidationError(problems);
  return files;
}

/** One line for a folder entry whose target cannot be read: a link loop, a dangling link, or no permission. */
function entryProblem(path: string, code: string | undefined): SpecProblem {
  const at = (problem: string, fix: string): SpecProblem => ({ severity: 'error', file: path, path: [], problem, fix });
  if (code === 'ELOOP') return at('this link loops (it points, directly or through other links, back at itself)', 'point the link at the parameter file, or remove it');
  if (code === 'ENOENT') {
    let target = '';
    try {
      target = ` (${readlinkSync(path)})`;
    } catch {
      // Gone between listing and reading: the plain wording fits.
    }
    return at(`this link points at nothing${target}`, 'point the link at an existing parameter file, or remove it');
  }
  return at(`cannot read this file (${code ?? 'unreadable'})`, 'check its permissions');
}

/**
 * Loads every file and checks the set (stack ids unique). Throws SpecValidationError carrying
 * every problem of every file when any file has an error; returns specs and warnings otherwise.
 */
export function loadDeployments(files: readonly string[], onProgress?: (filesDone: number) => void): { specs: DeploymentSpec[]; warnings: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const specs: DeploymentSpec[] = [];
  files.forEach((file, index) => {
    const result = loadParameterFile(file);
    problems.push(...result.problems);
    if (result.ok) specs.push(result.spec);
    onProgress?.(index + 1);
  });
  const firstFileOf = new Map<string, string>();
  for (const spec of specs) {
    const earlier = firstFileOf.get(spec.stackId);
    if (earlier === undefined) {
      firstFileOf.set(spec.stackId, spec.sourceFile);
      continue;
    }
    const collector = new ProblemCollector(spec.sourceFile, readParameterFile(spec.sourceFile).lineOf);
    collector.error(['customer'], `stack id "${spec.stackId}" is already used by ${earlier}; two files would write over one stack`, 'change customer or environment in one of the two files');
    problems.push(...collector.problems);
  }
  if (problems.some((p) => p.severity === 'error')) throw new SpecValidationError(problems);
  return { specs, warnings: problems };
}

/** Loads every parameter file of a folder. */
export function loadDeploymentsFromDir(dir: string): { specs: DeploymentSpec[]; warnings: SpecProblem[] } {
  const files = listParameterFiles(dir);
  if (files.length === 0) {
    throw new SpecValidationError([
      { severity: 'error', file: dir, path: [], problem: 'no parameter files (*.yaml, *.yml, *.json) in this folder', fix: 'add a customer file (see docs/parameters.md) or point CUSTOMERS_DIR at the folder that holds them' },
    ]);
  }
  return loadDeployments(files);
}
