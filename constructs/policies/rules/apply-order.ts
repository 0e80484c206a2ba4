/**
 * Apply order: whatever starts tasks is created only after what those tasks need at start, so a
 * first deploy never starts tasks that fail. Computed on the stack's own graph (references and
 * depends_on, constructs/policies/resource-graph.ts), the one Terraform follows; the
 * test/terraform/apply-order-graph.test.ts check confirms it on `terraform graph`.
 *
 * What starts tasks: an ECS service, an EventBridge Scheduler schedule or EventBridge target that
 * runs an ECS task, a Cloud Run service or job, and an instance template (its group's VMs read
 * their secrets at boot).
 */
import { ResourceGraph, referencesIn, typeOf, type ResourceAddress } from '../resource-graph';
import { block, blocks, type CheckedResource, type PolicyRule } from '../policy-rule';
import { rabbitmqCredentialSecrets, redisCredentialSecrets } from './broker-credentials';

const ECS_STARTERS = ['aws_ecs_service', 'aws_scheduler_schedule', 'aws_cloudwatch_event_target'];
export const GCP_STARTERS = ['google_cloud_run_v2_service', 'google_cloud_run_v2_job', 'google_compute_instance_template'];

function refsIn(value: unknown): ResourceAddress[] {
  return value === undefined ? [] : referencesIn(JSON.stringify(value));
}

export function refsOfType(value: unknown, type: string): ResourceAddress[] {
  return [...new Set(refsIn(value).filter((address) => typeOf(address) === type))];
}

/** The ECS task definition a starter runs, and the network configuration of its tasks. */
function ecsLaunch(resource: CheckedResource): { taskDefinition: unknown; network: unknown } | undefined {
  const { type, config } = resource;
  if (type === 'aws_ecs_service') return { taskDefinition: config.task_definition, network: block(config, 'network_configuration') };
  if (type === 'aws_scheduler_schedule') {
    const ecs = block(block(config, 'target') ?? {}, 'ecs_parameters');
    return ecs === undefined ? undefined : { taskDefinition: ecs.task_definition_arn, network: block(ecs, 'network_configuration') };
  }
  if (type === 'aws_cloudwatch_event_target') {
    const ecs = block(config, 'ecs_target');
    return ecs === undefined ? undefined : { taskDefinition: ecs.task_definition_arn, network: block(ecs, 'network_configuration') };
  }
  return undefined;
}

/** Every `valueFrom` / credentials parameter the containers of a task definition read at start. */
function injectedSecrets(taskDefinition: CheckedResource | undefined): string[] {
  const raw = taskDefinition?.config.container_definitions;
  if (typeof raw !== 'string') return [];
  let containers: Array<Record<string, unknown>>;
  try {
    containers = JSON.parse(raw) as Array<Record<string, unknown>>;
  } catch {
    return [raw];
  }
  return containers.flatMap((c) => [
    ...((c.secrets ?? []) as Array<{ valueFrom?: string }>).map((s) => s.valueFrom ?? ''),
    ...(((c.logConfiguration as Record<string, unknown> | undefined)?.secretOptions ?? []) as Array<{ valueFrom?: string }>).map((s) => s.valueFrom ?? ''),
    String((c.repositoryCredentials as Record<string, unknown> | undefined)?.credentialsParameter ?? ''),
  ]);
}

/** One stack's view for the rules: the graph, and each starter with what it must come after. */
class StackOrder {
  readonly graph: ResourceGraph;
  readonly resources: readonly CheckedResource[];

  constructor(resources: readonly CheckedResource[]) {
    this.resources = resources;
    this.graph = ResourceGraph.fromResources(resources);
  }

  ofType(...types: string[]): CheckedResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  resource(address: ResourceAddress): CheckedResource | undefined {
    return this.graph.node(address)?.resource;
  }

