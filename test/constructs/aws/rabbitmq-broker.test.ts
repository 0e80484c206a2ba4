/**
 * The Amazon MQ broker: a private three-node cluster on a quorum-capable version, generated
 * credentials in Secrets Manager, logs, upgrades, protected from destroy.
 */
import { describe, expect, it } from 'vitest';
import { editBase } from '../../helpers/parameter-files';
import { onlyResource, resourcesOf, synthesizeDir, synthesizeYaml } from '../../helpers/synth';

const globex = synthesizeDir().find((s) => s.spec.stackId === 'globex-prod')!.json;
const broker = onlyResource(globex, 'aws_mq_broker');

describe('the AWS rabbitmq broker', () => {
  it('is a private multi-AZ cluster across the private subnets', () => {
    expect(broker).toMatchObject({ engine_type: 'RabbitMQ', deployment_mode: 'CLUSTER_MULTI_AZ', publicly_accessible: false, host_instance_type: 'mq.m5.large' });
    expect(broker.subnet_ids).toHaveLength(3);
    expect((broker.subnet_ids as string[]).every((id) => /^\$\{aws_subnet\.[^.]*private[^.]*\.id\}$/.test(id))).toBe(true);
    expect(broker.security_groups).toEqual([expect.stringMatching(/^\$\{aws_security_group\.[^.]*broker[^.]*\.id\}$/)]);
  });

  it('runs a version with quorum queues, upgrades minor versions in a fixed window and logs to CloudWatch', () => {
    expect(broker).toMatchObject({
      engine_version: '3.13',
      auto_minor_version_upgrade: true,
      maintenance_window_start_time: { day_of_week: 'SUNDAY', time_of_day: '05:00', time_zone: 'UTC' },
      logs: { general: true },
      lifecycle: { prevent_destroy: true },
    });
  });

  it('connects with a generated password that is kept in Secrets Manager, never in the file', () => {
    const [user] = broker.user as Array<{ username: string; password: string }>;
    expect(user!.username).toBe('celery');
    expect(user!.password).toMatch(/^\$\{terraform_data\.[^.]+\.output\.value\}$/);
    const secret = Object.values(resourcesOf(globex, 'aws_secretsmanager_secret')).find((s) => s.name === 'celerykit/globex-prod/rabbitmq-credentials');
    expect(secret).toMatchObject({ lifecycle: { prevent_destroy: true } });
  });

  it('runs a single instance only when the file says nonProduction', () => {
    const json = synthesizeYaml(editBase({ 9: '  kind: rabbitmq', 26: 'nonProduction: true\nstate:' })).json;
    const single = onlyResource(json, 'aws_mq_broker');
    expect(single.deployment_mode).toBe('SINGLE_INSTANCE');
    expect(single.subnet_ids).toHaveLength(1);
  });
});
