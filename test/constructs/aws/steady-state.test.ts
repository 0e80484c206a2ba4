/**
 * A deploy whose tasks cannot start fails the apply: every ECS service waits for steady state, and
 * a pool's update wait is long enough for protected old tasks to finish (docs/aws.md, "Apply order").
 */
import { describe, expect, it } from 'vitest';
import { deployWaitMinutes, taskProtectionMinutes } from '../../../constructs/aws/worker-pool';
import { resourcesOf, synthesizeDir } from '../../helpers/synth';

const aws = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

describe('ECS deploys on AWS', () => {
  it('every service makes terraform wait for steady state', () => {
    for (const stack of aws) {
      const services = Object.values(resourcesOf(stack.json, 'aws_ecs_service'));
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) expect(service.wait_for_steady_state, String(service.name)).toBe(true);
    }
  });

  it("a pool's update wait outlasts its task protection by the provider's default 20 minutes", () => {
    for (const stack of aws) {
      const services = resourcesOf(stack.json, 'aws_ecs_service');
      for (const pool of stack.spec.pools) {
        const service = Object.values(services).find((s) => s.name === pool.name)!;
        const minutes = deployWaitMinutes(pool);
        expect(minutes).toBe((taskProtectionMinutes(pool) ?? 0) + 20);
        expect(service.timeouts).toEqual({ create: '20m', update: `${minutes}m` });
      }
    }
  });
});
