/**
 * CK-GCP-GRANTS: every call a GCP stack makes at run time, from one of its own principals to one
 * of its own targets, is allowed by a grant in the stack. A missing grant plans and applies
 * cleanly and fails later with a 403: at the first scheduled run, the first VM boot, the first
 * sign-in or the first metric export. The calls, and the permission each needs:
 *
 * - Cloud Scheduler -> Cloud Run job (`...jobs/NAME:run`): the job's token account needs
 *   run.jobs.run on the job, and run.jobs.runWithOverrides when the body carries overrides
 *   (https://cloud.google.com/run/docs/reference/rest/v1/namespaces.jobs/run;
 *   https://cloud.google.com/run/docs/execute/jobs, "Required roles").
 * - Cloud Scheduler -> Cloud Run service URL: roles/run.invoker on the service
 *   (https://cloud.google.com/scheduler/docs/http-target-auth).
 * - IAP -> Cloud Run behind a serverless NEG: IAP's service agent holds roles/run.invoker on the
 *   service (https://cloud.google.com/iap/docs/enabling-cloud-run).
 * - A VM pulling from Artifact Registry: its service account reads the repository; Cloud Run
 *   pulls as its service agent, which needs Reader only for a repository of another project
 *   (constructs/gcp/artifact-registry.ts).
 * - Managed Service for Prometheus: the drop-in Prometheus writes with monitoring.metricWriter,
 *   the query frontend reads with monitoring.viewer
 *   (https://cloud.google.com/stackdriver/docs/managed-prometheus/query-api-ui, "Verify service account credentials").
 *
 * Targets outside the stack (a URL of another system, a job by name in another project) are not
 * judged: the stack cannot show their grants.
 */
import { ARTIFACT_READER_ROLES, artifactRegistryRepository, type ArtifactRegistryRepository } from '../../gcp/artifact-registry';
import type { ResourceAddress } from '../resource-graph';
import { block, blocks, isTrue, type CheckedResource, type PolicyRule } from '../policy-rule';
import { refsOfType } from './apply-order';

/** Who makes a call: an account of the stack (by address), or a principal matched by its member string. */
type Principal = { readonly account: ResourceAddress } | { readonly member: RegExp; readonly label: string };

/** What a grant is on: a project, a repository, or a Cloud Run job or service (by address or name). */
type Scope =
  | { readonly kind: 'project'; readonly project: string }
  | { readonly kind: 'repository'; readonly repository: ArtifactRegistryRepository }
  | { readonly kind: 'google_cloud_run_v2_job' | 'google_cloud_run_v2_service'; readonly target: CheckedResource };

const RUN_JOB = ['roles/run.invoker', 'roles/run.jobsExecutor', 'roles/run.jobsExecutorWithOverrides', 'roles/run.developer', 'roles/run.admin'];
const RUN_JOB_WITH_OVERRIDES = ['roles/run.jobsExecutorWithOverrides', 'roles/run.developer', 'roles/run.admin'];
const INVOKE_SERVICE = ['roles/run.invoker'];
const METRIC_WRITERS = ['roles/monitoring.metricWriter', 'roles/monitoring.editor', 'roles/monitoring.admin'];
const METRIC_READERS = ['roles/monitoring.viewer', 'roles/monitoring.editor', 'roles/monitoring.admin'];

const GMP_COLLECTOR = 'gke.gcr.io/prometheus-engine/prometheus:';
const GMP_FRONTEND = 'gke.gcr.io/prometheus-engine/frontend:';
const IAP_AGENT: Principal = { member: /^serviceAccount:service-.+@gcp-sa-iap\.iam\.gserviceaccount\.com$/, label: "IAP's service agent" };
const RUN_AGENT: Principal = { member: /^serviceAccount:service-.+@serverless-robot-prod\.iam\.gserviceaccount\.com$/, label: "the Cloud Run service agent" };
const JOB_RUN_URL = [
  /^https:\/\/run\.googleapis\.com\/v2\/projects\/([^/]+)\/locations\/[^/]+\/jobs\/([^/:]+):run$/,
  /^https:\/\/[^/]*run\.googleapis\.com\/apis\/run\.googleapis\.com\/v1\/namespaces\/([^/]+)\/jobs\/([^/:]+):run$/,
];

interface Grant {
  readonly resource: CheckedResource;
  readonly role: string;
  readonly members: readonly string[];
}

const GRANT_TYPES = [
  'google_project_iam_member',
  'google_project_iam_binding',
  'google_artifact_registry_repository_iam_member',
  'google_artifact_registry_repository_iam_binding',
  'google_cloud_run_v2_job_iam_member',
  'google_cloud_run_v2_job_iam_binding',
  'google_cloud_run_v2_service_iam_member',
  'google_cloud_run_v2_service_iam_binding',
];

