/**
 * The resolved, cloud-neutral deployment spec: every default applied, every derived value computed.
 * Constructs read only this; they never see the raw file. Objects are frozen by the loader.
 */
import type { InterfaceEndpointService } from './defaults';
import type { SpecProblem } from './problems';

export type Cloud = 'aws' | 'gcp';
export type CeleryPool = 'prefork' | 'gevent' | 'eventlet' | 'threads' | 'solo';

export interface AppSpec {
  readonly image: string;
  readonly module: string;
  /** Plain variables, values as strings. */
  readonly env: Readonly<Record<string, string>>;
  /** Variable name -> the secret in the cloud's secret store: its full ARN on AWS, its id on GCP. */
  readonly secrets: Readonly<Record<string, string>>;
  /** AWS: variable name -> ARN of the customer managed KMS key that encrypts that secret (absent: aws/secretsmanager). */
  readonly secretKmsKeyArns: Readonly<Record<string, string>>;
}

export interface RedisBrokerSpec {
  readonly kind: 'redis';
  readonly engine: 'valkey' | 'redis';
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly replicas: number;
  readonly snapshotRetentionDays: number;
  /** Seconds; longer than every pool's time limit. */
  readonly visibilityTimeout: number;
  /** True when the kit derived the visibility timeout (the file did not set it). */
  readonly visibilityTimeoutDerived: boolean;
}

export interface RabbitmqBrokerSpec {
  readonly kind: 'rabbitmq';
  readonly engineVersion: string;
  readonly instanceType: string;
  /** GCP only: persistent disk per node in GB. */
  readonly diskSizeGb: number;
  /** Three nodes with quorum queues, or one node when the file says nonProduction. */
  readonly nodes: 1 | 3;
}

export type BrokerSpec = RedisBrokerSpec | RabbitmqBrokerSpec;

/** Task results, stored only when the file opts in (`results`); Redis brokers only (spec/results.ts). */
export interface ResultsSpec {
  /** Seconds each result is kept (Celery's `result_expires`), 1 to 7 days; never 0, which would mean forever. */
  readonly expires: number;
}

export interface QueueSpec {
  readonly name: string;
  /** fnmatch patterns of task names routed here. */
  readonly routes: readonly string[];
  /** Name of the one pool that consumes this queue. */
  readonly consumedBy: string;
}

export interface AutoscaleSpec {
  readonly min: number;
  readonly max: number;
  /** Target waiting tasks per running worker. */
  readonly backlogPerWorker: number;
}

export interface WorkerPoolSpec {
  readonly name: string;
  readonly queues: readonly string[];
  readonly pool: CeleryPool;
  readonly concurrency: number;
  readonly prefetchMultiplier: number;
  /** Hard limit in seconds, when set. */
  readonly timeLimit?: number;
  readonly softTimeLimit?: number;
  /** vCPUs per worker. */
  readonly cpu: number;
  /** MiB per worker. */
  readonly memory: number;
  /** `--max-memory-per-child` in KiB (Celery's unit); prefork pools only. */
  readonly maxMemoryPerChildKiB?: number;
  readonly spot: boolean;
  readonly autoscale: AutoscaleSpec;
  /** Live workers the alerts expect at least (the autoscale minimum). */
  readonly expectedWorkers: number;
  /** Seconds between two scale-in steps (longer for pools with long time limits). */
  readonly scaleInCooldownSeconds: number;
}

export interface OidcSpec {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
  /** Scopes the load balancer requests, space separated. */
  readonly scope: string;
}

/** Who may use which UI, from the groups claim (AWS) or IAM members (GCP). */
export interface UiAccessSpec {
  /** AWS: the user-info claim that lists groups. */
  readonly groupsClaim: string;
  /** Who may use Flower. AWS: groups-claim values. GCP: IAM members (defaults to allowedMembers). */
  readonly flower: readonly string[];
  /** AWS: groups whose members are Grafana Admins. */
  readonly grafanaAdmins: readonly string[];
  /** AWS: groups allowed to view Grafana; undefined admits anyone the IdP signs in. */
  readonly grafanaViewers?: readonly string[];
}

