/**
 * Apply order on GCP, beyond secret values and Cloud NAT (apply-order.ts): computed from the
 * stack's own references and depends_on (constructs/policies/resource-graph.ts).
 *
 * - CK-ORDER-GRANTS: a VM template, Cloud Run service or job that reads a secret runs as a service
 *   account holding `roles/secretmanager.secretAccessor` on that secret, and is created after that
 *   grant. VMs read their secrets at boot and a Cloud Run revision resolves its secrets when it
 *   deploys; a grant made later in the same apply is not there yet.
 * - CK-ORDER-APIS: once a stack turns Google APIs on (google_project_service), every resource is
 *   created after the service of each API it is managed through or runs on
 *   (constructs/gcp/project-services.ts); the first call to a disabled API fails.
 */
import { apisOfResourceType } from '../../gcp/project-services';
import { ResourceGraph, type ResourceAddress } from '../resource-graph';
import { block, type CheckedResource, type PolicyRule } from '../policy-rule';
import { GCP_STARTERS, refsOfType } from './apply-order';

const SECRET_READERS = new Set(['roles/secretmanager.secretAccessor', 'roles/secretmanager.admin']);

const graphs = new WeakMap<readonly CheckedResource[], ResourceGraph>();
function graphOf(resources: readonly CheckedResource[]): ResourceGraph {
  if (!graphs.has(resources)) graphs.set(resources, ResourceGraph.fromResources(resources));
  return graphs.get(resources)!;
}

/** The service account a starter's VMs or containers run as. */
function runsAs(starter: CheckedResource): ResourceAddress[] {
  const account = starter.type === 'google_compute_instance_template' ? block(starter.config, 'service_account')?.email : block(starter.config, 'template')?.service_account;
  return refsOfType(account, 'google_service_account');
}

/** The secret-reading grants of the stack, each as the secrets and members it names. */
function secretGrants(resources: readonly CheckedResource[]): Array<{ grant: CheckedResource; secrets: ResourceAddress[]; members: ResourceAddress[] }> {
  return resources
    .filter((r) => (r.type === 'google_secret_manager_secret_iam_member' || r.type === 'google_secret_manager_secret_iam_binding') && SECRET_READERS.has(String(r.config.role)))
    .map((grant) => ({
      grant,
      secrets: refsOfType(grant.config.secret_id, 'google_secret_manager_secret'),
      members: refsOfType(grant.type === 'google_secret_manager_secret_iam_member' ? grant.config.member : grant.config.members, 'google_service_account'),
    }));
}

export const applyOrderGrants: PolicyRule = {
  id: 'CK-ORDER-GRANTS',
  title: 'what reads a secret at start runs as an account granted to read it, and is created after the grant',
  rationale: 'a VM that boots, or a Cloud Run revision that deploys, before its account may read the secret never gets the value (IAM changes take effect after a delay)',
  fix: "grant the starter's service account roles/secretmanager.secretAccessor on the secret (google_secret_manager_secret_iam_member) and add that grant to the starter's depends_on",
  resourceTypes: GCP_STARTERS,
  check: () => undefined,
  checkStack: (resources) => {
    const graph = graphOf(resources);
    const grants = secretGrants(resources);
    return resources
      .filter((r) => GCP_STARTERS.includes(r.type))
      .flatMap((starter) => {
        const accounts = runsAs(starter);
        return refsOfType(starter.config, 'google_secret_manager_secret').flatMap((secret) =>
          accounts.flatMap((account) => {
            const granting = grants.filter((g) => g.secrets.includes(secret) && g.members.includes(account));
            if (granting.length === 0) return [{ resource: starter, problem: `it reads ${secret} as ${account}, which holds no roles/secretmanager.secretAccessor on it in the stack` }];
            if (granting.some((g) => graph.dependsOn(starter.address, g.grant.address))) return [];
            return [{ resource: starter, problem: `it reads ${secret} as ${account}, granted by ${granting[0]!.grant.address}, but is not created after it: add ${granting[0]!.grant.address} to its depends_on` }];
          }),
        );
      });
  },
};

export const applyOrderApis: PolicyRule = {
  id: 'CK-ORDER-APIS',
  title: 'in a stack that turns Google APIs on, each resource is created after its APIs',
  rationale: 'on a fresh project the first call to a disabled API fails the apply, and enabling takes a while to reach every service',
  fix: "add the google_project_service of each API the resource uses to its depends_on (constructs/gcp/project-services.ts does it for the kit's resources)",
  resourceTypes: ['*'],
  check: () => undefined,
  checkStack: (resources) => {
    const services = new Map(resources.filter((r) => r.type === 'google_project_service').map((r) => [String(r.config.service), r.address]));
    if (services.size === 0) return [];
    const graph = graphOf(resources);
    return resources
      .filter((r) => r.type.startsWith('google_') && r.type !== 'google_project_service')
      .flatMap((resource) =>
        apisOfResourceType(resource.type).flatMap((api) => {
          const service = services.get(api);
          if (service === undefined) return [{ resource, problem: `the stack turns APIs on but not ${api}, which it uses` }];
          return graph.dependsOn(resource.address, service) ? [] : [{ resource, problem: `it uses ${api}, turned on by ${service}, but is not created after it: add ${service} to its depends_on` }];
        }),
      );
  },
};

export const GCP_APPLY_ORDER_RULES: readonly PolicyRule[] = [applyOrderGrants, applyOrderApis];