function grantsOf(resources: readonly CheckedResource[]): Grant[] {
  return resources
    .filter((r) => GRANT_TYPES.includes(r.type))
    .map((resource) => ({
      resource,
      role: String(resource.config.role),
      members: (resource.type.endsWith('_member') ? [resource.config.member] : ((resource.config.members as unknown[] | undefined) ?? [])).map(String),
    }));
}

function holds(principal: Principal, grant: Grant): boolean {
  if ('account' in principal) return refsOfType(grant.members, 'google_service_account').includes(principal.account);
  return grant.members.some((m) => principal.member.test(m));
}

/** Whether the grant's resource is the scope, or the project the scope lives in. */
function covers(grant: Grant, scope: Scope): boolean {
  const { type, config } = grant.resource;
  if (type.startsWith('google_project_iam_')) {
    if (scope.kind === 'project') return config.project === scope.project;
    if (scope.kind === 'repository') return config.project === scope.repository.project;
    return config.project !== undefined && config.project === scope.target.config.project;
  }
  if (type.startsWith('google_artifact_registry_repository_iam_')) {
    if (scope.kind !== 'repository') return false;
    const { project, location, repository } = scope.repository;
    return config.project === project && config.location === location && String(config.repository).split('/').pop() === repository;
  }
  if (scope.kind !== type.replace(/_iam_(member|binding)$/, '')) return false;
  const target = (scope as { target: CheckedResource }).target;
  return refsOfType(config.name, target.type).includes(target.address) || (typeof config.name === 'string' && config.name === target.config.name);
}

