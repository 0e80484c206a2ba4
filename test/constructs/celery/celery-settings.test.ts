/**
 * The generated Celery settings: importable by a real Celery, and equal to what the deployed
 * infrastructure uses (queues from the exporter and worker commands, the file's visibility
 * timeout, quorum queues on RabbitMQ).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celerySettingsModule, celerySettingsValues, deadLetterQueueNames } from '../../../constructs/celery/celery-settings';
import { redisUsers } from '../../../constructs/celery/redis-users';
import { BASE_FILE, specFromYaml, tempDir } from '../../helpers/parameter-files';
import { containersOf, resourcesOf, synthesizeDir, type SynthesizedStack } from '../../helpers/synth';
import { assertToolPresent, requireTool } from '../../helpers/tools';
import { runAsync } from '../../helpers/run';

const python = requireTool('generated Celery settings', '/usr/bin/python3', ['-c', 'import celery'], 'install the Debian package python3-celery');
const stacks = synthesizeDir();

/** The exporter's arguments as deployed: from the ECS container (AWS) or the VM startup script (GCP). */
function deployedExporterArgs(stack: SynthesizedStack): string[] {
  if (stack.spec.cloud === 'aws') {
    const task = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `${stack.spec.stackId}-exporter`)!;
    return containersOf(task)[0]!.command as string[];
  }
  const template = Object.values(resourcesOf(stack.json, 'google_compute_instance_template')).find((t) => t.name_prefix === `${stack.spec.stackId}-exporter-`)!;
  return [...String((template.metadata as Record<string, string>)['startup-script']).matchAll(/'(--[a-z-]+=[^']*)'/g)].map((m) => m[1]!);
}

function infrastructureExpectations(stack: SynthesizedStack) {
  const args = deployedExporterArgs(stack);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    stack: stack.spec.stackId,
    queues: arg('queues')!.split(',').filter((q) => !deadLetterQueueNames(stack.spec).includes(q)),
    deadLetterQueues: arg('queues')!.split(',').filter((q) => deadLetterQueueNames(stack.spec).includes(q)),
    // The exporter gets a visibility timeout of its own (OBSERVER_VISIBILITY_TIMEOUT), not the app's.
    visibilityTimeout: stack.spec.broker.kind === 'redis' ? stack.spec.broker.visibilityTimeout : null,
    queueType: stack.spec.broker.kind === 'rabbitmq' ? 'quorum' : 'classic',
    defaultQueue: stack.spec.defaultQueue,
    routes: celerySettingsValues(stack.spec).routes.map((r) => [r.pattern, r.queue]),
  };
}

describe('the generated Celery settings', () => {
  it('use the queues of the deployed exporter and the file\'s visibility timeout, in every example', () => {
    for (const stack of stacks) {
      const infra = infrastructureExpectations(stack);
      const values = celerySettingsValues(stack.spec);
      expect(values.queues.map((q) => q.name)).toEqual(infra.queues);
      expect(values.deadLetter?.queues.map((q) => q.deadLetterQueue) ?? []).toEqual(infra.deadLetterQueues);
      if (stack.spec.broker.kind === 'rabbitmq') expect(infra.deadLetterQueues).toHaveLength(infra.queues.length);
      expect(values.visibilityTimeout ?? null).toBe(infra.visibilityTimeout);
    }
  });

  it.skipIf(python.skip)('load in a real Celery app and route every task class to its queue', async () => {
    assertToolPresent(python);
    const dir = tempDir('celerykit-settings-');
    const cases = stacks.map((stack) => {
      const module = join(dir, `${stack.spec.stackId.replace(/-/g, '_')}_settings.py`);
      writeFileSync(module, celerySettingsModule(stack.spec));
      return { module, stack: stack.spec.stackId, expected: { ...infrastructureExpectations(stack), resultExpires: null as number | null } };
    });
    // A file that opts in to results: the same checks, plus the result backend and its expiry.
    const opted = specFromYaml(`${BASE_FILE}\nresults:\n  expires: 86400`);
    const optedModule = join(dir, 'results_settings.py');
    writeFileSync(optedModule, celerySettingsModule(opted));
    const values = celerySettingsValues(opted);
    cases.push({
      module: optedModule,
      stack: `${opted.stackId} with results`,
      expected: {
        stack: opted.stackId,
        queues: values.queues.map((q) => q.name),
        deadLetterQueues: [],
        visibilityTimeout: values.visibilityTimeout ?? null,
        queueType: 'classic',
        defaultQueue: opted.defaultQueue,
        routes: values.routes.map((r) => [r.pattern, r.queue]),
        resultExpires: 86400,
      },
    });
    const casesFile = join(dir, 'cases.json');
    writeFileSync(casesFile, JSON.stringify(cases));
    const r = await runAsync('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_generated_settings'], {
      cwd: resolve(__dirname, 'python'),
      env: { ...process.env, CELERYKIT_SETTINGS_CASES: casesFile, CELERY_BROKER_URL: 'memory://' },
      timeoutMs: 60_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/Ran 1 test/);
  }, 90_000);
});

