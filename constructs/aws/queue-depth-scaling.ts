/**
 * Scaling of one worker pool on its queues' backlog per running worker, not CPU.
 *
 * Target tracking keeps (sum of the pool's queue lengths) / (running tasks) near the pool's
 * `backlogPerWorker`: quick to add workers (1 minute), slow to remove them (the pool's scale-in
 * cooldown). Target tracking multiplies the running count, so it cannot leave zero; a pool that
 * may scale to zero also gets a step policy that starts one task when its queues have a backlog
 * and nothing runs.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { WorkerPoolSpec } from '../../spec/types';
import { QUEUE_LENGTH_METRIC, QUEUE_NAME_DIMENSION } from './queue-metrics-exporter';

export interface AwsQueueDepthScalingProps {
  readonly stackId: string;
  readonly pool: WorkerPoolSpec;
  readonly clusterName: string;
  readonly serviceName: string;
  /** CloudWatch namespace where the exporter publishes queue lengths. */
  readonly queueMetricsNamespace: string;
  /**
   * Seconds between scale-out steps.
   * @default 60 — a growing backlog gets workers within a minute or two.
   */
  readonly scaleOutCooldownSeconds?: number;
}

/** One metric query of a CloudWatch metric math expression. */
interface MetricQuery {
  id: string;
  expression?: string;
  metricStat?: { metric: { namespace: string; metricName: string; dimensions: Array<{ name: string; value: string }> }; stat: string };
  returnData: boolean;
}

export class AwsQueueDepthScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly backlogPolicy: AppautoscalingPolicy;
  /** Only for pools whose minimum is 0. */
  readonly startFromZeroPolicy?: AppautoscalingPolicy;
  readonly startFromZeroAlarm?: CloudwatchMetricAlarm;
  /** The metric math expression of backlog per running worker (for tests and dashboards). */
  readonly backlogExpression: string;

  constructor(scope: Construct, id: string, props: AwsQueueDepthScalingProps) {
    super(scope, id);
    const { pool } = props;
    const queues = pool.queues.map((queue, i) => ({ id: `q${i}`, queue }));
    const backlog = queues.map((q) => `FILL(${q.id}, 0)`).join(' + ');
    const running = 'FILL(running, 0)';
    this.backlogExpression = `(${backlog}) / IF(${running} < 1, 1, ${running})`;

    const inputs: MetricQuery[] = [
      ...queues.map((q) => ({
        id: q.id,
        metricStat: {
          metric: { namespace: props.queueMetricsNamespace, metricName: QUEUE_LENGTH_METRIC, dimensions: [{ name: QUEUE_NAME_DIMENSION, value: q.queue }] },
          stat: 'Average',
        },
        returnData: false,
      })),
      {
        id: 'running',
        metricStat: {
          metric: {
            namespace: 'ECS/ContainerInsights',
            metricName: 'RunningTaskCount',
            dimensions: [
              { name: 'ClusterName', value: props.clusterName },
              { name: 'ServiceName', value: props.serviceName },
            ],
          },
          stat: 'Average',
        },
        returnData: false,
      },
    ];

    this.target = new AppautoscalingTarget(this, 'target', {
      serviceNamespace: 'ecs',
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: pool.autoscale.min,
      maxCapacity: pool.autoscale.max,
    });
    const scalingTarget = {
      serviceNamespace: this.target.serviceNamespace,
      resourceId: this.target.resourceId,
      scalableDimension: this.target.scalableDimension,
    };

    this.backlogPolicy = new AppautoscalingPolicy(this, 'backlog-per-worker', {
      name: `${props.stackId}-${pool.name}-backlog-per-worker`,
      policyType: 'TargetTrackingScaling',
      ...scalingTarget,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: pool.autoscale.backlogPerWorker,
        scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60,
        scaleInCooldown: pool.scaleInCooldownSeconds,
        customizedMetricSpecification: {
          metrics: [
            ...inputs,
            { id: 'backlog_per_worker', expression: this.backlogExpression, label: `${pool.name} backlog per running worker`, returnData: true },
          ],
        },
      },
    });

    if (pool.autoscale.min === 0) {
      this.startFromZeroPolicy = new AppautoscalingPolicy(this, 'start-from-zero', {
        name: `${props.stackId}-${pool.name}-start-from-zero`,
        policyType: 'StepScaling',
        ...scalingTarget,
        stepScalingPolicyConfiguration: {
          adjustmentType: 'ChangeInCapacity',
          cooldown: 60,
          metricAggregationType: 'Maximum',
          stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
        },
      });
      this.startFromZeroAlarm = new CloudwatchMetricAlarm(this, 'backlog-while-idle', {
        alarmName: `${props.stackId}-${pool.name}-backlog-while-idle`,
        alarmDescription: `Tasks wait in ${pool.queues.join(', ')} and no ${pool.name} worker runs: start one`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        alarmActions: [this.startFromZeroPolicy.arn],
        metricQuery: [
          ...inputs.map((q) => {
            const { namespace, metricName, dimensions } = q.metricStat!.metric;
            return {
              id: q.id,
              returnData: false,
              metric: { namespace, metricName, period: 60, stat: q.metricStat!.stat, dimensions: Object.fromEntries(dimensions.map((d) => [d.name, d.value])) },
            };
          }),
          { id: 'idle_with_backlog', expression: `IF(${running} < 1 AND (${backlog}) > 0, 1, 0)`, label: `${pool.name} idle with a backlog`, returnData: true },
        ],
      });
    }
  }
}
