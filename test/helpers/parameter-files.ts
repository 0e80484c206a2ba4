/**
 * Writes parameter files into a fresh temporary folder for a test, and loads them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadParameterFile } from '../../spec/load';
import { formatProblem } from '../../spec/problems';
import type { DeploymentSpec } from '../../spec/types';
import { tempDir } from './temp-dirs';

export { madeTempDirs, tempDir } from './temp-dirs';

/** Writes `files` (name -> text) into a new temp folder and returns the folder. */
export function writeParameterFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Loads one YAML text as a parameter file; returns the spec or throws listing the problems. */
export function specFromYaml(text: string, name = 'deployment.yaml'): DeploymentSpec {
  const file = join(writeParameterFiles({ [name]: text }), name);
  const result = loadParameterFile(file);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.spec;
}

/** The formatted problem lines of one YAML text, with the temp path replaced by `FILE`. */
export function problemLines(text: string, name = 'bad.yaml'): string[] {
  const file = join(writeParameterFiles({ [name]: text }), name);
  return loadParameterFile(file).problems.map((p) => formatProblem(p).replace(file, 'FILE'));
}

/** A small valid AWS file; line numbers matter to the error tests, keep them stable. */
export const BASE_FILE = [
  'customer: acme', // 1
  'environment: prod', // 2
  'cloud: aws', // 3
  'region: eu-west-1', // 4
  'app:', // 5
  '  image: registry.example.com/acme/app:1.0.0', // 6
  '  module: myapp', // 7
  'broker:', // 8
  '  kind: redis', // 9
  'queues:', // 10
  '  email: ["myapp.tasks.email.*"]', // 11
  '  reports: ["myapp.tasks.reports.*"]', // 12
  'workers:', // 13
  '  fast:', // 14
  '    queues: [email, default]', // 15
  '    pool: gevent', // 16
  '    timeLimit: 60', // 17
  '  batch:', // 18
  '    queues: [reports]', // 19
  '    timeLimit: 3600', // 20
  '    softTimeLimit: 3000', // 21
  'schedules:', // 22
  '  nightly:', // 23
  '    cron: "0 2 * * *"', // 24
  '    task: myapp.tasks.reports.nightly', // 25
  'state:', // 26
  '  backend: s3', // 27
  '  bucket: acme-tf-state', // 28
  'accountId: "123456789012"', // 29
].join('\n');

/** BASE_FILE with lines replaced: 1-based line number -> new text (may hold several lines, or be empty to drop it). */
export function editBase(edits: Record<number, string>): string {
  return BASE_FILE.split('\n')
    .flatMap((line, i) => {
      const replacement = edits[i + 1];
      if (replacement === undefined) return [line];
      return replacement === '' ? [] : replacement.split('\n');
    })
    .join('\n');
}

/** A monitoring section for BASE_FILE (AWS, eu-west-1): domain, certificate and the OIDC provider, no access groups. */
export const AWS_MONITORING_LINES = [
  'monitoring:',
  '  domain: celery.acme.example.com',
  '  certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
  '  sso:',
  '    oidc:',
  '      issuer: https://id.example.com',
  '      authorizationEndpoint: https://id.example.com/authorize',
  '      tokenEndpoint: https://id.example.com/token',
  '      userInfoEndpoint: https://id.example.com/userinfo',
  '      clientId: celery',
];