describe('the generated queues', () => {
  const rabbit = stacks.filter((s) => s.spec.broker.kind === 'rabbitmq');
  const redis = stacks.filter((s) => s.spec.broker.kind === 'redis');

  it('use topic exchanges bound by the queue name, which native delayed delivery accepts', () => {
    for (const stack of stacks) {
      const module = celerySettingsModule(stack.spec);
      expect(module).not.toMatch(/type="direct"\), routing_key/);
      for (const q of stack.spec.queues) expect(module).toContain(`Queue("${q.name}", Exchange("${q.name}", type="topic"), routing_key="${q.name}"`);
    }
  });

  it('cap deliveries on RabbitMQ and dead-letter each queue into its own queue', () => {
    expect(rabbit.length).toBeGreaterThan(0);
    for (const stack of rabbit) {
      const module = celerySettingsModule(stack.spec);
      for (const q of stack.spec.queues) {
        expect(module).toContain(`"x-delivery-limit": DELIVERY_LIMIT, "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": "${q.name}"`);
        expect(module).toContain(`Queue("${q.name}.dead-letter", _dead_letter_exchange, routing_key="${q.name}"`);
      }
      expect(celerySettingsValues(stack.spec).taskRejectOnWorkerLost).toBe(true);
    }
  });

  it('fail a task whose child died on Redis instead of returning it forever', () => {
    for (const stack of redis) {
      expect(celerySettingsValues(stack.spec).deadLetter).toBeUndefined();
      expect(celerySettingsModule(stack.spec)).toContain('task_reject_on_worker_lost = False');
    }
  });

  it('read the soft shutdown timeout the platform sets', () => {
    for (const stack of stacks) expect(celerySettingsModule(stack.spec)).toContain('worker_soft_shutdown_timeout = float(os.environ.get("CELERYKIT_SOFT_SHUTDOWN_SECONDS", "15"))');
  });
});

describe('the generated result settings', () => {
  const appRules = (spec: ReturnType<typeof specFromYaml>) => redisUsers(spec).find((u) => u.role === 'app')!.accessString.split(' ');

  it('store no result and name no backend in a file without results, in every example', () => {
    for (const stack of stacks) {
      expect(stack.spec.results).toBeUndefined();
      const module = celerySettingsModule(stack.spec);
      expect(module).toContain('task_ignore_result = True');
      expect(module).not.toMatch(/^result_/m);
    }
  });

  it('store results with the file\'s expiry on the broker URL the settings already read, when the file opts in', () => {
    const spec = specFromYaml(`${BASE_FILE}\nresults:\n  expires: 86400`);
    const module = celerySettingsModule(spec);
    expect(module).toContain('result_backend = os.environ["CELERY_BROKER_URL"]\nresult_expires = 86400\ntask_ignore_result = False\n');
    expect(module).not.toContain('task_ignore_result = True');
    expect(celerySettingsValues(spec)).toMatchObject({ taskIgnoreResult: false, results: { backendUrlEnv: 'CELERY_BROKER_URL', expires: 86400 } });
  });

  it('let the app user run the result backend\'s commands only when results are on, and leave the observers as they are', () => {
    const off = specFromYaml(BASE_FILE);
    const on = specFromYaml(`${BASE_FILE}\nresults:\n  expires: 86400`);
    const added = appRules(on).filter((r) => !appRules(off).includes(r));
    expect(added).toEqual(['+setex', '+mget', '+subscribe', '+incrby', '+expire', '+zcount', '+zrange']);
    for (const role of ['exporter', 'flower'] as const) {
      expect(redisUsers(on).find((u) => u.role === role)).toEqual(redisUsers(off).find((u) => u.role === role));
    }
  });
});
