/**
 * Alerting on AWS: an Amazon Managed Service for Prometheus workspace that the exporter's
 * collector writes to, the kit's alert rules as a rule group namespace, an alert manager that
 * publishes to an encrypted SNS topic with the file's email and webhook subscribers, and a
 * CloudWatch alarm per pool on ECS's own running-task count that works even when the exporter
 * does not.
 */
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { PrometheusAlertManagerDefinition } from '@cdktf/provider-aws/lib/prometheus-alert-manager-definition';
import { PrometheusRuleGroupNamespace } from '@cdktf/provider-aws/lib/prometheus-rule-group-namespace';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec, MonitoringSpec } from '../../spec/types';
import { alertmanagerConfig } from '../celery/alertmanager-config';
import { renderAlertRules } from '../celery/alert-rules';
import { fixedTerraformName } from '../celery/terraform-names';

export interface AwsAlertingProps {
  readonly spec: DeploymentSpec;
  readonly monitoring: MonitoringSpec;
  readonly clusterName: string;
  /** ECS service name per pool. */
  readonly serviceNames: Readonly<Record<string, string>>;
}

export class AwsAlerting extends Construct {
  readonly workspace: PrometheusWorkspace;
  readonly topic: SnsTopic;
  /** Remote-write URL of the workspace. */
  readonly remoteWriteUrl: string;
  readonly alertmanagerYaml: string;

  constructor(scope: Construct, id: string, props: AwsAlertingProps) {
    super(scope, id);
    const { spec, monitoring } = props;
    const account = spec.accountId!;
    /** What a service needs of the key to publish to the encrypted topic, on behalf of this account only. */
    const keyUseBy = (sid: string, service: string) => ({
      Sid: sid,
      Effect: 'Allow',
      Principal: { Service: service },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    });

    this.workspace = new PrometheusWorkspace(this, 'workspace', { alias: `celerykit-${spec.stackId}` });
    this.remoteWriteUrl = `${this.workspace.prometheusEndpoint}api/v1/remote_write`;

    // A key of our own: the AWS-managed SNS key cannot let Managed Prometheus publish.
    const key = new KmsKey(this, 'topic-key', {
      description: `celerykit ${spec.stackId}: encrypts the alert topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
          keyUseBy('ManagedPrometheusPublishes', 'aps.amazonaws.com'),
          // The backstop alarms publish too: without the key, CloudWatch drops their notifications
          // silently (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
          keyUseBy('CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com'),
        ],
      }),
    });
    this.topic = new SnsTopic(this, 'topic', { name: `${spec.stackId}-alerts`, kmsMasterKeyId: key.arn });
    new SnsTopicPolicy(this, 'topic-policy', {
      arn: this.topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ManagedPrometheusPublishes',
            Effect: 'Allow',
            Principal: { Service: 'aps.amazonaws.com' },
            Action: ['sns:Publish', 'sns:GetTopicAttributes'],
            Resource: this.topic.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': this.workspace.arn }, StringEquals: { 'aws:SourceAccount': account } },
          },
          {
            Sid: 'CloudWatchBackstopPublishes',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: this.topic.arn,
            Condition: { StringEquals: { 'aws:SourceAccount': account } },
          },
        ],
      }),
    });
    monitoring.alerts.emails.forEach((email, i) => new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: 'email', endpoint: email }));
    for (const webhook of monitoring.alerts.webhooks) {
      // The URL carries the receiver's credential: it is a sensitive variable, never in the file.
      const url = new TerraformVariable(this, `webhook-${webhook}`, {
        type: 'string',
        sensitive: true,
        description: `HTTPS endpoint of the ${webhook} alert receiver (it contains a credential)`,
      });
      url.overrideLogicalId(fixedTerraformName(this, `webhook_${webhook.replace(/-/g, '_')}`));
      new SnsTopicSubscription(this, `webhook-${webhook}-subscription`, { topicArn: this.topic.arn, protocol: 'https', endpoint: url.stringValue, endpointAutoConfirms: false });
    }

    new TerraformOutput(this, 'topic-arn', { value: this.topic.arn, description: 'SNS topic that receives every alert of this stack' }).overrideLogicalId(fixedTerraformName(this, 'alert_topic_arn'));

    new PrometheusRuleGroupNamespace(this, 'rules', { name: 'celerykit', workspaceId: this.workspace.id, data: renderAlertRules(spec) });
    this.alertmanagerYaml = alertmanagerConfig({
      name: 'sns',
      config: {
        sns_configs: [
          {
            topic_arn: this.topic.arn,
            sigv4: { region: spec.region },
            subject: '[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.stack }})',
            attributes: { severity: '{{ .CommonLabels.severity }}', stack: spec.stackId },
          },
        ],
      },
    });
    new PrometheusAlertManagerDefinition(this, 'alertmanager', {
      workspaceId: this.workspace.id,
      definition: `alertmanager_config: |\n${this.alertmanagerYaml.replace(/^/gm, '  ')}`,
    });

    // Backstop without the exporter: ECS runs fewer tasks than the scaler asked for, for 5 minutes.
    for (const pool of spec.pools) {
      const dimensions = { ClusterName: props.clusterName, ServiceName: props.serviceNames[pool.name]! };
      const metric = (id: string, name: string) => ({
        id,
        returnData: false,
        metric: { namespace: 'ECS/ContainerInsights', metricName: name, period: 60, stat: 'Average', dimensions },
      });
      new CloudwatchMetricAlarm(this, `backstop-${pool.name}`, {
        alarmName: `${spec.stackId}-${pool.name}-fewer-tasks-than-desired`,
        alarmDescription: `ECS runs fewer ${pool.name} workers than the scaler asked for (start failures, Spot shortage, image pull errors)`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        // No data (a pool idle at zero publishes none) is not a missing worker.
        treatMissingData: 'notBreaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        metricQuery: [
          metric('desired', 'DesiredTaskCount'),
          metric('running', 'RunningTaskCount'),
          { id: 'missing', expression: 'desired - running', label: `${pool.name} tasks missing`, returnData: true },
        ],
      });
    }
  }
}
