/**
 * Alerting on GCP: each of the kit's Prometheus rules becomes a Cloud Monitoring alert policy with
 * a PromQL condition over Managed Service for Prometheus, notifying the file's email addresses and
 * webhooks (whose URLs are sensitive Terraform variables).
 */
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec, MonitoringSpec } from '../../spec/types';
import { alertRules, type AlertRule } from '../celery/alert-rules';
import { stackSelector } from '../celery/promql';
import { fixedTerraformName } from '../celery/terraform-names';

export interface GcpAlertingProps {
  readonly spec: DeploymentSpec;
  readonly monitoring: MonitoringSpec;
}

export class GcpAlerting extends Construct {
  readonly channels: MonitoringNotificationChannel[];
  readonly policies: MonitoringAlertPolicy[];

  constructor(scope: Construct, id: string, props: GcpAlertingProps) {
    super(scope, id);
    const { spec, monitoring } = props;

    this.channels = [
      ...monitoring.alerts.emails.map(
        (email, i) => new MonitoringNotificationChannel(this, `email-${i}`, { displayName: `celerykit ${spec.stackId}: ${email}`, type: 'email', labels: { email_address: email } }),
      ),
      ...monitoring.alerts.webhooks.map((webhook) => {
        const url = new TerraformVariable(this, `webhook-${webhook}`, {
          type: 'string',
          sensitive: true,
          description: `HTTPS endpoint of the ${webhook} alert receiver (it contains a credential)`,
        });
        url.overrideLogicalId(fixedTerraformName(this, `webhook_${webhook.replace(/-/g, '_')}`));
        return new MonitoringNotificationChannel(this, `webhook-${webhook}-channel`, {
          displayName: `celerykit ${spec.stackId}: ${webhook}`,
          type: 'webhook_tokenauth',
          labels: { url: url.stringValue },
        });
      }),
    ];

    const rules = alertRules(spec, { selector: stackSelector('gcp', spec.stackId) });
    this.policies = rules.map((rule, i) => this.policy(spec, rule, i));
    new TerraformOutput(this, 'channels', { value: this.channels.map((c) => c.name), description: 'Notification channels of the alert policies' }).overrideLogicalId(fixedTerraformName(this, 'notification_channels'));
  }

  private policy(spec: DeploymentSpec, rule: AlertRule, index: number): MonitoringAlertPolicy {
    const name = `${rule.alert}${rule.labels.pool ? ` (${rule.labels.pool})` : ''}`;
    return new MonitoringAlertPolicy(this, `policy-${index}`, {
      displayName: `celerykit ${spec.stackId}: ${name}`,
      combiner: 'OR',
      severity: rule.labels.severity === 'page' ? 'CRITICAL' : 'WARNING',
      userLabels: { stack: spec.stackId, alert: rule.alert.toLowerCase() },
      conditions: [
        {
          displayName: name,
          conditionPrometheusQueryLanguage: {
            query: rule.expr,
            duration: `${durationSeconds(rule.for)}s`,
            evaluationInterval: '60s',
            labels: { ...rule.labels },
            ruleGroup: `celerykit-${spec.stackId}`,
            alertRule: rule.alert,
          },
        },
      ],
      documentation: { mimeType: 'text/markdown', content: documentation(rule), subject: alertSubject(rule) },
      notificationChannels: this.channels.map((c) => c.name),
      alertStrategy: { autoClose: '86400s' },
    });
  }
}

/** "5m" -> 300. */
function durationSeconds(duration: string): number {
  const m = /^(\d+)([smh])$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

function documentation(rule: AlertRule): string {
  return [templateToCloudMonitoring(rule.annotations.description ?? ''), '', `Runbook: ${rule.annotations.runbook ?? ''}`].join('\n');
}

/**
 * The subject line of a rule's incidents. Cloud Monitoring has no variable for the observed value,
 * so the rule's summary names the threshold it crossed instead ("has more than 500 waiting tasks").
 */
export function alertSubject(rule: AlertRule): string {
  const bound = /\s([<>])=?\s*([\d.]+)\s*$/.exec(rule.expr);
  const crossed = bound === null ? 'past its threshold' : `${bound[1] === '>' ? 'more than' : 'fewer than'} ${bound[2]}`;
  return templateToCloudMonitoring((rule.annotations.summary ?? rule.alert).replace(/\{\{ \$value(?: \| \w+)? \}\}/g, crossed));
}

/**
 * Prometheus annotation templates to Cloud Monitoring variables: `{{ $labels.x }}` becomes
 * `${metric.label.x}` (escaped for Terraform), `{{ $value }}` is dropped with its filter.
 */
export function templateToCloudMonitoring(text: string): string {
  return text
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => `$\${metric.label.${label}}`)
    .replace(/\{\{ \$value(?: \| \w+)? \}\}/g, 'the value');
}
