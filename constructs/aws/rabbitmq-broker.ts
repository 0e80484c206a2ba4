/**
 * The RabbitMQ broker on Amazon MQ: a three-node cluster across zones (one node only for
 * non-production files), private, with generated credentials in Secrets Manager, general logs in
 * CloudWatch and automatic minor upgrades in a fixed maintenance window. Quorum queues (declared
 * by the app's generated Celery settings) need RabbitMQ 3.13 or later.
 */
import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { RabbitmqBrokerSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { ManagedSecret } from './managed-secret';

/** AMQP over TLS; Amazon MQ offers no plain AMQP port. */
export const AMQPS_PORT = 5671;
/** The management API and console (Flower's broker API, the exporter), HTTPS. */
export const RABBITMQ_MANAGEMENT_PORT = 443;

export interface AwsRabbitmqBrokerProps {
  readonly stackId: string;
  readonly broker: RabbitmqBrokerSpec;
  /** Private subnets; a cluster uses one per zone, a single instance the first. */
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /**
   * The broker user the Celery app connects as.
   * @default "celery"
   */
  readonly username?: string;
}

export class AwsRabbitmqBroker extends Construct {
  readonly mqBroker: MqBroker;
  readonly credentialsSecret: ManagedSecret;
  /** `amqps://` URL with credentials; sensitive, goes only into Secrets Manager. */
  readonly brokerUrl: string;
  /** Management API URL with credentials, for Flower's broker view; sensitive. */
  readonly managementApiUrl: string;

  constructor(scope: Construct, id: string, props: AwsRabbitmqBrokerProps) {
    super(scope, id);
    const { stackId, broker } = props;
    const username = props.username ?? 'celery';
    const cluster = broker.nodes === 3;

    const password = new GeneratedSecretValue(this, 'password');
    this.credentialsSecret = new ManagedSecret(this, 'credentials', {
      name: `celerykit/${stackId}/rabbitmq-credentials`,
      description: `Broker user of the celerykit ${stackId} RabbitMQ broker`,
      value: Fn.jsonencode({ username, password: password.value }),
    });

    this.mqBroker = new MqBroker(this, 'broker', {
      brokerName: `${stackId}-broker`,
      engineType: 'RabbitMQ',
      engineVersion: broker.engineVersion,
      hostInstanceType: broker.instanceType,
      deploymentMode: cluster ? 'CLUSTER_MULTI_AZ' : 'SINGLE_INSTANCE',
      publiclyAccessible: false,
      subnetIds: cluster ? [...props.subnetIds] : [props.subnetIds[0]!],
      securityGroups: [props.securityGroupId],
      user: [{ username, password: password.value }],
      logs: { general: true },
      autoMinorVersionUpgrade: true,
      maintenanceWindowStartTime: { dayOfWeek: 'SUNDAY', timeOfDay: '05:00', timeZone: 'UTC' },
      applyImmediately: false,
      lifecycle: { preventDestroy: true },
    });

    // Amazon MQ publishes "amqps://<host>:5671"; kombu reads "//" as the default vhost "/".
    const endpoint = Fn.element(this.mqBroker.instances.get(0).endpoints, 0);
    this.brokerUrl = `${Fn.replace(endpoint, 'amqps://', `amqps://${username}:${password.value}@`)}//`;
    // The management API is HTTPS on the same host (port 443).
    this.managementApiUrl = `${Fn.replace(Fn.replace(endpoint, ':5671', ''), 'amqps://', `https://${username}:${password.value}@`)}/api/`;
  }
}
