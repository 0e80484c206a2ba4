/**
 * The protection hook is part of what the kit deploys for pools with long tasks, not an import
 * the app may forget: the task writes the reviewed hook file into a volume and the worker imports
 * it; pools whose tasks end within the stop timeout run the plain command.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskProtectionMinutes } from '../../../../constructs/aws/worker-pool';
import { ECS_PROTECTION_HOOK_SOURCE } from '../../../../constructs/aws/worker-hooks/ecs-protection-hook';
import { HOOK_DIR } from '../../../../constructs/aws/worker-hooks/shipped-hook';
import { tempDir } from '../../../helpers/parameter-files';
import { runAsync } from '../../../helpers/run';
import { containersOf, resourcesOf, synthesizeDir } from '../../../helpers/synth';
import { assertToolPresent, requireTool } from '../../../helpers/tools';
import { CELERY_PATH } from '../../../brokers/celery-5-6';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');
const HOOK_FILE = join(__dirname, '..', '..', '..', '..', 'constructs', 'aws', 'worker-hooks', 'celerykit_ecs_protection.py');

it('ships exactly the reviewed hook file (regenerate with npx tsx scripts/write-worker-hook.ts)', () => {
  expect(ECS_PROTECTION_HOOK_SOURCE).toBe(readFileSync(HOOK_FILE, 'utf8'));
});

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the protection hook in %s', (id, stack) => {
  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('is installed in %s exactly when its tasks may outlast the stop timeout', (name, pool) => {
    const task = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-${name}`)!;
    const containers = containersOf(task);
    const worker = containers[0]!;
    const writer = containers.find((c) => c.name === 'celerykit-hooks');
    if (taskProtectionMinutes(pool) === undefined) {
      expect(writer).toBeUndefined();
      expect(task.volume).toBeUndefined();
      expect((worker.command as string[])[0]).toBe('celery');
      return;
    }
    expect(task.volume).toEqual([{ name: 'celerykit-hooks' }]);
    const source = (writer!.environment as Array<{ name: string; value: string }>).find((e) => e.name === 'HOOK_SOURCE')!.value;
    expect(source).toBe(ECS_PROTECTION_HOOK_SOURCE);
    expect(writer).toMatchObject({ essential: false, mountPoints: [{ sourceVolume: 'celerykit-hooks', containerPath: '/celerykit/python' }] });
    expect(worker).toMatchObject({
      dependsOn: [{ containerName: 'celerykit-hooks', condition: 'SUCCESS' }],
      mountPoints: [{ sourceVolume: 'celerykit-hooks', containerPath: '/celerykit/python', readOnly: true }],
    });
    const command = worker.command as string[];
    // Terraform's `$${` reaches ECS as `${`: the image's own PYTHONPATH is kept after the hook's.
    expect(command.slice(0, 4)).toEqual(['sh', '-c', 'PYTHONPATH="/celerykit/python$${PYTHONPATH:+:$PYTHONPATH}" exec "$@"', 'celerykit-worker']);
    expect(command.slice(4, 6)).toEqual(['celery', '-A']);
    expect(command[command.length - 1]).toBe('--include=celerykit_ecs_protection');
  });
});

/** Celery 5.6 release sources (Debian's 5.2 lacks what the kit configures); see their README. */
// celery-5-6.ts finds ../shared/python-celery from main and from a worktree (a fixed ../.. path misses one of them).
const CELERY_SOURCES = process.env.CELERYKIT_CELERY_SOURCES ?? CELERY_PATH;
const realRun = requireTool(
  'shipped protection hook on a real worker',
  '/usr/bin/python3',
  ['-c', `import sys, shutil; sys.path.insert(0, ${JSON.stringify(CELERY_SOURCES)}); import celery, redis; sys.exit(0 if celery.VERSION >= (5, 6) and shutil.which("redis-server") else 1)`],
  'install redis-server, python3-redis and the Celery 5.6 dependencies listed in ../shared/python-celery/README.md',
);

describe.skipIf(realRun.skip)('the protection hook as the kit ships it', () => {
  it('protects a real Celery 5.6 worker, started by the synthesized command, exactly while it runs a task', async () => {
    assertToolPresent(realRun);
    expect(existsSync(CELERY_SOURCES)).toBe(true);
    const stack = stacks.find((s) => s.spec.stackId === 'acme-prod')!;
    const pool = stack.spec.pools.find((p) => taskProtectionMinutes(p) !== undefined)!;
    const task = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `acme-prod-${pool.name}`)!;
    const containers = containersOf(task);
    const input = join(tempDir('celerykit-shipped-'), 'shipped.json');
    writeFileSync(
      input,
      JSON.stringify({ worker: containers[0], writer: containers.find((c) => c.name === 'celerykit-hooks'), appModule: stack.spec.app.module, queue: pool.queues[0], hookDir: HOOK_DIR }),
    );
    const r = await runAsync('/usr/bin/python3', ['-W', 'ignore', join(__dirname, 'run_shipped_hook.py'), input], {
      env: { ...process.env, CELERYKIT_CELERY_SOURCES: CELERY_SOURCES, PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 240_000,
    });
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('[hook]'))) console.log(`${pool.name}: ${line}`);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/\[hook\] celery 5\.6\.\d/);
    expect(r.stdout).toContain('[hook] OK');
  }, 300_000);
});
