/**
 * CK-GCP-GRANTS on the GCP examples: every run-time call the stack makes to its own targets has
 * its grant. Each example passes as synthesized; then one grant is taken away or weakened the way
 * a mistake would, and the rule must name the caller, its account and the role it lacks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resourcesOfSynthesizedStack } from '../../../constructs/policies/resource-graph';
import { gcpRunTimeGrants } from '../../../constructs/policies/rules/gcp-run-time-grants';
import { resourcesOf, synthesizeYaml, type TerraformJson } from '../../helpers/synth';

const initechYaml = readFileSync('customers/initech-prod.yaml', 'utf8');
const umbrella = synthesizeYaml(readFileSync('customers/umbrella-staging.yaml', 'utf8')).json; // RabbitMQ, no monitoring
const initech = synthesizeYaml(initechYaml).json; // Memorystore, Flower and Grafana behind IAP

function problems(json: TerraformJson): string[] {
  return gcpRunTimeGrants.checkStack!(resourcesOfSynthesizedStack(json as Record<string, unknown>)).map((v) => `${v.resource.address}: ${v.problem}`);
}

/** A deep copy of the stack with the resources of `type` that match `pick` edited (or removed when `edit` returns null). */
function withEdited(json: TerraformJson, type: string, pick: (r: Record<string, unknown>) => boolean, edit: (r: Record<string, unknown>) => null | void): TerraformJson {
  const copy = structuredClone(json);
  const byName = resourcesOf(copy, type);
  const picked = Object.entries(byName).filter(([, r]) => pick(r));
  expect(picked.length).toBeGreaterThan(0);
  for (const [name, r] of picked) if (edit(r) === null) delete byName[name];
  return copy;
}

const fastPoolAccount = (r: Record<string, unknown>) => String(r.member).includes('pool-fast_service-account');

