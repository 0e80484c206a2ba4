/**
 * celery-exporter with its collector: one per stack, reporting every queue, with runtime buckets
 * that reach the longest time limit, and publishing queue lengths where the scaler reads them.
 */
import { parse } from 'yaml';
import { deadLetterQueueNames } from '../../../constructs/celery/celery-settings';
import { describe, expect, it } from 'vitest';
import { poolBacklogRules } from '../../../constructs/celery/pool-backlog-rules';
import { OBSERVER_VISIBILITY_TIMEOUT } from '../../../constructs/celery/redis-users';
import { containersOf, inlinePolicyOfRole, resourcesOf, synthesizeDir } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the queue metrics exporter of %s', (id, stack) => {
  const services = Object.values(resourcesOf(stack.json, 'aws_ecs_service')).filter((s) => s.name === 'celery-exporter');
  const task = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-exporter`)!;
  const containers = containersOf(task);
  const byName = (name: string) => containers.find((c) => c.name === name)!;
  const [exporter, collector] = [byName('celery-exporter'), byName('collector')];

  it('runs once per stack, privately', () => {
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ desired_count: 1, network_configuration: { assign_public_ip: false } });
  });

  it('reports every queue and has runtime buckets covering the longest time limit', () => {
    const args = exporter!.command as string[];
    expect(args).toContain(`--queues=${[...stack.spec.queues.map((q) => q.name), ...deadLetterQueueNames(stack.spec)].join(',')}`);
    const buckets = args.find((a) => a.startsWith('--buckets='))!.slice('--buckets='.length).split(',').map(Number);
    expect(buckets[buckets.length - 1]).toBeGreaterThanOrEqual(stack.spec.derived.longestTimeLimit!);
    // On Redis, a visibility timeout past 1970 for the exporter's own restores, never the app's (redis-users.ts).
    if (stack.spec.broker.kind === 'redis') {
      expect(args).toContain(`--broker-transport-option=visibility_timeout=${OBSERVER_VISIBILITY_TIMEOUT}`);
      expect(OBSERVER_VISIBILITY_TIMEOUT).toBeGreaterThan(Date.now() / 1000);
    }
    expect(exporter!.secrets).toEqual([{ name: 'CE_BROKER_URL', valueFrom: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^.]+\.arn\}$/) }]);
  });

  it('publishes only each pool\'s needed workers, federated from its own Prometheus, in the namespace the scaling policies read', () => {
    const config = parse((collector!.environment as Array<{ name: string; value: string }>).find((e) => e.name === 'AOT_CONFIG_CONTENT')!.value) as {
      receivers: { prometheus: { config: { scrape_configs: Array<Record<string, unknown> & { static_configs: Array<{ targets: string[] }> }> } } };
      exporters: { awsemf: { namespace: string; metric_declarations: Array<{ dimensions: string[][]; metric_name_selectors: string[] }> } };
      service: { pipelines: { metrics: { receivers: string[]; exporters: string[] } } };
    };
    const scrape = config.receivers.prometheus.config.scrape_configs;
    expect(scrape).toHaveLength(1);
    expect(scrape[0]).toMatchObject({ metrics_path: '/federate', params: { 'match[]': ['{__name__="celerykit_pool_workers"}'] }, honor_labels: true });
    expect(scrape[0]!.static_configs[0]!.targets).toEqual(['localhost:9090']);
    expect(config.exporters.awsemf.namespace).toBe(`Celery/${id}`);
    expect(config.exporters.awsemf.metric_declarations).toEqual([{ dimensions: [['pool']], metric_name_selectors: ['celerykit_pool_workers'] }]);
    expect(config.service.pipelines.metrics).toEqual({ receivers: ['prometheus'], exporters: ['awsemf'] });
  });

  it('runs Prometheus on loopback with the kit\'s pool rules, written before it starts', () => {
    const prometheus = byName('prometheus');
    const writer = byName('prometheus-config');
    expect(prometheus.command).toContain('--web.listen-address=127.0.0.1:9090');
    expect(prometheus.dependsOn).toEqual([{ containerName: 'prometheus-config', condition: 'SUCCESS' }]);
    expect(writer.essential).toBe(false);
    const env = Object.fromEntries((writer.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(env.POOL_RULES).toBe(poolBacklogRules(stack.spec));
    expect(parse(env.PROMETHEUS_CONFIG!)).toMatchObject({ rule_files: ['/etc/celerykit/rules.yml'], scrape_configs: [{ static_configs: [{ targets: ['localhost:9808'] }] }] });
  });

  it('may write only to its own metric log group and its own Prometheus workspace', () => {
    const policy = inlinePolicyOfRole(stack.json, `${id}-exporter-task`)!;
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['WriteQueueMetrics', 'WriteToOwnWorkspace']);
    expect(policy.Statement[1]!.Resource).toEqual([expect.stringMatching(/^\$\{aws_prometheus_workspace\.[^.]+\.arn\}$/)]);
    expect(policy.Statement[0]!.Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}$/), expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:\*$/)]);
  });
});
