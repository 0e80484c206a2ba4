/**
 * The Amazon MQ for RabbitMQ administrator's credentials reach one task at most: the one that
 * creates the components' own users. A broker URL holding the administrator's password, injected
 * into workers, exporter and Flower, lets any of them create users, delete queues or change
 * policies; each component connects as a user with only its own rights instead
 * (constructs/celery/rabbitmq-users.ts).
 */
import type { PolicyRule } from '../policy-rule';
import { rabbitmqCredentialReads } from './apply-order';

export const brokerAdminIsolated: PolicyRule = {
  id: 'CK-BROKER-ADMIN-ISOLATED',
  title: "the Amazon MQ administrator's credentials are read by one task at most (the users bootstrap)",
  rationale: 'the administrator may create users, delete any queue and change policies; a component that only publishes or observes must not hold it',
  fix: "give each component a broker user of its own (created by the bootstrap, which alone reads the administrator's secret) and inject that user's URL instead",
  resourceTypes: ['aws_mq_broker'],
  check: () => undefined,
  checkStack: (resources) => {
    const readers = rabbitmqCredentialReads(resources).filter((r) => r.admin.length > 0);
    if (readers.length <= 1) return [];
    const brokers = resources.filter((r) => r.type === 'aws_mq_broker');
    const secrets = [...new Set(readers.flatMap((r) => r.admin))].join(', ');
    return brokers.map((broker) => ({
      resource: broker,
      problem: `its administrator's credentials (${secrets}) are read by ${readers.length} task starters: ${readers.map((r) => r.starter.address).join(', ')}`,
    }));
  },
};