export interface AlertsSpec {
  readonly emails: readonly string[];
  readonly webhooks: readonly string[];
  readonly queueLength: { readonly threshold: number; readonly forMinutes: number };
  readonly runtimeRegression: { readonly ratio: number; readonly windowMinutes: number; readonly minTasks: number };
  readonly workersBelowExpected: { readonly forMinutes: number };
  readonly failureSpike: { readonly ratio: number; readonly minFailuresPerMinute: number };
}

export interface MonitoringSpec {
  readonly domain: string;
  /** AWS only. */
  readonly certificateArn?: string;
  /** AWS only. */
  readonly oidc?: OidcSpec;
  /** GCP only. */
  readonly allowedMembers: readonly string[];
  readonly access: UiAccessSpec;
  readonly alerts: AlertsSpec;
}

export interface ScheduleSpec {
  readonly name: string;
  /** Five-field unix cron. */
  readonly cron: string;
  readonly timezone: string;
  readonly task: string;
  /** The queue the message is sent to: the file's value, or the queue the task routes select. */
  readonly queue: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

export type StateSpec =
  | { readonly backend: 'local'; readonly path: string }
  | { readonly backend: 's3'; readonly bucket: string; readonly region: string; readonly key: string; readonly kmsKeyId?: string }
  | { readonly backend: 'gcs'; readonly bucket: string; readonly prefix: string };

export type NetworkSpec =
  | { readonly mode: 'create'; readonly cidr: string; readonly zones: readonly string[] }
  | {
      readonly mode: 'existing-aws';
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
      readonly publicSubnetIds: readonly string[];
      readonly zones: readonly string[];
    }
  | { readonly mode: 'existing-gcp'; readonly network: string; readonly subnetwork: string; readonly zones: readonly string[] };

export interface DerivedSpec {
  /** Longest hard time limit over all pools, when any pool has one. */
  readonly longestTimeLimit?: number;
  /** Upper bounds (seconds) for celery-exporter's runtime histogram, covering the longest time limit. */
  readonly runtimeBuckets: readonly number[];
}

export interface DeploymentSpec {
  /** Parameter file this spec came from, for messages. */
  readonly sourceFile: string;
  /** `<customer>-<environment>`: the cdktf stack id and the prefix of resource names. */
  readonly stackId: string;
  readonly customer: string;
  readonly environment: string;
  readonly cloud: Cloud;
  readonly region: string;
  /** GCP project id (GCP only). */
  readonly project?: string;
  /** GCP: the stack enables the Google APIs it uses (false: someone else owns them). */
  readonly enableApis: boolean;
  /** AWS account id (AWS only); the provider refuses credentials of any other account. */
  readonly accountId?: string;
  readonly nonProduction: boolean;
  /** Tags (AWS) or labels (GCP) for every resource, including customer, environment and managed-by. */
  readonly tags: Readonly<Record<string, string>>;
  readonly app: AppSpec;
  readonly broker: BrokerSpec;
  /**
   * Set when tasks store results (in the broker's Redis, with this expiry).
   * @default undefined: no results (`task_ignore_result = True`), so nothing the app forgets to read can fill a broker that never evicts.
   */
  readonly results?: ResultsSpec;
  readonly defaultQueue: string;
  readonly queues: readonly QueueSpec[];
  readonly pools: readonly WorkerPoolSpec[];
  readonly monitoring?: MonitoringSpec;
  readonly schedules: readonly ScheduleSpec[];
  /** Who fires periodic tasks: the cloud scheduler (from `schedules`), or the app's own celery beat as a singleton. */
  readonly periodicTasks: 'cloud-scheduler' | 'beat-singleton';
  readonly state: StateSpec;
  /** Policy rules suppressed for this stack, each with its written reason. */
  readonly policySuppressions: ReadonlyArray<{ readonly rule: string; readonly reason: string }>;
  readonly network: NetworkSpec;
  /** AWS services reached through interface VPC endpoints (empty: none, everything through NAT). */
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** TCP destinations besides the broker and 443 that the app's containers may connect to (AWS). */
  readonly appEgress: ReadonlyArray<{ readonly port: number; readonly cidr: string }>;
  /**
   * Set only while a destructive change is intended: stateful resources lose prevent_destroy and
   * deletion protection, and the change guard lets their deletion or replacement through.
   */
  readonly allowDestroy?: { readonly reason: string };
  readonly derived: DerivedSpec;
  /** Warnings found while loading (printed by the CLI, never fatal). */
  readonly warnings: readonly SpecProblem[];
}
