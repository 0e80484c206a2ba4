/**
 * The RabbitMQ broker on Amazon MQ: a three-node cluster across zones (one node only for
 * non-production files), private, with generated credentials in Secrets Manager (an administrator
 * for the users bootstrap, and one user per component, constructs/celery/rabbitmq-users.ts), general logs in
 * CloudWatch and automatic minor upgrades in a fixed maintenance window. Quorum queues (declared
 * by the app's generated Celery settings) need RabbitMQ 3.13 or later.
 */
import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { RabbitmqBrokerSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { RABBITMQ_USER_ROLES, rabbitmqUserName, type RabbitmqUserRole } from '../celery/rabbitmq-users';
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
   * The administrator Amazon MQ creates with the broker. Only the users bootstrap
   * (rabbitmq-users-bootstrap.ts) signs in as it; every component has a user of its own.
   * @default "celery" — the name the administrator had when it was also the app's user; Amazon MQ
   *   never updates RabbitMQ users after creation, so renaming it would change nothing on the broker.
   */
  readonly username?: string;
}

export class AwsRabbitmqBroker extends Construct {
  readonly mqBroker: MqBroker;
  /** The administrator's `{username, password}`; read only by the users bootstrap. */
  readonly credentialsSecret: ManagedSecret;
  /** `amqps://` URL of the app's user (workers, beat, scheduled calls); sensitive, goes only into Secrets Manager. */
  readonly brokerUrl: string;
  /** `amqps://` URL of each component's own user; sensitive. */
  readonly userUrls: Readonly<Record<RabbitmqUserRole, string>>;
  /** Management API URL with Flower's user, for Flower's broker view; sensitive. */
  readonly managementApiUrl: string;

  constructor(scope: Construct, id: string, props: AwsRabbitmqBrokerProps) {
    super(scope, id);
    const { stackId, broker } = props;
    const username = props.username ?? 'celery';
    const cluster = broker.nodes === 3;

    const password = new GeneratedSecretValue(this, 'password');
    this.credentialsSecret = new ManagedSecret(this, 'credentials', {
      name: `celerykit/${stackId}/rabbitmq-credentials`,
      description: `Administrator of the celerykit ${stackId} RabbitMQ broker; read only by the broker-users bootstrap`,
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
    const passwords = Object.fromEntries(RABBITMQ_USER_ROLES.map((role) => [role, new GeneratedSecretValue(this, `${role}-password`).value])) as Record<RabbitmqUserRole, string>;
    const url = (role: RabbitmqUserRole) => `${Fn.replace(endpoint, 'amqps://', `amqps://${rabbitmqUserName(role)}:${passwords[role]}@`)}//`;
    this.userUrls = Object.fromEntries(RABBITMQ_USER_ROLES.map((role) => [role, url(role)])) as Record<RabbitmqUserRole, string>;
    this.brokerUrl = this.userUrls.app;
    // The management API is HTTPS on the same host (port 443).
    const host = Fn.replace(Fn.replace(endpoint, ':5671', ''), 'amqps://', '');
    this.managementApiUrl = `https://${rabbitmqUserName('flower')}:${passwords.flower}@${host}/api/`;
  }
}
