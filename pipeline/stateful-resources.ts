/**
 * Which resources hold state that a delete or a replace would lose. The guard decides from the
 * resource type (and, for types the kit also uses for stateless things, the resource's name),
 * never from the current configuration: a resource dropped from the configuration has no
 * prevent_destroy left, and that is exactly the deletion the guard exists to catch.
 *
 * Secret versions are left out on purpose: replacing one writes a new value into a secret that
 * stays (the broker URL after an endpoint change); the secret itself and the generated value it
 * came from are what the guard watches.
 */

/**
 * Types that always hold state, with what is lost. Maps, because the types come from a plan file:
 * an object table would answer `constructor` or `toString` with Object.prototype's functions.
 */
const STATEFUL_TYPES: ReadonlyMap<string, string> = new Map(Object.entries({
  aws_elasticache_replication_group: 'Redis/Valkey broker: queued tasks',
  aws_elasticache_cluster: 'Redis/Valkey node: queued tasks',
  aws_elasticache_serverless_cache: 'Redis/Valkey broker: queued tasks',
  aws_mq_broker: 'RabbitMQ broker: queued tasks',
  aws_secretsmanager_secret: 'secret: a credential the broker and workers share',
  aws_kms_key: 'encryption key: whatever it encrypted becomes unreadable',
  aws_s3_bucket: 'bucket (Terraform state lives in one)',
  aws_dynamodb_table: 'table (Terraform state locks may live in one)',
  aws_ebs_volume: 'disk',
  aws_prometheus_workspace: 'metrics history and alert rules',
  aws_sqs_queue: 'queued messages (scheduled calls that could not start)',
  aws_eip: 'public egress IP that partners may allowlist',
  google_memorystore_instance: 'Valkey broker: queued tasks',
  google_redis_instance: 'Redis broker: queued tasks',
  google_redis_cluster: 'Redis broker: queued tasks',
  google_compute_disk: 'disk',
  google_compute_region_disk: 'disk',
  google_compute_snapshot: 'disk snapshot',
  google_compute_region_per_instance_config: "broker node's preserved disk and address",
  google_secret_manager_secret: 'secret: a credential the broker and workers share',
  google_storage_bucket: 'bucket (Terraform state lives in one)',
  google_kms_crypto_key: 'encryption key: whatever it encrypted becomes unreadable',
  google_kms_key_ring: 'encryption key ring',
  google_compute_global_address: 'public IP the monitoring DNS name points at',
  // The kit's generated passwords and tokens: a new one locks the workers out of the broker.
  terraform_data: 'generated credential',
}));

/**
 * Types the kit uses for stateless things too (worker groups, load-balancer addresses): stateful
 * only inside the self-hosted RabbitMQ broker (construct id `rabbitmq` under the GCP platform),
 * whose nodes find each other by these addresses and keep their queues on the group's disks.
 */
const BROKER_ONLY_TYPES: ReadonlyMap<string, string> = new Map(Object.entries({
  google_compute_region_instance_group_manager: 'RabbitMQ node group: nodes, their disks and queues',
  google_compute_address: 'RabbitMQ node address the cluster is configured with',
}));
const SELF_HOSTED_BROKER_PREFIX = 'gcp_rabbitmq_';

/** What a delete or replace of this resource would lose, or undefined when it holds no state. */
export function statefulReason(type: string, name: string): string | undefined {
  const always = STATEFUL_TYPES.get(type);
  if (always !== undefined) return always;
  return name.startsWith(SELF_HOSTED_BROKER_PREFIX) ? BROKER_ONLY_TYPES.get(type) : undefined;
}

/** Every type the guard treats as stateful in some resource, for docs. */
export function statefulTypesForDocs(): ReadonlyArray<{ type: string; loses: string; only?: string }> {
  return [
    ...[...STATEFUL_TYPES].map(([type, loses]) => ({ type, loses })),
    ...[...BROKER_ONLY_TYPES].map(([type, loses]) => ({ type, loses, only: 'in the self-hosted RabbitMQ broker' })),
  ];
}