describe('CK-GCP-GRANTS', () => {
  it('finds no missing grant in either example', () => {
    expect(problems(umbrella)).toEqual([]);
    expect(problems(initech)).toEqual([]);
  });

  it('names a scheduler whose account may not run its job', () => {
    for (const json of [umbrella, initech]) {
      const broken = withEdited(json, 'google_cloud_run_v2_job_iam_member', () => true, () => null);
      expect(problems(broken)).toEqual([
        expect.stringMatching(/^google_cloud_scheduler_job\.\S+: it runs google_cloud_run_v2_job\.\S+ with overrides as google_service_account\.gcp_scheduled-tasks_trigger_account_\w+, which holds none of roles\/run\.jobsExecutorWithOverrides, roles\/run\.developer, roles\/run\.admin on google_cloud_run_v2_job\.\S+ or project \S+ in the stack$/),
      ]);
    }
  });

  it('names a scheduler that may run its job but not with the overrides it sends, as roles/run.invoker allows', () => {
    const broken = withEdited(umbrella, 'google_cloud_run_v2_job_iam_member', () => true, (r) => {
      r.role = 'roles/run.invoker';
    });
    expect(problems(broken)).toEqual([expect.stringMatching(/^google_cloud_scheduler_job\.\S+: it runs \S+ with overrides as /)]);
  });

  it('accepts a project-wide grant of the role in the job project, and no grant on another job', () => {
    const [trigger] = Object.values(resourcesOf(umbrella, 'google_cloud_run_v2_job_iam_member'));
    const onAnotherJob = withEdited(umbrella, 'google_cloud_run_v2_job_iam_member', () => true, (r) => {
      r.name = 'another-job';
    });
    expect(problems(onAnotherJob)).toHaveLength(1);
    const projectWide = withEdited(umbrella, 'google_cloud_run_v2_job_iam_member', () => true, () => null);
    resourcesOf(projectWide, 'google_project_iam_member').trigger_runs_jobs = { project: 'umbrella-staging-42', role: 'roles/run.jobsExecutorWithOverrides', member: trigger!.member };
    expect(problems(projectWide)).toEqual([]);
  });

  it('names a worker template whose account may not pull the app image from Artifact Registry', () => {
    const broken = withEdited(initech, 'google_artifact_registry_repository_iam_member', fastPoolAccount, () => null);
    expect(problems(broken)).toEqual([
      expect.stringMatching(/^google_compute_instance_template\.gcp_pool-fast_vms_template_\w+: it pulls europe-west1-docker\.pkg\.dev\/initech-celery-prod\/apps\/tps:5\.2\.0 as google_service_account\.gcp_pool-fast_service-account_\w+, which holds none of roles\/artifactregistry\.reader, .* on repository europe-west1\/initech-celery-prod\/apps in the stack$/),
    ]);
  });

  it('names a grant on the wrong repository', () => {
    const broken = withEdited(initech, 'google_artifact_registry_repository_iam_member', fastPoolAccount, (r) => {
      r.repository = 'other-apps';
    });
    expect(problems(broken)).toEqual([expect.stringMatching(/^google_compute_instance_template\.gcp_pool-fast_vms_template_\w+: it pulls /)]);
  });

  it('names an exporter that cannot write its metrics to Managed Service for Prometheus', () => {
    for (const json of [umbrella, initech]) {
      const broken = withEdited(json, 'google_project_iam_member', (r) => r.role === 'roles/monitoring.metricWriter' && String(r.member).includes('exporter'), () => null);
      expect(problems(broken)).toEqual([expect.stringMatching(/^google_compute_instance_template\.gcp_exporter_vms_template_\w+: it exports metrics to Managed Service for Prometheus as google_service_account\.gcp_exporter_\S+, which holds none of roles\/monitoring\.metricWriter, .* on its project in the stack$/)]);
    }
  });

  it('names a Grafana whose query frontend cannot read the project it queries', () => {
    const broken = withEdited(initech, 'google_project_iam_member', (r) => r.role === 'roles/monitoring.viewer', (r) => {
      r.project = 'some-other-project';
    });
    expect(problems(broken)).toEqual([expect.stringMatching(/^google_cloud_run_v2_service\.gcp_front-door_grafana_\w+: it queries Managed Service for Prometheus as \S+, which holds none of roles\/monitoring\.viewer, .* on project initech-celery-prod in the stack$/)]);
  });

  it('names a Cloud Run service behind IAP that IAP may not invoke', () => {
    const broken = withEdited(initech, 'google_cloud_run_v2_service_iam_member', (r) => String(r.name).includes('flower'), () => null);
    expect(problems(broken)).toEqual([expect.stringMatching(/^google_cloud_run_v2_service\.gcp_front-door_flower_\w+: it is reached through IAP on google_compute_backend_service\.\S+ as IAP's service agent, which holds none of roles\/run\.invoker on google_cloud_run_v2_service\.\S+ in the stack$/)]);
  });

  describe('an app image in another project', () => {
    const crossProject = synthesizeYaml(initechYaml.replace('europe-west1-docker.pkg.dev/initech-celery-prod/apps/', 'europe-west1-docker.pkg.dev/initech-shared-images/apps/')).json;

    it('has the Cloud Run service agent granted Reader on that repository, so the scheduled-call job passes', () => {
      const grants = Object.values(resourcesOf(crossProject, 'google_artifact_registry_repository_iam_member')).filter((r) => String(r.member).includes('serverless-robot-prod'));
      expect(grants).toEqual([expect.objectContaining({ project: 'initech-shared-images', location: 'europe-west1', repository: 'apps', role: 'roles/artifactregistry.reader' })]);
      expect(problems(crossProject)).toEqual([]);
    });

    it('names the job when that grant is missing', () => {
      const broken = withEdited(crossProject, 'google_artifact_registry_repository_iam_member', (r) => String(r.member).includes('serverless-robot-prod'), () => null);
      expect(problems(broken)).toEqual([expect.stringMatching(/^google_cloud_run_v2_job\.gcp_scheduled-tasks_job_\w+: it pulls europe-west1-docker\.pkg\.dev\/initech-shared-images\/apps\/tps:5\.2\.0 from outside its project as the Cloud Run service agent, which holds none of /)]);
    });

    it('needs no agent grant when the image is in the job project', () => {
      expect(Object.values(resourcesOf(initech, 'google_artifact_registry_repository_iam_member')).filter((r) => String(r.member).includes('serverless-robot-prod'))).toEqual([]);
    });
  });

  describe('a scheduler calling a Cloud Run service URL', () => {
    const stack = (role: string): TerraformJson => ({
      resource: {
        google_service_account: { caller: { account_id: 'caller' } },
        google_cloud_run_v2_service: { api: { name: 'api', location: 'r', template: { containers: [{ image: 'nginx' }] } } },
        google_cloud_run_v2_service_iam_member: { invoker: { name: '${google_cloud_run_v2_service.api.name}', location: 'r', role, member: '${google_service_account.caller.member}' } },
        google_cloud_scheduler_job: { ping: { http_target: { uri: '${google_cloud_run_v2_service.api.uri}/ping', oidc_token: { service_account_email: '${google_service_account.caller.email}' } } } },
      },
    });

    it('passes when its account may invoke the service', () => {
      expect(problems(stack('roles/run.invoker'))).toEqual([]);
    });

    it('names it when its account holds another role', () => {
      expect(problems(stack('roles/run.viewer'))).toEqual(['google_cloud_scheduler_job.ping: it calls google_cloud_run_v2_service.api as google_service_account.caller, which holds none of roles/run.invoker on google_cloud_run_v2_service.api in the stack']);
    });
  });
});