function principalOf(email: unknown): Principal | undefined {
  const [account] = refsOfType(email, 'google_service_account');
  if (account !== undefined) return { account };
  if (typeof email !== 'string' || email === '') return undefined;
  const member = `serviceAccount:${email}`;
  return { member: new RegExp(`^${member.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), label: member };
}

function describe(principal: Principal): string {
  return 'account' in principal ? principal.account : principal.label;
}

function describeScope(scope: Scope): string {
  if (scope.kind === 'project') return `project ${scope.project}`;
  if (scope.kind === 'repository') return `repository ${scope.repository.location}/${scope.repository.project}/${scope.repository.repository}`;
  return scope.target.address;
}

type Need = { resource: CheckedResource; principal: Principal; roles: readonly string[]; scopes: Scope[]; call: string };

/** The images a container VM pulls, read from its startup script (constructs/gcp/container-vm-scripts.ts). */
function vmImages(template: CheckedResource): string[] {
  const script = String((template.config.metadata as Record<string, unknown> | undefined)?.['startup-script'] ?? '');
  return [...script.matchAll(/docker pull '([^']+)'/g)].map((m) => m[1]!);
}

function cloudRunContainers(resource: CheckedResource): Array<Record<string, unknown>> {
  const template = block(resource.config, 'template') ?? {};
  return blocks(resource.type === 'google_cloud_run_v2_job' ? (block(template, 'template') ?? {}) : template, 'containers');
}

function vmNeeds(template: CheckedResource): Need[] {
  const principal = principalOf(block(template.config, 'service_account')?.email);
  if (principal === undefined) return [];
  const images = vmImages(template);
  return [
    ...images.flatMap((image) => {
      const repository = artifactRegistryRepository(image);
      return repository === undefined ? [] : [{ resource: template, principal, roles: ARTIFACT_READER_ROLES, scopes: [{ kind: 'repository', repository } as Scope], call: `pulls ${image}` }];
    }),
    ...(images.some((i) => i.startsWith(GMP_COLLECTOR)) ? [{ resource: template, principal, roles: METRIC_WRITERS, scopes: [] as Scope[], call: 'exports metrics to Managed Service for Prometheus' }] : []),
  ];
}

function cloudRunNeeds(resource: CheckedResource): Need[] {
  const containers = cloudRunContainers(resource);
  const template = block(resource.config, 'template') ?? {};
  const principal = principalOf(resource.type === 'google_cloud_run_v2_job' ? block(template, 'template')?.service_account : template.service_account);
  return containers.flatMap((container): Need[] => {
    const image = String(container.image ?? '');
    const repository = artifactRegistryRepository(image);
    const needs: Need[] = [];
    if (repository !== undefined && resource.config.project !== repository.project) {
      needs.push({ resource, principal: RUN_AGENT, roles: ARTIFACT_READER_ROLES, scopes: [{ kind: 'repository', repository }], call: `pulls ${image} from outside its project${resource.config.project === undefined ? ' (or states no project)' : ''}` });
    }
    if (image.startsWith(GMP_FRONTEND) && principal !== undefined) {
      const project = ((container.args as unknown[] | undefined) ?? []).map(String).find((a) => a.startsWith('--query.project-id='))?.split('=')[1];
      needs.push({ resource, principal, roles: METRIC_READERS, scopes: project === undefined ? [] : [{ kind: 'project', project }], call: 'queries Managed Service for Prometheus' });
    }
    return needs;
  });
}

function schedulerNeeds(job: CheckedResource, resources: readonly CheckedResource[]): Need[] {
  const target = block(job.config, 'http_target');
  if (target === undefined) return [];
  const principal = principalOf((block(target, 'oauth_token') ?? block(target, 'oidc_token'))?.service_account_email);
  if (principal === undefined) return [];
  const uri = String(target.uri ?? '');
  const needs: Need[] = [];
  const run = JOB_RUN_URL.map((pattern) => pattern.exec(uri)).find((m) => m !== null);
  const runJob = run === undefined ? undefined : resources.find((r) => r.type === 'google_cloud_run_v2_job' && r.config.name === run![2]);
  if (runJob !== undefined) {
    const overrides = typeof target.body === 'string' && /"overrides"/.test(Buffer.from(target.body, 'base64').toString('utf8'));
    needs.push({
      resource: job,
      principal,
      roles: overrides ? RUN_JOB_WITH_OVERRIDES : RUN_JOB,
      scopes: [{ kind: 'google_cloud_run_v2_job', target: runJob }, { kind: 'project', project: run![1]! }],
      call: `runs ${runJob.address}${overrides ? ' with overrides' : ''}`,
    });
  }
  for (const address of refsOfType(uri, 'google_cloud_run_v2_service')) {
    const service = resources.find((r) => r.address === address);
    if (service !== undefined) needs.push({ resource: job, principal, roles: INVOKE_SERVICE, scopes: [{ kind: 'google_cloud_run_v2_service', target: service }], call: `calls ${address}` });
  }
  return needs;
}

function iapNeeds(backend: CheckedResource, resources: readonly CheckedResource[]): Need[] {
  if (!isTrue(block(backend.config, 'iap')?.enabled)) return [];
  return blocks(backend.config, 'backend')
    .flatMap((b) => refsOfType(b.group, 'google_compute_region_network_endpoint_group'))
    .map((neg) => block(resources.find((r) => r.address === neg)?.config ?? {}, 'cloud_run')?.service)
    .flatMap((name) => resources.filter((r) => r.type === 'google_cloud_run_v2_service' && name !== undefined && r.config.name === name))
    .map((service) => ({ resource: service, principal: IAP_AGENT, roles: INVOKE_SERVICE, scopes: [{ kind: 'google_cloud_run_v2_service', target: service } as Scope], call: `is reached through IAP on ${backend.address}` }));
}

export const gcpRunTimeGrants: PolicyRule = {
  id: 'CK-GCP-GRANTS',
  title: "each GCP caller's account holds the role its run-time call needs on the target",
  rationale: 'a missing grant plans and applies cleanly, then the first scheduled run, image pull, IAP request or metric export fails with 403',
  fix: 'grant the caller the role named in the message on the target (or its project): e.g. google_cloud_run_v2_job_iam_member, google_artifact_registry_repository_iam_member, google_project_iam_member',
  resourceTypes: ['google_compute_instance_template', 'google_cloud_run_v2_service', 'google_cloud_run_v2_job', 'google_cloud_scheduler_job', 'google_compute_backend_service'],
  check: () => undefined,
  checkStack: (resources) => {
    const grants = grantsOf(resources);
    const needs = resources.flatMap((r): Need[] => {
      if (r.type === 'google_compute_instance_template') return vmNeeds(r);
      if (r.type === 'google_cloud_run_v2_service' || r.type === 'google_cloud_run_v2_job') return cloudRunNeeds(r);
      if (r.type === 'google_cloud_scheduler_job') return schedulerNeeds(r, resources);
      if (r.type === 'google_compute_backend_service') return iapNeeds(r, resources);
      return [];
    });
    return needs.flatMap((need) => {
      const met = grants.some((g) => need.roles.includes(g.role) && holds(need.principal, g) && (need.scopes.length === 0 ? g.resource.type.startsWith('google_project_iam_') : need.scopes.some((s) => covers(g, s))));
      if (met) return [];
      const where = need.scopes.length === 0 ? 'its project' : need.scopes.map(describeScope).join(' or ');
      return [{ resource: need.resource, problem: `it ${need.call} as ${describe(need.principal)}, which holds none of ${need.roles.join(', ')} on ${where} in the stack` }];
    });
  },
};
