/**
 * celery-exporter as one small ECS service per stack, with a Prometheus that evaluates the kit's
 * pool scaling rules (the same rules GCP evaluates) and an AWS OpenTelemetry collector that
 * publishes each pool's `celerykit_pool_workers` to CloudWatch (embedded metric format), where the
 * pool's scaling policy reads it. Scaling therefore never depends on broker-specific metrics
 * (Amazon MQ 4.x publishes none per queue), and counts running tasks, not only waiting ones.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { celeryExporterArgs } from '../celery/exporter-args';
import { CELERY_EXPORTER_PORT, IMAGES } from '../celery/images';
import { exporterPrometheusConfig, EXPORTER_SCRAPE_SECONDS, POOL_WORKERS_SERIES, poolBacklogRules } from '../celery/pool-backlog-rules';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import { EcsTaskRoles } from './task-roles';

/** CloudWatch namespace of the queue metrics of one stack. */
export function queueMetricsNamespace(stackId: string): string {
  return `Celery/${stackId}`;
}
/** The CloudWatch metric each pool scales on, and its one dimension. */
export const POOL_WORKERS_METRIC = POOL_WORKERS_SERIES;
export const POOL_DIMENSION = 'pool';
/** Prometheus listens on the task's loopback only; the collector is its one reader. */
export const EXPORTER_PROMETHEUS_PORT = 9090;
const PROMETHEUS_FILES = '/etc/celerykit';

export interface AwsQueueMetricsExporterProps {
  readonly spec: DeploymentSpec;
  readonly clusterArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
  /**
   * Seconds between two reads of the recorded pool series.
   * @default 30 — two samples per one-minute scaling period, as often as the rules are evaluated.
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
      // Exporter, Prometheus and collector together; 512 MiB leaves no room for Prometheus.
      memory: 1024,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      scratchVolumes: ['prometheus-config'],
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
          // Fargate has no config files: write Prometheus's into a task volume before it starts.
          name: 'prometheus-config',
          image: IMAGES.busybox,
          essential: false,
          command: [
            'sh',
            '-c',
            `printf "%s" "$PROMETHEUS_CONFIG" > ${PROMETHEUS_FILES}/prometheus.yml && printf "%s" "$POOL_RULES" > ${PROMETHEUS_FILES}/rules.yml && chmod -R a+rX ${PROMETHEUS_FILES}`,
          ],
          environment: [
            { name: 'PROMETHEUS_CONFIG', value: exporterPrometheusConfig(`${PROMETHEUS_FILES}/rules.yml`) },
            { name: 'POOL_RULES', value: poolBacklogRules(spec) },
          ],
          mountPoints: [{ sourceVolume: 'prometheus-config', containerPath: PROMETHEUS_FILES }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'prometheus-config'),
        },
        {
          name: 'prometheus',
          image: IMAGES.prometheus,
          essential: true,
          dependsOn: [{ containerName: 'prometheus-config', condition: 'SUCCESS' }],
          command: [
            `--config.file=${PROMETHEUS_FILES}/prometheus.yml`,
            '--storage.tsdb.path=/prometheus',
            // The rules hold a value for at most an hour (HOLD_WINDOW); nothing older is read.
            '--storage.tsdb.retention.time=2h',
            `--web.listen-address=127.0.0.1:${EXPORTER_PROMETHEUS_PORT}`,
          ],
          mountPoints: [{ sourceVolume: 'prometheus-config', containerPath: PROMETHEUS_FILES, readOnly: true }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'prometheus'),
        },
        {
          name: 'collector',
          image: IMAGES.awsOtelCollector,
          essential: true,
          environment: [{ name: 'AOT_CONFIG_CONTENT', value: collectorConfig(spec, metricLogs.name, props.scrapeIntervalSeconds ?? EXPORTER_SCRAPE_SECONDS, props.remoteWrite?.url) }],
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
 * Collector configuration: the pool series go from Prometheus's federation endpoint to CloudWatch
 * as EMF (scaling); with a remote-write URL, every exporter metric and the pool series also go
 * to Managed Prometheus (alerts, dashboards).
 */
export function collectorConfig(spec: DeploymentSpec, metricLogGroup: string, scrapeIntervalSeconds: number, remoteWriteUrl?: string): string {
  const prometheus = remoteWriteUrl !== undefined;
  const federatePoolSeries = [
    '        - job_name: celerykit-pool-workers',
    `          scrape_interval: ${scrapeIntervalSeconds}s`,
    '          metrics_path: /federate',
    '          params:',
    `            "match[]": ['{__name__="${POOL_WORKERS_SERIES}"}']`,
    // Keep the rule's own stack and pool labels instead of the scrape's.
    '          honor_labels: true',
    '          static_configs:',
    `            - targets: ["localhost:${EXPORTER_PROMETHEUS_PORT}"]`,
  ];
  const scrapeExporter = [
    '        - job_name: celery-exporter',
    `          scrape_interval: ${scrapeIntervalSeconds}s`,
    '          static_configs:',
    `            - targets: ["localhost:${CELERY_EXPORTER_PORT}"]`,
  ];
  return [
    ...(prometheus ? ['extensions:', '  sigv4auth:', `    region: ${spec.region}`, '    service: aps'] : []),
    'receivers:',
    '  prometheus:',
    '    config:',
    '      scrape_configs:',
    ...federatePoolSeries,
    ...(prometheus ? ['  prometheus/all:', '    config:', '      scrape_configs:', ...scrapeExporter, ...federatePoolSeries] : []),
    'exporters:',
    '  awsemf:',
    `    namespace: ${queueMetricsNamespace(spec.stackId)}`,
    `    log_group_name: ${metricLogGroup}`,
    `    region: ${spec.region}`,
    '    dimension_rollup_option: NoDimensionRollup',
    '    metric_declarations:',
    `      - dimensions: [[${POOL_DIMENSION}]]`,
    `        metric_name_selectors: [${POOL_WORKERS_METRIC}]`,
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
