/**
 * The protection hook is part of what the kit deploys for pools with long tasks, not an import
 * the app may forget: the task writes the reviewed hook file into a volume and the worker imports
 * it; pools whose tasks end within the stop timeout run the plain command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskProtectionMinutes } from '../../../../constructs/aws/worker-pool';
import { ECS_PROTECTION_HOOK_SOURCE } from '../../../../constructs/aws/worker-hooks/ecs-protection-hook';
import { containersOf, resourcesOf, synthesizeDir } from '../../../helpers/synth';

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