  /** The secrets (by address) a starter's tasks read at start, on either cloud. */
  secretsRead(starter: CheckedResource): { secretType: string; versionType: string; versionKey: string; secrets: ResourceAddress[] } {
    if (starter.type.startsWith('google_')) {
      return { secretType: 'google_secret_manager_secret', versionType: 'google_secret_manager_secret_version', versionKey: 'secret', secrets: refsOfType(starter.config, 'google_secret_manager_secret') };
    }
    const launch = ecsLaunch(starter);
    const taskDefinitions = refsOfType(launch?.taskDefinition, 'aws_ecs_task_definition');
    const read = taskDefinitions.flatMap((address) => injectedSecrets(this.resource(address)).flatMap(referencesIn));
    // valueFrom may name a version's ARN; what must exist is every version of its secret.
    const secrets = read.flatMap((address) =>
      typeOf(address) === 'aws_secretsmanager_secret_version' ? refsOfType(this.resource(address)?.config.secret_id, 'aws_secretsmanager_secret') : typeOf(address) === 'aws_secretsmanager_secret' ? [address] : [],
    );
    return { secretType: 'aws_secretsmanager_secret', versionType: 'aws_secretsmanager_secret_version', versionKey: 'secret_id', secrets: [...new Set(secrets)] };
  }
}

/** One thing a starter must be created after, and why; `prerequisite` undefined when the stack lacks it altogether. */
export interface StartRequirement {
  readonly rule: ApplyOrderRuleId;
  readonly starter: CheckedResource;
  readonly prerequisite?: ResourceAddress;
  readonly why: string;
}

export type ApplyOrderRuleId = 'CK-ORDER-SECRETS' | 'CK-ORDER-CAPACITY' | 'CK-ORDER-LISTENER' | 'CK-ORDER-NETWORK' | 'CK-ORDER-BROKER-USERS';

function secretRequirements(order: StackOrder): StartRequirement[] {
  return order.ofType(...ECS_STARTERS, ...GCP_STARTERS).flatMap((starter) => {
    const { secrets, versionType, versionKey } = order.secretsRead(starter);
    return secrets.flatMap((secret): StartRequirement[] => {
      const versions = order.ofType(versionType).filter((v) => refsIn(v.config[versionKey]).includes(secret));
      if (versions.length === 0) return [{ rule: 'CK-ORDER-SECRETS', starter, why: `its tasks read ${secret}, which has no ${versionType} in the stack, so they may start before it has a value` }];
      return versions.map((v) => ({ rule: 'CK-ORDER-SECRETS', starter, prerequisite: v.address, why: `its tasks read ${secret}, whose value is ${v.address}` }));
    });
  });
}

function capacityRequirements(order: StackOrder): StartRequirement[] {
  return order.ofType('aws_ecs_service').flatMap((service) => {
    // A launch type bypasses capacity providers; a strategy, or neither (the cluster default), uses them.
    if (service.config.launch_type !== undefined && blocks(service.config, 'capacity_provider_strategy').length === 0) return [];
    const clusters = refsOfType(service.config.cluster, 'aws_ecs_cluster');
    return order
      .ofType('aws_ecs_cluster_capacity_providers')
      .filter((p) => refsIn(p.config.cluster_name).some((c) => clusters.includes(c)))
      .map((p) => ({ rule: 'CK-ORDER-CAPACITY', starter: service, prerequisite: p.address, why: `it runs on capacity providers that ${p.address} attaches to its cluster` }));
  });
}

function listenerRequirements(order: StackOrder): StartRequirement[] {
  return order.ofType('aws_ecs_service').flatMap((service) =>
    blocks(service.config, 'load_balancer').flatMap((lb) =>
      refsOfType(lb.target_group_arn, 'aws_lb_target_group').flatMap((group): StartRequirement[] => {
        const forwarders = order.ofType('aws_lb_listener_rule', 'aws_lb_listener').filter((f) => refsIn(f.type === 'aws_lb_listener' ? f.config.default_action : f.config.action).includes(group));
        if (forwarders.length === 0) return [{ rule: 'CK-ORDER-LISTENER', starter: service, why: `its target group ${group} has no listener or listener rule forwarding to it in the stack` }];
        return forwarders.map((f) => ({ rule: 'CK-ORDER-LISTENER', starter: service, prerequisite: f.address, why: `its target group ${group} joins the load balancer through ${f.address}` }));
      }),
    ),
  );
}

function networkRequirements(order: StackOrder): StartRequirement[] {
  return [...awsNetworkRequirements(order), ...gcpNetworkRequirements(order)];
}

