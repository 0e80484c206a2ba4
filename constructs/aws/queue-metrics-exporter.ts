/**
 * celery-exporter as one small ECS service per stack, with an AWS OpenTelemetry collector sidecar
 * that publishes `celery_queue_length` per queue to CloudWatch (embedded metric format). The same
 * number drives every pool's scaling on both brokers, so scaling never depends on broker-specific
 * metrics (Amazon MQ 4.x publishes none per queue).
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { celeryExporterArgs } from '../celery/exporter-args';
import { CELERY_EXPORTER_PORT, IMAGES } from '../celery/images';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import { EcsTaskRoles } from './task-roles';

/** CloudWatch namespace of the queue metrics of one stack. */
export function queueMetricsNamespace(stackId: string): string {
  return `Celery/${stackId}`;
}
export const QUEUE_LENGTH_METRIC = 'celery_queue_length';
export const QUEUE_NAME_DIMENSION = 'queue_name';

export interface AwsQueueMetricsExporterProps {
  readonly spec: DeploymentSpec;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
  /**
   * Seconds between two scrapes of the exporter.
   * @default 30 — two samples per one-minute scaling period.
   */
  readonly scrapeIntervalSeconds?: number;
  /** Also write every exporter metric to this Managed Prometheus workspace (SigV4). */
  readonly remoteWrite?: RemoteWriteTarget;
}

export interface RemoteWriteTarget {
  /** `<workspace endpoint>api/v1/remote_write`. */
  readonly url: string;
  readonly workspaceArn: string;
}

export class AwsQueueMetricsExporter extends Construct {
  readonly service: EcsService;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: AwsQueueMetricsExporterProps) {
    super(scope, id);
    const { spec } = props;
    const account = spec.accountId!;
    this.namespace = queueMetricsNamespace(spec.stackId);

    const logs = new CloudwatchLogGroup(this, 'logs', { name: `/celerykit/${spec.stackId}/exporter`, retentionInDays: 30 });
    const metricLogs = new CloudwatchLogGroup(this, 'metric-logs', { name: `/celerykit/${spec.stackId}/queue-metrics`, retentionInDays: 7 });

    const roles = new EcsTaskRoles(this, 'roles', {
      stackId: spec.stackId,
      accountId: account,
      component: 'exporter',
      purpose: 'celery-exporter and its collector (queue metrics only)',
      logGroupArn: logs.arn,
      image: IMAGES.celeryExporter,
      injectedSecretArns: [props.brokerUrlSecretArn],
      taskStatements: [
        {
          Sid: 'WriteQueueMetrics',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [metricLogs.arn, `${metricLogs.arn}:*`],
        },
        ...(props.remoteWrite === undefined
          ? []
          : [{ Sid: 'WriteToOwnWorkspace', Effect: 'Allow' as const, Action: ['aps:RemoteWrite'], Resource: [props.remoteWrite.workspaceArn] }]),
      ],
    });


    const taskDefinition = fargateTaskDefinition(this, 'task', {
      family: `${spec.stackId}-exporter`,
      cpu: 0.25,
      memory: 512,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      containers: [
        {
          name: 'celery-exporter',
          image: IMAGES.celeryExporter,
          essential: true,
          command: celeryExporterArgs(spec),
          // celery-exporter reads --broker-url from CE_BROKER_URL.
          secrets: [{ name: 'CE_BROKER_URL', valueFrom: props.brokerUrlSecretArn }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'exporter'),
        },
        {
          name: 'collector',
          image: IMAGES.awsOtelCollector,
          essential: true,
          environment: [{ name: 'AOT_CONFIG_CONTENT', value: collectorConfig(spec, metricLogs.name, props.scrapeIntervalSeconds ?? 30, props.remoteWrite?.url) }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'collector'),
        },
      ],
    });

    this.service = privateFargateService(this, 'service', {
      name: 'celery-exporter',
      clusterArn: props.clusterArn,
      task: taskDefinition,
      startsAfter: props.startsAfter,
      subnetIds: props.subnetIds,
      securityGroupId: props.securityGroupId,
      // One exporter: a second would report the same queues and double the event consumers.
      desiredCount: 1,
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
  }
}

/**
 * Collector configuration: scrape the exporter; queue lengths go to CloudWatch as EMF (scaling),
 * and, with a remote-write URL, every metric goes to Managed Prometheus (alerts, dashboards).
 */
export function collectorConfig(spec: DeploymentSpec, metricLogGroup: string, scrapeIntervalSeconds: number, remoteWriteUrl?: string): string {
  const prometheus = remoteWriteUrl !== undefined;
  const scrapeExporter = (receiver: string) => [
    `  ${receiver}:`,
    '    config:',
    '      scrape_configs:',
    '        - job_name: celery-exporter',
    `          scrape_interval: ${scrapeIntervalSeconds}s`,
    '          static_configs:',
    `            - targets: ["localhost:${CELERY_EXPORTER_PORT}"]`,
  ];
  return [
    ...(prometheus ? ['extensions:', '  sigv4auth:', `    region: ${spec.region}`, '    service: aps'] : []),
    'receivers:',
    ...scrapeExporter('prometheus'),
    '          metric_relabel_configs:',
    '            - source_labels: [__name__]',
    `              regex: ${QUEUE_LENGTH_METRIC}`,
    '              action: keep',
    ...(prometheus ? scrapeExporter('prometheus/all') : []),
    'exporters:',
    '  awsemf:',
    `    namespace: ${queueMetricsNamespace(spec.stackId)}`,
    `    log_group_name: ${metricLogGroup}`,
    `    region: ${spec.region}`,
    '    dimension_rollup_option: NoDimensionRollup',
    '    metric_declarations:',
    `      - dimensions: [[${QUEUE_NAME_DIMENSION}]]`,
    `        metric_name_selectors: [${QUEUE_LENGTH_METRIC}]`,
    ...(prometheus ? ['  prometheusremotewrite:', `    endpoint: ${remoteWriteUrl}`, '    auth:', '      authenticator: sigv4auth'] : []),
    'service:',
    ...(prometheus ? ['  extensions: [sigv4auth]'] : []),
    '  pipelines:',
    '    metrics:',
    '      receivers: [prometheus]',
    '      exporters: [awsemf]',
    ...(prometheus ? ['    metrics/all:', '      receivers: [prometheus/all]', '      exporters: [prometheusremotewrite]'] : []),
    '',
  ].join('\n');
}
