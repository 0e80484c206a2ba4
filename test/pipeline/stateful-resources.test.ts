/**
 * What the change guard counts as stateful, and that the docs name all of it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statefulReason, statefulTypesForDocs } from '../../pipeline/stateful-resources';

const doc = readFileSync(join(resolve(__dirname, '../..'), 'docs', 'destroy-protection.md'), 'utf8');

describe('stateful resources for the change guard', () => {
  it('include brokers, secrets, generated credentials, disks, keys, state buckets, queued messages and public IPs', () => {
    for (const type of ['aws_sqs_queue', 'aws_eip', 'google_compute_global_address', 'aws_elasticache_replication_group', 'aws_mq_broker', 'aws_secretsmanager_secret', 'terraform_data', 'google_memorystore_instance', 'google_compute_disk', 'aws_kms_key', 'aws_s3_bucket', 'google_storage_bucket']) {
      expect(statefulReason(type, 'any_name_1234'), type).toBeDefined();
    }
  });

  it('leave out stateless things and secret versions, whose replacement only writes a new value', () => {
    for (const type of ['aws_ecs_service', 'aws_iam_role', 'aws_security_group', 'aws_secretsmanager_secret_version', 'google_secret_manager_secret_version', 'google_compute_instance_template']) {
      expect(statefulReason(type, 'aws_pool-fast_x_1234'), type).toBeUndefined();
    }
  });

  it('count instance groups and addresses only inside the self-hosted RabbitMQ broker', () => {
    expect(statefulReason('google_compute_region_instance_group_manager', 'gcp_rabbitmq_group_C4D237D5')).toContain('RabbitMQ');
    expect(statefulReason('google_compute_region_instance_group_manager', 'gcp_pool-fast_group_1A2B3C4D')).toBeUndefined();
    expect(statefulReason('google_compute_address', 'gcp_rabbitmq_address-0_866CF0F9')).toBeDefined();
    expect(statefulReason('google_compute_address', 'gcp_network_nat-address_1234')).toBeUndefined();
  });

  it('are all named in docs/destroy-protection.md', () => {
    for (const { type } of statefulTypesForDocs()) expect(doc, type).toContain(`\`${type}\``);
  });
});
