/**
 * Scaling of one worker pool on the workers its load needs, not CPU.
 *
 * The exporter task's Prometheus records `celerykit_pool_workers` per pool (waiting plus running
 * tasks per `backlogPerWorker`, never fewer than the busy workers, held while the exporter is
 * silent; constructs/celery/pool-backlog-rules.ts) and its collector publishes it to CloudWatch.
 * Target tracking keeps (needed workers) / (running tasks) at 1: quick to add workers (1 minute),
 * slow to remove them (the pool's scale-in cooldown). ECS still chooses which task to stop, so the
 * pool's busy workers also protect themselves from scale-in (worker-hooks/).
 *
 * Missing data is never read as zero: the needed-workers metric is not filled, so when it stops
 * the target tracking alarms go to INSUFFICIENT_DATA and "Application Auto Scaling cannot scale"
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html,
 * Considerations). Target tracking multiplies the running count, so it cannot leave zero; a pool
 * that may scale to zero also gets a step policy that starts one task when the pool needs a
 * worker and nothing runs.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { WorkerPoolSpec } from '../../spec/types';
import { POOL_DIMENSION, POOL_WORKERS_METRIC } from './queue-metrics-exporter';

export interface AwsQueueDepthScalingProps {
  readonly stackId: string;
  readonly pool: WorkerPoolSpec;
  readonly clusterName: string;
  readonly serviceName: string;
  /** CloudWatch namespace where the exporter publishes the pool series. */
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
  metricStat: { metric: { namespace: string; metricName: string; dimensions: Array<{ name: string; value: string }> }; stat: string };
  returnData: boolean;
}

/**
 * The metric math of one pool, as data for tests and dashboards. `workers` is never filled: a
 * missing value must stay missing. `running` is filled with 0: it is only ever the divisor or the
 * "nothing runs" test, where a missing task count must read as no task.
 */
export function poolScalingMath() {
  const running = 'FILL(running, 0)';
  return {
    /** Tracked at 1: needed workers per running task. */
    workersPerRunningTask: `workers / IF(${running} < 1, 1, ${running})`,
    /** 1 when the pool needs a worker and none runs (start from zero). */
    idleWithWork: `IF(${running} < 1 AND workers > 0, 1, 0)`,
  };
}

export class AwsQueueDepthScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly backlogPolicy: AppautoscalingPolicy;
  /** Only for pools whose minimum is 0. */
  readonly startFromZeroPolicy?: AppautoscalingPolicy;
  readonly startFromZeroAlarm?: CloudwatchMetricAlarm;
  /** The tracked metric math expression (for tests and dashboards). */
  readonly backlogExpression: string;

  constructor(scope: Construct, id: string, props: AwsQueueDepthScalingProps) {
    super(scope, id);
    const { pool } = props;
    const math = poolScalingMath();
    this.backlogExpression = math.workersPerRunningTask;

    const workers: MetricQuery = {
      id: 'workers',
      metricStat: {
        metric: { namespace: props.queueMetricsNamespace, metricName: POOL_WORKERS_METRIC, dimensions: [{ name: POOL_DIMENSION, value: pool.name }] },
        // The larger of the two samples a minute: scale-in waits for the lower need to last.
        stat: 'Maximum',
      },
      returnData: false,
    };
    const running: MetricQuery = {
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
    };
    const inputs = [workers, running];

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
        // The metric already counts workers (backlogPerWorker is applied in the rule).
        targetValue: 1,
        scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60,
        scaleInCooldown: pool.scaleInCooldownSeconds,
        customizedMetricSpecification: {
          metrics: [
            ...inputs,
            { id: 'workers_per_running_task', expression: this.backlogExpression, label: `${pool.name} needed workers per running task`, returnData: true },
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
        // No data (exporter silent) starts nothing; the pool stays as it is.
        treatMissingData: 'notBreaching',
        alarmActions: [this.startFromZeroPolicy.arn],
        metricQuery: [
          ...inputs.map((q) => {
            const { namespace, metricName, dimensions } = q.metricStat.metric;
            return {
              id: q.id,
              returnData: false,
              metric: { namespace, metricName, period: 60, stat: q.metricStat.stat, dimensions: Object.fromEntries(dimensions.map((d) => [d.name, d.value])) },
            };
          }),
          { id: 'idle_with_work', expression: math.idleWithWork, label: `${pool.name} idle with work waiting`, returnData: true },
        ],
      });
    }
  }
}
