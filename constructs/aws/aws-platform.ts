/**
 * The AWS side of one deployment: the provider with the deployment's tags, then one construct per
 * concern (network, security groups, broker, broker URL secret; worker pools, schedules and
 * monitoring plug in here as they are added).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ResourcegroupsGroup } from '@cdktf/provider-aws/lib/resourcegroups-group';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec } from '../../spec/types';
import { AwsAlerting } from './alerting';
import { AwsBeatSingleton } from './beat-singleton';
import { AwsEcsCluster } from './ecs-cluster';
import { AwsMonitoringFrontDoor } from './monitoring-front-door';
import { ManagedSecret } from './managed-secret';
import { AwsQueueDepthScaling } from './queue-depth-scaling';
import { AwsQueueMetricsExporter } from './queue-metrics-exporter';
import { AwsWorkerPool } from './worker-pool';
import { AwsNetwork } from './network';
import { AMQPS_PORT, AwsRabbitmqBroker, RABBITMQ_MANAGEMENT_PORT } from './rabbitmq-broker';
import { AwsRabbitmqUsersBootstrap } from './rabbitmq-users-bootstrap';
import { AwsRedisBroker, REDIS_PORT } from './redis-broker';
import { rabbitmqUsers, type RabbitmqUserRole } from '../celery/rabbitmq-users';
import { redisUsers } from '../celery/redis-users';
import { AwsScheduledTasks } from './scheduled-tasks';
import { AwsSecurityGroups, BROKER_CLIENTS } from './security-groups';
import { AwsVpcEndpoints } from './vpc-endpoints';
import { fixedTerraformName, setTerraformNamePrefix } from '../celery/terraform-names';

export interface AwsPlatformProps {
  /** The deployment; its cloud must be `aws`. */
  readonly spec: DeploymentSpec;
  /**
   * The provider the platform's resources use, when the stack already has one (the construct
   * library case). Its default tags are then the caller's business; the policy pack's CK-TAGS
   * still asks for customer, environment and managed-by on it.
   * @default a provider of the platform's own, with the deployment's tags as default tags and the
   *   file's account as the only allowed account, which is what a stack of its own needs.
   */
  readonly provider?: AwsProvider;
  /**
   * Prefix of the outputs and variables people and pipelines read by name (`flower_url`,
   * `oidc_client_secret`), for two platforms in one stack.
   * @default none: the names as they are, which is what a stack of its own (the YAML path) uses
   */
  readonly terraformNamePrefix?: string;
}

export class AwsPlatform extends Construct {
  /** The aws provider every resource of the platform uses (the one handed in, or its own). */
  readonly provider: AwsProvider;
  /** Every resource of the deployment in one console view, found by the kit's tags. */
  readonly resourceGroup: ResourcegroupsGroup;
  /** The VPC, subnets and NAT, or the existing network the file names. */
  readonly network: AwsNetwork;
  /** One security group per component; broker ingress admits only the client groups. */
  readonly securityGroups: AwsSecurityGroups;
  /** S3 gateway and interface endpoints: AWS APIs without NAT. */
  readonly endpoints: AwsVpcEndpoints;
  /** ElastiCache (Redis/Valkey) or Amazon MQ for RabbitMQ, by `broker.kind`. */
  readonly broker: AwsRedisBroker | AwsRabbitmqBroker;
  /** The full Celery broker URL of the app's user; workers, beat and scheduled calls get it as a secret, never as a plain variable. */
  readonly brokerUrlSecret: ManagedSecret;
  /**
   * The broker URL each component gets: each has a broker user of its own (the app's URL is
   * brokerUrlSecret), an Amazon MQ user on RabbitMQ, an ElastiCache RBAC user on Redis.
   */
  readonly componentBrokerUrlSecrets: Readonly<Record<RabbitmqUserRole, ManagedSecret>>;
  /** Creates the RabbitMQ users before anything connects (RabbitMQ only). */
  readonly brokerUsers?: AwsRabbitmqUsersBootstrap;
  /** The ECS cluster the worker pools, the exporter and Flower run in. */
  readonly cluster: AwsEcsCluster;
  /** celery-exporter, and the queue-depth metrics that scaling reads from it. */
  readonly exporter: AwsQueueMetricsExporter;
  /** Managed Prometheus, alert rules, alert manager and backstop alarms (when the file has monitoring). */
  readonly alerting?: AwsAlerting;
  /** Flower and Grafana behind the OIDC load balancer (when the file has monitoring). */
  readonly frontDoor?: AwsMonitoringFrontDoor;
  /** One ECS service per worker pool, each with its queue-depth scaling. */
  readonly pools: ReadonlyArray<{ readonly workers: AwsWorkerPool; readonly scaling: AwsQueueDepthScaling }>;
  /** Periodic tasks: cloud-scheduled calls, or the app's own beat as a singleton. */
  readonly periodicTasks: AwsScheduledTasks | AwsBeatSingleton;

