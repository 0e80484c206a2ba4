/**
 * The customers folder: every entry that cannot be read is one line naming it, and a folder that
 * is not a folder says what it is.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listParameterFiles, loadDeploymentsFromDir } from '../../spec/load';
import { formatProblem, SpecValidationError } from '../../spec/problems';
import { BASE_FILE, tempDir, writeParameterFiles } from '../helpers/parameter-files';

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof SpecValidationError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

describe('the customers folder', () => {
  it('names a link that loops and a link that points at nothing, one line each, and loads nothing', () => {
    const dir = writeParameterFiles({ 'acme.yaml': BASE_FILE });
    symlinkSync(join(dir, 'loop-b.yaml'), join(dir, 'loop-a.yaml'));
    symlinkSync(join(dir, 'loop-a.yaml'), join(dir, 'loop-b.yaml'));
    symlinkSync(join(dir, 'moved-away.yaml'), join(dir, 'dangling.yaml'));
    expect(problemsOf(() => loadDeploymentsFromDir(dir))).toEqual([
      `${join(dir, 'dangling.yaml')}: error: (top level): this link points at nothing (${join(dir, 'moved-away.yaml')}). Fix: point the link at an existing parameter file, or remove it.`,
      `${join(dir, 'loop-a.yaml')}: error: (top level): this link loops (it points, directly or through other links, back at itself). Fix: point the link at the parameter file, or remove it.`,
      `${join(dir, 'loop-b.yaml')}: error: (top level): this link loops (it points, directly or through other links, back at itself). Fix: point the link at the parameter file, or remove it.`,
    ]);
  });

  it('follows a link to a parameter file, and skips a folder named like one', () => {
    const dir = writeParameterFiles({ 'real.txt': BASE_FILE });
    symlinkSync(join(dir, 'real.txt'), join(dir, 'acme.yaml'));
    mkdirSync(join(dir, 'archive.yaml'));
    expect(listParameterFiles(dir)).toEqual([join(dir, 'acme.yaml')]);
  });

  it('says that a file given as the folder is a file', () => {
    const file = join(tempDir(), 'customers.yaml');
    writeFileSync(file, BASE_FILE);
    expect(problemsOf(() => loadDeploymentsFromDir(file))).toEqual([
      `${file}: error: (top level): this is a file, not a folder. Fix: point CUSTOMERS_DIR at the folder that holds them.`,
    ]);
  });

  it('says that a folder link that loops loops', () => {
    const dir = tempDir();
    symlinkSync(join(dir, 'customers'), join(dir, 'customers'));
    expect(problemsOf(() => listParameterFiles(join(dir, 'customers')))).toEqual([
      `${join(dir, 'customers')}: error: (top level): this folder is a link that loops back to itself. Fix: replace the link with the folder, or point CUSTOMERS_DIR at the folder that holds them.`,
    ]);
  });

  it('still names a missing folder', () => {
    expect(problemsOf(() => loadDeploymentsFromDir('/nonexistent/customers'))).toEqual([
      '/nonexistent/customers: error: (top level): this folder does not exist. Fix: create it with your customer files, or point CUSTOMERS_DIR at the folder that holds them.',
    ]);
  });
});
