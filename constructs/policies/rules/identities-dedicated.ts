import { block, type CheckedResource, type PolicyRule } from '../policy-rule';

/** The identities a resource runs as: ECS roles, VM and Cloud Run service accounts. */
function identitiesOf({ type, config }: CheckedResource): string[] {
  if (type === 'aws_ecs_task_definition') return [config.task_role_arn, config.execution_role_arn].filter((v): v is string => typeof v === 'string');
  if (type === 'google_compute_instance_template') {
    const email = block(config, 'service_account')?.email;
    return typeof email === 'string' ? [email] : [];
  }
  if (type === 'google_cloud_run_v2_service') {
    const sa = (config.template as Record<string, unknown> | undefined)?.service_account;
    return typeof sa === 'string' ? [sa] : [];
  }
  if (type === 'google_cloud_run_v2_job') {
    const sa = ((config.template as Record<string, unknown> | undefined)?.template as Record<string, unknown> | undefined)?.service_account;
    return typeof sa === 'string' ? [sa] : [];
  }
  return [];
}

export const identitiesDedicated: PolicyRule = {
  id: 'CK-IAM-DEDICATED',
  title: 'every role and service account serves one component',
  rationale: 'a shared identity gives each component the permissions of all of them',
  fix: 'give each task definition, instance template or service its own role or service account',
  resourceTypes: [],
  check: () => undefined,
  checkStack: (resources) => {
    const users = new Map<string, CheckedResource[]>();
    for (const resource of resources) {
      for (const identity of new Set(identitiesOf(resource))) users.set(identity, [...(users.get(identity) ?? []), resource]);
    }
    // Two instance templates of one group (old and new version) never coexist in a stack, so any
    // second user is a second component.
    return [...users.entries()].flatMap(([identity, using]) =>
      using.length > 1 ? using.slice(1).map((resource) => ({ resource, problem: `runs as ${identity}, which ${using[0]!.address} also uses` })) : [],
    );
  },
};