  constructor(scope: Construct, id: string, props: AwsPlatformProps) {
    super(scope, id);
    // Before any child exists: the children read it from the construct context.
    setTerraformNamePrefix(this, props.terraformNamePrefix);
    const { spec } = props;
    if (spec.cloud !== 'aws') throw new Error(`AwsPlatform got a ${spec.cloud} spec (${spec.stackId})`);

    // default_tags puts customer/environment/managed-by on every taggable resource without each
    // construct repeating them; allowed_account_ids stops a plan run with the wrong account's keys.
    this.provider =
      props.provider ??
      new AwsProvider(this, 'provider', {
        region: spec.region,
        allowedAccountIds: spec.accountId === undefined ? undefined : [spec.accountId],
        defaultTags: [{ tags: { ...spec.tags } }],
      });

    this.network = new AwsNetwork(this, 'network', { stackId: spec.stackId, network: spec.network, natPerZone: !spec.nonProduction });

    const redis = spec.broker.kind === 'redis';
    this.securityGroups = new AwsSecurityGroups(this, 'security-groups', {
      stackId: spec.stackId,
      vpcId: this.network.vpcId,
      brokerPorts: [redis ? REDIS_PORT : AMQPS_PORT],
      brokerManagementPorts: redis ? [] : [RABBITMQ_MANAGEMENT_PORT],
      appEgress: spec.appEgress,
    });
    this.endpoints = new AwsVpcEndpoints(this, 'endpoints', {
      stackId: spec.stackId,
      region: spec.region,
      vpcId: this.network.vpcId,
      privateSubnetIds: this.network.privateSubnetIds,
      privateRouteTableIds: this.network.privateRouteTableIds,
      services: spec.interfaceEndpoints,
    });
    for (const client of BROKER_CLIENTS) this.endpoints.admit(client, this.securityGroups.clients[client].id);

    this.broker =
      spec.broker.kind === 'redis'
        ? new AwsRedisBroker(this, 'redis', {
            stackId: spec.stackId,
            broker: spec.broker,
            users: redisUsers(spec),
            subnetIds: this.network.privateSubnetIds,
            zones: this.network.zones,
            securityGroupId: this.securityGroups.broker.id,
          })
        : new AwsRabbitmqBroker(this, 'rabbitmq', {
            stackId: spec.stackId,
            broker: spec.broker,
            subnetIds: this.network.privateSubnetIds,
            securityGroupId: this.securityGroups.broker.id,
          });

    this.brokerUrlSecret = new ManagedSecret(this, 'broker-url', {
      name: `celerykit/${spec.stackId}/broker-url`,
      description: `Celery broker URL of ${spec.stackId} (${spec.broker.kind}), injected into workers as a secret`,
      value: this.broker.brokerUrl,
    });
    new TerraformOutput(this, 'broker_url_secret_arn', {
      value: this.brokerUrlSecret.arn,
      description: 'Secrets Manager secret holding the Celery broker URL',
    }).overrideLogicalId(fixedTerraformName(this, 'broker_url_secret_arn'));

    this.cluster = new AwsEcsCluster(this, 'cluster', { stackId: spec.stackId });
    const startsAfter = { capacityProviders: this.cluster.capacityProviders, egress: this.network.privateEgress };
    // Each component reads the URL of its own broker user only (RabbitMQ: Amazon MQ users made by
    // the bootstrap; Redis: ElastiCache RBAC users). The app's is brokerUrlSecret.
    const broker = this.broker;
    const own = (role: 'exporter' | 'flower') =>
      new ManagedSecret(this, `broker-url-${role}`, {
        name: `celerykit/${spec.stackId}/broker-url-${role}`,
        description: `Celery broker URL of the ${role}'s own ${broker instanceof AwsRabbitmqBroker ? 'RabbitMQ' : 'Redis'} user (${spec.stackId})`,
        value: broker.userUrls[role],
      });
    this.componentBrokerUrlSecrets = { app: this.brokerUrlSecret, exporter: own('exporter'), flower: own('flower') };
    if (broker instanceof AwsRabbitmqBroker) {
      this.brokerUsers = new AwsRabbitmqUsersBootstrap(this, 'broker-users', {
        spec,
        users: rabbitmqUsers(spec),
        vpcId: this.network.vpcId,
        clusterArn: this.cluster.cluster.arn,
        subnetIds: this.network.privateSubnetIds,
        startsAfter,
        brokerSecurityGroupId: this.securityGroups.broker.id,
        adminSecret: broker.credentialsSecret,
        userUrlSecrets: this.componentBrokerUrlSecrets,
      });
      this.endpoints.admit('broker-users', this.brokerUsers.securityGroup.id);
    }
    const placement = {
      clusterArn: this.cluster.cluster.arn,
      subnetIds: this.network.privateSubnetIds,
      brokerUrlSecretArn: this.brokerUrlSecret.arn,
      startsAfter: { ...startsAfter, ...(this.brokerUsers === undefined ? {} : { brokerUsers: [this.brokerUsers.service] }) },
    };

    if (spec.monitoring !== undefined) {
      this.alerting = new AwsAlerting(this, 'alerting', {
        spec,
        monitoring: spec.monitoring,
        clusterName: this.cluster.name,
        serviceNames: Object.fromEntries(spec.pools.map((p) => [p.name, p.name])),
      });
    }
    this.exporter = new AwsQueueMetricsExporter(this, 'exporter', {
      spec,
      ...placement,
      brokerUrlSecretArn: this.componentBrokerUrlSecrets.exporter.arn,
      securityGroupId: this.securityGroups.clients.exporter.id,
      ...(this.alerting === undefined ? {} : { remoteWrite: { url: this.alerting.remoteWriteUrl, workspaceArn: this.alerting.workspace.arn } }),
    });

    if (spec.monitoring !== undefined && this.alerting !== undefined) {
      this.frontDoor = new AwsMonitoringFrontDoor(this, 'front-door', {
        spec,
        monitoring: spec.monitoring,
        vpcId: this.network.vpcId,
        publicSubnetIds: this.network.publicSubnetIds,
        privateSubnetIds: this.network.privateSubnetIds,
        clusterArn: this.cluster.cluster.arn,
        brokerUrlSecretArn: this.componentBrokerUrlSecrets.flower.arn,
        startsAfter: placement.startsAfter,
        flowerSecurityGroupId: this.securityGroups.clients.flower.id,
        ...(this.broker instanceof AwsRabbitmqBroker ? { brokerManagementApiUrl: this.broker.managementApiUrl } : {}),
        prometheusWorkspace: { arn: this.alerting.workspace.arn, endpoint: this.alerting.workspace.prometheusEndpoint },
      });
      this.endpoints.admit('grafana', this.frontDoor.grafanaSecurityGroupId);
    }

    this.pools = spec.pools.map((pool) => {
      const workers = new AwsWorkerPool(this, `pool-${pool.name}`, {
        spec,
        pool,
        clusterName: this.cluster.name,
        ...placement,
        securityGroupId: this.securityGroups.clients.workers.id,
      });
      const scaling = new AwsQueueDepthScaling(this, `scaling-${pool.name}`, {
        stackId: spec.stackId,
        pool,
        clusterName: this.cluster.name,
        serviceName: workers.serviceName,
        queueMetricsNamespace: this.exporter.namespace,
      });
      // The scaling target names the service by its path; the service must exist first.
      scaling.target.node.addDependency(workers.service);
      return { workers, scaling };
    });

    const schedulerPlacement = { spec, ...placement, securityGroupId: this.securityGroups.clients['scheduled-tasks'].id };
    this.periodicTasks =
      spec.periodicTasks === 'beat-singleton'
        ? new AwsBeatSingleton(this, 'beat', schedulerPlacement)
        : new AwsScheduledTasks(this, 'scheduled-tasks', schedulerPlacement);

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.cluster.name, description: 'ECS cluster of the worker pools' }).overrideLogicalId(fixedTerraformName(this, 'cluster_name'));
    new TerraformOutput(this, 'worker_services', {
      value: Object.fromEntries(this.pools.map((p) => [p.workers.serviceName, p.workers.service.name])),
      description: 'ECS service name per worker pool',
    }).overrideLogicalId(fixedTerraformName(this, 'worker_services'));

    this.resourceGroup = new ResourcegroupsGroup(this, 'resource-group', {
      name: `celerykit-${spec.stackId}`,
      description: `All resources of the celerykit deployment ${spec.stackId}`,
      resourceQuery: {
        type: 'TAG_FILTERS_1_0',
        query: JSON.stringify({
          ResourceTypeFilters: ['AWS::AllSupported'],
          TagFilters: [
            { Key: 'customer', Values: [spec.customer] },
            { Key: 'environment', Values: [spec.environment] },
            { Key: 'managed-by', Values: [spec.tags['managed-by']] },
          ],
        }),
      },
    });
  }
}
