/**
 * Worker pools on Fargate: one service per pool, the kit's worker command, spot where asked,
 * rollback on failed deploys, secrets injected and nothing else readable.
 */
import { describe, expect, it } from 'vitest';
import { taskProtectionMinutes } from '../../../constructs/aws/worker-pool';
import { workerCommand } from '../../../constructs/celery/worker-command';
import { BROKER_URL_ENV } from '../../../spec/defaults';
import { containersOf, inlinePolicyOfRole, onlyResource, resourcesOf, synthesizeDir, type SynthesizedStack } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

function poolResources(stack: SynthesizedStack, pool: string) {
  const services = Object.values(resourcesOf(stack.json, 'aws_ecs_service')).filter((s) => s.name === pool);
  const taskDefinitions = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).filter((t) => t.family === `${stack.spec.stackId}-${pool}`);
  return { services, taskDefinitions };
}

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the worker pools of %s', (id, stack) => {
  it('run in one cluster with Container Insights on', () => {
    expect(onlyResource(stack.json, 'aws_ecs_cluster')).toMatchObject({ name: id, setting: [{ name: 'containerInsights', value: 'enabled' }] });
  });

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('%s has its own service and task definition running the kit worker command', (name, pool) => {
    const { services, taskDefinitions } = poolResources(stack, name);
    expect(services).toHaveLength(1);
    expect(taskDefinitions).toHaveLength(1);
    const [container] = containersOf(taskDefinitions[0]!);
    // Pools with long tasks run the same command through the protection hook's PYTHONPATH wrapper.
    const command = container!.command as string[];
    const kitCommand = workerCommand(stack.spec.app, pool);
    if (taskProtectionMinutes(pool) === undefined) expect(command).toEqual(kitCommand);
    else expect(command.slice(4)).toEqual([...kitCommand, '--include=celerykit_ecs_protection']);
    expect(container!.command).toContain(`--prefetch-multiplier=${pool.prefetchMultiplier}`);
    expect(container).toMatchObject({ image: stack.spec.app.image, stopTimeout: 120, privileged: false, linuxParameters: { initProcessEnabled: true } });
    expect(taskDefinitions[0]).toMatchObject({ cpu: String(pool.cpu * 1024), memory: String(pool.memory), network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'] });
  });

  it.each(stack.spec.pools.map((p) => [p.name, p] as const))('%s runs on FARGATE_SPOT exactly when the file says spot', (name, pool) => {
    const [service] = poolResources(stack, name).services;
    expect(service!.capacity_provider_strategy).toEqual([{ capacity_provider: pool.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }]);
  });

  it('roll back a failed deploy, never get public IPs, and leave the running count to the scaler', () => {
    for (const pool of stack.spec.pools) {
      const [service] = poolResources(stack, pool.name).services;
      expect(service).toMatchObject({
        deployment_circuit_breaker: { enable: true, rollback: true },
        network_configuration: { assign_public_ip: false },
        desired_count: pool.autoscale.min,
        lifecycle: { ignore_changes: ['desired_count'] },
      });
      expect((service!.network_configuration as { subnets: string[] }).subnets.every((s) => /aws_subnet\.[^.]*private/.test(s))).toBe(true);
    }
  });

  it('get the broker URL as a secret and never as a plain variable', () => {
    for (const pool of stack.spec.pools) {
      const [container] = containersOf(poolResources(stack, pool.name).taskDefinitions[0]!);
      const environment = container!.environment as Array<{ name: string; value: string }>;
      const secrets = container!.secrets as Array<{ name: string; valueFrom: string }>;
      expect(environment.map((e) => e.name)).not.toContain(BROKER_URL_ENV);
      expect(environment.some((e) => /^(rediss?|amqps?):\/\//.test(e.value))).toBe(false);
      expect(secrets.find((s) => s.name === BROKER_URL_ENV)!.valueFrom).toMatch(/^\$\{aws_secretsmanager_secret\.[^.]+\.arn\}$/);
      for (const [variable, arn] of Object.entries(stack.spec.app.secrets)) {
        expect(secrets).toContainEqual({ name: variable, valueFrom: arn });
      }
    }
  });

  it('start with an execution role that reads exactly the injected secrets', () => {
    for (const pool of stack.spec.pools) {
      const policy = inlinePolicyOfRole(stack.json, `${id}-${pool.name}-exec`)!;
      const reads = policy.Statement.filter((s) => (s.Action as string[]).includes('secretsmanager:GetSecretValue'));
      expect(reads).toHaveLength(1);
      const expected = [
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^.]+\.arn\}$/),
        ...Object.values(stack.spec.app.secrets),
      ];
      expect(reads[0]!.Resource).toEqual(expected);
    }
  });

  it('run app code with a task role that may only protect its own tasks from scale-in', () => {
    for (const pool of stack.spec.pools) {
      const policy = inlinePolicyOfRole(stack.json, `${id}-${pool.name}-task`)!;
      expect(policy.Statement).toEqual([
        {
          Sid: 'OwnScaleInProtection',
          Effect: 'Allow',
          Action: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
          Resource: [`arn:aws:ecs:${stack.spec.region}:${stack.spec.accountId}:task/${id}/*`],
        },
      ]);
    }
  });

  it('write logs to a log group per pool with a retention', () => {
    for (const pool of stack.spec.pools) {
      const group = Object.values(resourcesOf(stack.json, 'aws_cloudwatch_log_group')).find((g) => g.name === `/celerykit/${id}/workers/${pool.name}`);
      expect(group?.retention_in_days).toBe(30);
    }
  });
});

describe('the scale-in protection switch of a worker pool', () => {
  const acme = stacks.find((s) => s.spec.stackId === 'acme-prod')!;
  const environmentOf = (pool: string) => {
    const task = Object.values(resourcesOf(acme.json, 'aws_ecs_task_definition')).find((t) => t.family === `acme-prod-${pool}`)!;
    return containersOf(task)[0]!.environment as Array<{ name: string; value: string }>;
  };

  it('is on, with an expiry past the time limit, for pools whose tasks may outlast the 120 s stop timeout', () => {
    expect(environmentOf('reports')).toContainEqual({ name: 'CELERYKIT_TASK_PROTECTION_MINUTES', value: '65' });
    expect(environmentOf('ml')).toContainEqual({ name: 'CELERYKIT_TASK_PROTECTION_MINUTES', value: '20' });
  });

  it('is off for pools whose tasks always finish within the stop timeout', () => {
    expect(environmentOf('fast').map((e) => e.name)).not.toContain('CELERYKIT_TASK_PROTECTION_MINUTES');
  });
});
