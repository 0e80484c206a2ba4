/**
 * Every deployed worker turns the platform's SIGTERM into Celery's soft shutdown, and the soft
 * shutdown ends early enough inside the platform's stop window for unfinished tasks to go back to
 * their queues before SIGKILL. Read from the synthesized stacks of every example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FARGATE_MAX_STOP_TIMEOUT_SECONDS } from '../../../constructs/aws/worker-pool';
import { SHUTDOWN_MARGIN_SECONDS, SOFT_SHUTDOWN_SECONDS_ENV, softShutdownSeconds, workerShutdownEnvironment } from '../../../constructs/celery/worker-command';
import { SPOT_SHUTDOWN_SECONDS, WARM_SHUTDOWN_SECONDS } from '../../../constructs/gcp/worker-pool';
import { deployedWorker } from '../../helpers/deployed-worker';
import { synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir();

/** The longest a platform lets a worker run after SIGTERM (see the citations in the worker pools). */
function platformLimitSeconds(cloud: string, spot: boolean): number {
  if (cloud === 'aws') return 120; // Fargate's stopTimeout maximum; Fargate Spot's notice is 2 minutes
  return spot ? 30 : 90; // Compute Engine shutdown script: 30 s after a Spot preemption, 90 s otherwise
}

describe('a worker stopped by its platform', () => {
  it.each(stacks.flatMap((s) => s.spec.pools.map((p) => [`${s.spec.stackId}/${p.name}`, s, p] as const)))(
    '%s starts a soft shutdown on SIGTERM that ends before SIGKILL',
    (_, stack, pool) => {
      const deployed = deployedWorker(stack, pool.name);
      expect(deployed.env.REMAP_SIGTERM).toBe('SIGQUIT');
      const soft = Number(deployed.env[SOFT_SHUTDOWN_SECONDS_ENV]);
      expect(soft).toBeGreaterThan(0);
      expect(soft + SHUTDOWN_MARGIN_SECONDS).toBeLessThanOrEqual(deployed.stopWindowSeconds);
      expect(deployed.stopWindowSeconds).toBeLessThanOrEqual(platformLimitSeconds(stack.spec.cloud, pool.spot));
    },
  );

  it('gives a GCE Spot pool a shorter window than a standard one', () => {
    const gcp = stacks.filter((s) => s.spec.cloud === 'gcp');
    const windows = gcp.flatMap((s) => s.spec.pools.map((p) => ({ spot: p.spot, window: deployedWorker(s, p.name).stopWindowSeconds })));
    expect(new Set(windows.filter((w) => w.spot).map((w) => w.window))).toEqual(new Set([25]));
    expect(new Set(windows.filter((w) => !w.spot).map((w) => w.window))).toEqual(new Set([80]));
  });

  it('keeps the margin even for a window shorter than it', () => {
    expect(softShutdownSeconds(120)).toBe(120 - SHUTDOWN_MARGIN_SECONDS);
    expect(softShutdownSeconds(5)).toBe(1);
    expect(workerShutdownEnvironment(25)).toEqual({ REMAP_SIGTERM: 'SIGQUIT', [SOFT_SHUTDOWN_SECONDS_ENV]: '15' });
  });
});

describe('the shutdown sections of the cloud docs', () => {
  const doc = (name: string) => readFileSync(join(__dirname, '../../../docs', name), 'utf8');

  it.each([
    ['aws.md', [FARGATE_MAX_STOP_TIMEOUT_SECONDS]],
    ['gcp.md', [WARM_SHUTDOWN_SECONDS, SPOT_SHUTDOWN_SECONDS]],
  ] as const)('%s describe the soft shutdown the workers get, with its seconds in each stop window', (name, windows) => {
    const text = doc(name);
    expect(text).toContain('REMAP_SIGTERM=SIGQUIT');
    expect(text).not.toMatch(/SIGTERM starts Celery's \*\*warm shutdown\*\*/);
    for (const window of windows) expect(text).toContain(`${softShutdownSeconds(window)} s`);
  });
});