/** A VM template's network: the Cloud NAT gateways on routers of its subnetworks' network. */
function gcpNetworkRequirements(order: StackOrder): StartRequirement[] {
  return order.ofType('google_compute_instance_template').flatMap((template) => {
    const subnetworks = blocks(template.config, 'network_interface').flatMap((nic) => refsOfType(nic.subnetwork, 'google_compute_subnetwork'));
    const networks = subnetworks.flatMap((sn) => refsOfType(order.resource(sn)?.config.network, 'google_compute_network'));
    const routers = order.ofType('google_compute_router').filter((r) => refsIn(r.config.network).some((n) => networks.includes(n)));
    const nats = order.ofType('google_compute_router_nat').filter((nat) => refsIn(nat.config.router).some((r) => routers.some((router) => router.address === r)));
    return nats.map((nat) => ({ rule: 'CK-ORDER-NETWORK', starter: template, prerequisite: nat.address, why: `its VMs pull their image through ${nat.address}` }));
  });
}

function awsNetworkRequirements(order: StackOrder): StartRequirement[] {
  return order.ofType(...ECS_STARTERS).flatMap((starter) => {
    const subnets = refsOfType(ecsLaunch(starter)?.network, 'aws_subnet');
    const associations = order.ofType('aws_route_table_association').filter((a) => refsIn(a.config.subnet_id).some((sn) => subnets.includes(sn)));
    const tables = associations.flatMap((a) => refsOfType(a.config.route_table_id, 'aws_route_table'));
    const routes = order.ofType('aws_route').filter((r) => refsIn(r.config.route_table_id).some((t) => tables.includes(t)));
    return [...associations, ...routes].map((r) => ({ rule: 'CK-ORDER-NETWORK', starter, prerequisite: r.address, why: `its tasks leave their subnets through ${r.address}` }));
  });
}

/** The kit secrets (aws_secretsmanager_secret addresses) each ECS starter's tasks read at start. */
export function ecsSecretReads(resources: readonly CheckedResource[]): Array<{ starter: CheckedResource; secrets: ResourceAddress[] }> {
  const order = orderOf(resources);
  return order.ofType(...ECS_STARTERS).map((starter) => ({ starter, secrets: order.secretsRead(starter).secrets }));
}

/** The Amazon MQ secrets each ECS starter's tasks read: the administrator's, and other users'. */
export function rabbitmqCredentialReads(resources: readonly CheckedResource[]): Array<{ starter: CheckedResource; admin: ResourceAddress[]; users: ResourceAddress[] }> {
  const order = orderOf(resources);
  const credentials = rabbitmqCredentialSecrets(resources);
  if (credentials.admin.size === 0 && credentials.users.size === 0) return [];
  return order.ofType(...ECS_STARTERS).map((starter) => {
    const read = order.secretsRead(starter).secrets;
    return { starter, admin: read.filter((s) => credentials.admin.has(s)), users: read.filter((s) => credentials.users.has(s)) };
  });
}

/** The ElastiCache RBAC users whose URLs each ECS starter's tasks read, and whether one connects as `default`. */
export function redisCredentialReads(resources: readonly CheckedResource[]): Array<{ starter: CheckedResource; users: string[]; asDefault: ResourceAddress[] }> {
  const order = orderOf(resources);
  const credentials = redisCredentialSecrets(resources);
  if (credentials.groups.length === 0) return [];
  return order.ofType(...ECS_STARTERS).map((starter) => {
    const read = order.secretsRead(starter).secrets;
    return { starter, users: [...new Set(read.flatMap((s) => credentials.users.get(s) ?? []))], asDefault: read.filter((s) => credentials.asDefault.has(s)) };
  });
}

/**
 * Amazon MQ creates only the administrator; the users the components connect as are created by
 * whatever reads the administrator's credentials (the kit's users bootstrap), so every other
 * starter whose tasks connect as such a user comes after it.
 */
function brokerUserRequirements(order: StackOrder): StartRequirement[] {
  const reads = rabbitmqCredentialReads(order.resources);
  const creators = reads.filter((r) => r.admin.length > 0).map((r) => r.starter);
  return reads.flatMap(({ starter, admin, users }): StartRequirement[] => {
    if (admin.length > 0 || users.length === 0) return [];
    const why = `its tasks connect as the broker user in ${users[0]}, which Amazon MQ does not create`;
    if (creators.length === 0) return [{ rule: 'CK-ORDER-BROKER-USERS', starter, why: `${why} and nothing in the stack creates (no task reads the administrator's credentials)` }];
    return creators.map((creator) => ({ rule: 'CK-ORDER-BROKER-USERS', starter, prerequisite: creator.address, why: `${why}; ${creator.address} creates it` }));
  });
}

