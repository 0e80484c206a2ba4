/**
 * AWS alerting: Managed Prometheus with the kit's rules, an alert manager routing to an encrypted
 * SNS topic (checked by the real amtool), subscribers from the file, and ECS backstop alarms.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderAlertRules } from '../../../constructs/celery/alert-rules';
import { tempDir } from '../../helpers/parameter-files';
import { containersOf, inlinePolicyOfRole, onlyResource, resourcesOf, synthesizeDir } from '../../helpers/synth';
import { assertToolPresent, requireTool } from '../../helpers/tools';
import { runQuick } from '../../helpers/run';

const amtool = requireTool('alert manager configuration', 'amtool', ['--version'], 'install the Debian package prometheus-alertmanager');
const acme = synthesizeDir().find((s) => s.spec.stackId === 'acme-prod')!;
const json = acme.json;

/** The alertmanager_config inside an AMP definition, with Terraform references made concrete. */
function alertmanagerConfigOf(definition: string): string {
  const inner = (parse(definition) as { alertmanager_config: string }).alertmanager_config;
  return inner.replace(/\$\{aws_sns_topic\.[^}]+\.arn\}/g, 'arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts');
}

function checkConfig(text: string) {
  const file = join(tempDir('celerykit-am-'), 'alertmanager.yml');
  writeFileSync(file, text);
  return runQuick('amtool', ['check-config', file]);
}

describe('AWS alerting', () => {
  it('loads the kit alert rules into a Managed Prometheus workspace', () => {
    expect(onlyResource(json, 'aws_prometheus_workspace').alias).toBe('celerykit-acme-prod');
    expect(onlyResource(json, 'aws_prometheus_rule_group_namespace').data).toBe(renderAlertRules(acme.spec));
  });

  it.skipIf(amtool.skip)('routes alerts to the SNS topic with a configuration amtool accepts', () => {
    assertToolPresent(amtool);
    const definition = String(onlyResource(json, 'aws_prometheus_alert_manager_definition').definition);
    const config = alertmanagerConfigOf(definition);
    const r = checkConfig(config);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
    const parsed = parse(config) as { route: { receiver: string }; receivers: Array<{ name: string; sns_configs: Array<{ topic_arn: string; sigv4: { region: string } }> }> };
    expect(parsed.receivers).toHaveLength(1);
    expect(parsed.receivers[0]!.sns_configs[0]).toMatchObject({ topic_arn: 'arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts', sigv4: { region: 'eu-west-1' } });
  });

  it.skipIf(amtool.skip)('would reject a broken alert manager configuration (the check can fail)', () => {
    assertToolPresent(amtool);
    expect(checkConfig('route:\n  receiver: missing\nreceivers: []\n').status).not.toBe(0);
  });

  it('outputs the alert topic', () => {
    expect(json.output?.alert_topic_arn?.value).toMatch(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/);
  });

  it('encrypts the topic with a key Managed Prometheus may use, and lets only this workspace publish', () => {
    const topic = onlyResource(json, 'aws_sns_topic');
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
    const policy = JSON.parse(String(onlyResource(json, 'aws_sns_topic_policy').policy)) as { Statement: Array<{ Sid: string; Principal: { Service: string }; Condition: Record<string, Record<string, string>> }> };
    const aps = policy.Statement.find((s) => s.Sid === 'ManagedPrometheusPublishes')!;
    expect(aps.Principal.Service).toBe('aps.amazonaws.com');
    expect(aps.Condition.ArnEquals!['aws:SourceArn']).toMatch(/^\$\{aws_prometheus_workspace\.[^.]+\.arn\}$/);
  });

  it('lets every publisher of the topic use its key: Managed Prometheus and the CloudWatch backstop alarms', () => {
    type Statement = { Effect: string; Principal?: { Service?: string }; Action: string | string[] };
    const keyPolicy = JSON.parse(String(onlyResource(json, 'aws_kms_key').policy)) as { Statement: Statement[] };
    const topicPolicy = JSON.parse(String(onlyResource(json, 'aws_sns_topic_policy').policy)) as { Statement: Statement[] };
    const publishers = topicPolicy.Statement.flatMap((s) => ([] as string[]).concat(s.Action).includes('sns:Publish') && s.Principal?.Service ? [s.Principal.Service] : []);
    expect(publishers.sort()).toEqual(['aps.amazonaws.com', 'cloudwatch.amazonaws.com']);
    for (const service of publishers) {
      const actions = keyPolicy.Statement.filter((s) => s.Effect === 'Allow' && s.Principal?.Service === service).flatMap((s) => ([] as string[]).concat(s.Action));
      expect(actions, service).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    }
  });

  it('subscribes the file emails, and webhooks whose URLs come from sensitive variables', () => {
    const subscriptions = Object.values(resourcesOf(json, 'aws_sns_topic_subscription'));
    expect(subscriptions.filter((s) => s.protocol === 'email').map((s) => s.endpoint)).toEqual(['oncall@acme.example.com']);
    const https = subscriptions.filter((s) => s.protocol === 'https');
    expect(https.map((s) => s.endpoint)).toEqual(['${var.webhook_pagerduty}']);
    expect((json as { variable?: Record<string, { sensitive?: boolean }> }).variable?.webhook_pagerduty).toMatchObject({ sensitive: true });
  });

  it('has the collector write every exporter metric to the workspace with SigV4', () => {
    const task = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).find((t) => t.family === 'acme-prod-exporter')!;
    const collector = containersOf(task).find((c) => c.name === 'collector')!;
    const config = parse((collector.environment as Array<{ name: string; value: string }>)[0]!.value) as {
      extensions: { sigv4auth: { region: string; service: string } };
      exporters: { prometheusremotewrite: { endpoint: string; auth: { authenticator: string } } };
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    expect(config.extensions.sigv4auth).toEqual({ region: 'eu-west-1', service: 'aps' });
    expect(config.exporters.prometheusremotewrite).toEqual({ endpoint: expect.stringMatching(/^\$\{aws_prometheus_workspace\.[^.]+\.prometheus_endpoint\}api\/v1\/remote_write$/), auth: { authenticator: 'sigv4auth' } });
    expect(config.service.pipelines['metrics/all']).toEqual({ receivers: ['prometheus/all'], exporters: ['prometheusremotewrite'] });
    const policy = inlinePolicyOfRole(json, 'acme-prod-exporter-task')!;
    expect(policy.Statement.find((s) => s.Sid === 'WriteToOwnWorkspace')).toMatchObject({ Action: ['aps:RemoteWrite'], Resource: [expect.stringMatching(/^\$\{aws_prometheus_workspace\.[^.]+\.arn\}$/)] });
  });

  it('backs up the exporter with one alarm per pool on ECS running fewer tasks than desired', () => {
    const alarms = Object.values(resourcesOf(json, 'aws_cloudwatch_metric_alarm')).filter((a) => String(a.alarm_name).endsWith('-fewer-tasks-than-desired'));
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(acme.spec.pools.map((p) => `acme-prod-${p.name}-fewer-tasks-than-desired`).sort());
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ evaluation_periods: 5, datapoints_to_alarm: 5, threshold: 1, comparison_operator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/)]);
      const queries = alarm.metric_query as Array<{ id: string; expression?: string; metric?: { metric_name: string } }>;
      expect(queries.map((q) => q.metric?.metric_name ?? q.expression)).toEqual(['DesiredTaskCount', 'RunningTaskCount', 'desired - running']);
    }
  });
});
