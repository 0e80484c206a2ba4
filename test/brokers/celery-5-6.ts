/**
 * Celery 5.6 for the real-broker tests: unmodified release sources in ../shared/python-celery
 * (or CELERYKIT_CELERY_PATH) on Debian's Python. Debian's python3-celery is 5.2, older than the
 * quorum-queue detection, soft shutdown and native delayed delivery the kit configures.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { requireTool, type ToolCheck } from '../helpers/tools';

/** The nearest `shared/python-celery` beside the checkout or one of its parents (a worktree sits deeper than main). */
function findCelery(): string {
  const start = resolve(__dirname, '../../..');
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'python-celery');
    if (existsSync(join(candidate, 'celery', '__init__.py'))) return candidate;
    if (dirname(dir) === dir) return join(start, 'shared', 'python-celery');
  }
}

export const CELERY_PATH = process.env.CELERYKIT_CELERY_PATH ?? findCelery();

/** The environment that makes `/usr/bin/python3 -m celery` (tests and the workers they start) Celery 5.6. */
export const celery56Env = (): NodeJS.ProcessEnv => ({ ...process.env, PYTHONPATH: CELERY_PATH });

/**
 * A check that Celery 5.6 imports from CELERY_PATH and that `probe` (a Python expression that must
 * be true, e.g. the broker's server on PATH) holds.
 */
export function requireCelery56(label: string, probe: string, installHint: string): ToolCheck {
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(CELERY_PATH)}); import celery, shutil; sys.exit(0 if celery.__version__.startswith("5.6") and (${probe}) else 1)`;
  return requireTool(label, '/usr/bin/python3', ['-c', code], `put Celery 5.6 in ${CELERY_PATH} (or set CELERYKIT_CELERY_PATH) and ${installHint}`);
}