const REQUIREMENTS: Record<ApplyOrderRuleId, (order: StackOrder) => StartRequirement[]> = {
  'CK-ORDER-SECRETS': secretRequirements,
  'CK-ORDER-CAPACITY': capacityRequirements,
  'CK-ORDER-LISTENER': listenerRequirements,
  'CK-ORDER-NETWORK': networkRequirements,
  'CK-ORDER-BROKER-USERS': brokerUserRequirements,
};

/**
 * Everything each starter of the stack must be created after, by rule. The rules check it on the
 * stack's own graph; test/terraform/apply-order-graph.test.ts checks the same list on terraform's.
 */
export function startRequirements(resources: readonly CheckedResource[]): StartRequirement[] {
  const order = orderOf(resources);
  return Object.values(REQUIREMENTS).flatMap((requirements) => requirements(order));
}

const cache = new WeakMap<readonly CheckedResource[], StackOrder>();
function orderOf(resources: readonly CheckedResource[]): StackOrder {
  if (!cache.has(resources)) cache.set(resources, new StackOrder(resources));
  return cache.get(resources)!;
}

function orderRule(rule: Omit<PolicyRule, 'check' | 'checkStack'> & { id: ApplyOrderRuleId }): PolicyRule {
  return {
    ...rule,
    check: () => undefined,
    checkStack: (resources) => {
      const order = orderOf(resources);
      return REQUIREMENTS[rule.id](order).flatMap(({ starter, prerequisite, why }) => {
        if (prerequisite === undefined) return [{ resource: starter, problem: why }];
        return order.graph.dependsOn(starter.address, prerequisite) ? [] : [{ resource: starter, problem: `${why}, but is not created after it: add ${prerequisite} to its depends_on` }];
      });
    },
  };
}

export const applyOrderSecrets = orderRule({
  id: 'CK-ORDER-SECRETS',
  title: 'what starts tasks is created after the value of every secret they read',
  rationale: 'a task that reads a secret with no value yet (the broker URL exists only after the broker, 10-30 min) fails to start, and the first deploy with it',
  fix: "add the secret's version (aws_secretsmanager_secret_version, google_secret_manager_secret_version) to the service's, schedule's or template's depends_on",
  resourceTypes: [...ECS_STARTERS, ...GCP_STARTERS],
});

export const applyOrderCapacity = orderRule({
  id: 'CK-ORDER-CAPACITY',
  title: "ECS services are created after their cluster's capacity providers",
  rationale: 'CreateService refuses a capacity provider strategy naming a provider the cluster does not have yet',
  fix: 'add the aws_ecs_cluster_capacity_providers of the cluster to the service depends_on',
  resourceTypes: ['aws_ecs_service'],
});

export const applyOrderListener = orderRule({
  id: 'CK-ORDER-LISTENER',
  title: 'ECS services are created after the listener rules that forward to their target groups',
  rationale: 'CreateService refuses a target group that no listener forwards to yet ("does not have an associated load balancer")',
  fix: 'add each aws_lb_listener_rule (or aws_lb_listener) forwarding to the target group to the service depends_on',
  resourceTypes: ['aws_ecs_service'],
});

export const applyOrderNetwork = orderRule({
  id: 'CK-ORDER-NETWORK',
  title: "what starts tasks or VMs is created after its subnets' way out (NAT)",
  rationale: 'a Fargate task or a VM without an external IP pulls its image through NAT; started before the route or Cloud NAT exists, it fails',
  fix: "add the subnets' aws_route_table_association (and any aws_route of their tables), or the google_compute_router_nat, to the depends_on",
  resourceTypes: [...ECS_STARTERS, 'google_compute_instance_template'],
});

export const applyOrderBrokerUsers = orderRule({
  id: 'CK-ORDER-BROKER-USERS',
  title: 'what connects to Amazon MQ as a user of its own is created after what creates that user',
  rationale: 'Amazon MQ for RabbitMQ creates only the administrator; a task that connects as a user not created yet is refused (ACCESS_REFUSED) and stops',
  fix: "add the service that creates the broker users (the one whose tasks read the administrator's credentials) to the starter's depends_on",
  resourceTypes: ECS_STARTERS,
});

export const APPLY_ORDER_RULES: readonly PolicyRule[] = [applyOrderSecrets, applyOrderCapacity, applyOrderListener, applyOrderNetwork, applyOrderBrokerUsers];
