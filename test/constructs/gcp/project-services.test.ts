/**
 * On a fresh project most Google APIs are off and the first resource of a disabled API fails the
 * apply: the stack turns on every API it uses, never turns them off, and creates each resource
 * after its API, unless the file leaves the APIs to a landing-zone team.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apisOfResourceType } from '../../../constructs/gcp/project-services';
import { editBase, problemLines } from '../../helpers/parameter-files';
import { resourcesOf, synthesizeYaml, type TerraformJson } from '../../helpers/synth';

const INITECH = readFileSync('customers/initech-prod.yaml', 'utf8');
const UMBRELLA = readFileSync('customers/umbrella-staging.yaml', 'utf8');

/** `google_project_service.<id>` by API name. */
function servicesOf(json: TerraformJson): Map<string, string> {
  return new Map(Object.entries(resourcesOf(json, 'google_project_service')).map(([id, s]) => [String(s.service), `google_project_service.${id}`]));
}

/** Every google resource of the stack, as [type, id, body]. */
function googleResources(json: TerraformJson): Array<[string, string, Record<string, unknown>]> {
  return Object.entries(json.resource ?? {})
    .filter(([type]) => type.startsWith('google_') && type !== 'google_project_service')
    .flatMap(([type, byId]) => Object.entries(byId as Record<string, Record<string, unknown>>).map(([id, body]) => [type, id, body] as [string, string, Record<string, unknown>]));
}

describe('the Google APIs of a GCP stack', () => {
  const initech = synthesizeYaml(INITECH).json;

  it('turns on every API the Valkey example uses, and never turns one off on destroy', () => {
    expect([...servicesOf(initech).keys()]).toEqual([
      'artifactregistry.googleapis.com',
      'cloudresourcemanager.googleapis.com',
      'cloudscheduler.googleapis.com',
      'compute.googleapis.com',
      'iam.googleapis.com',
      'iap.googleapis.com',
      'logging.googleapis.com',
      'memorystore.googleapis.com',
      'monitoring.googleapis.com',
      'networkconnectivity.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
    ]);
    for (const s of Object.values(resourcesOf(initech, 'google_project_service'))) expect(s).toMatchObject({ project: 'initech-celery-prod', disable_on_destroy: false });
  });

  it.each([
    ['initech-prod', INITECH],
    ['umbrella-staging', UMBRELLA],
  ])('creates each resource of %s after the APIs it is managed through and runs on', (_name, yaml) => {
    const json = synthesizeYaml(yaml).json;
    const services = servicesOf(json);
    const resources = googleResources(json);
    expect(resources.length).toBeGreaterThan(50);
    for (const [type, id, body] of resources) {
      const apis = apisOfResourceType(type);
      expect(apis, `${type}.${id} has no known API`).not.toEqual([]);
      expect(body.depends_on, `${type}.${id}`).toEqual(expect.arrayContaining(apis.map((api) => services.get(api))));
    }
  });

  it('keeps the depends_on a resource already had', () => {
    const valkey = Object.values(resourcesOf(initech, 'google_memorystore_instance'))[0]!;
    expect(valkey.depends_on).toEqual([expect.stringMatching(/^google_network_connectivity_service_connection_policy\./), servicesOf(initech).get('memorystore.googleapis.com')]);
  });

  it('leaves the APIs alone when the file says a landing-zone team owns them', () => {
    const json = synthesizeYaml(INITECH.replace('project: initech-celery-prod', 'project: initech-celery-prod\nenableApis: false')).json;
    expect(resourcesOf(json, 'google_project_service')).toEqual({});
    for (const [type, id, body] of googleResources(json)) expect((body.depends_on as string[] | undefined) ?? [], `${type}.${id}`).not.toContainEqual(expect.stringMatching(/^google_project_service\./));
  });

  it('refuses enableApis in an AWS file', () => {
    expect(problemLines(editBase({ 4: 'region: eu-west-1\nenableApis: false' }))).toEqual(['FILE:5: error: enableApis: enableApis applies to GCP only. Fix: remove enableApis from this AWS file.']);
  });
});
