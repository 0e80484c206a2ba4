/**
 * Malformed parameter files: each mistake gives exactly one line naming the file, the line, the
 * key path, the problem and the fix.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadDeployments } from '../../spec/load';
import { formatProblem, SpecValidationError } from '../../spec/problems';
import { AWS_MONITORING_LINES, BASE_FILE, editBase, problemLines, writeParameterFiles } from '../helpers/parameter-files';

describe('a malformed parameter file', () => {
  const cases: Array<[string, Record<number, string>, string]> = [
    [
      'a misspelt key gets a did-you-mean',
      { 16: '    pool: gevent\n    concurency: 10' },
      'FILE:17: error: workers.fast.concurency: unknown key "concurency". Fix: did you mean "concurrency"? Rename it.',
    ],
    [
      'an AWS file without its account id',
      { 29: '' },
      'FILE:1: error: accountId: is required on AWS: it keeps a stack from being applied to the wrong account. Fix: add accountId: "<12-digit account id>".',
    ],
    [
      'beat: singleton next to cloud schedules',
      { 22: 'beat: singleton\nschedules:' },
      'FILE:22: error: beat: with beat: singleton the app’s own beat schedule runs, so these schedules would never fire. Fix: remove beat to run schedules from the cloud scheduler, or move them into the app’s beat_schedule and remove schedules.',
    ],
    ['an unknown cloud', { 3: 'cloud: azure' }, 'FILE:3: error: cloud: must be "aws" or "gcp". Fix: set cloud to aws or gcp.'],
    [
      'a customer name that is not a slug',
      { 1: 'customer: Acme Corp' },
      'FILE:1: error: customer: must be 1-20 characters of lowercase letters, digits and single hyphens, starting with a letter. Fix: use a slug such as "acme".',
    ],
    [
      'an unknown broker kind',
      { 9: '  kind: redsi' },
      'FILE:9: error: broker.kind: must be "redis" or "rabbitmq". Fix: set broker.kind to redis (simpler, ~1 s loss window) or rabbitmq (acknowledged, durable).',
    ],
    [
      'a visibility timeout on a rabbitmq broker',
      { 9: '  kind: rabbitmq\n  visibilityTimeout: 7200' },
      'FILE:10: error: broker.visibilityTimeout: unknown key "visibilityTimeout". Fix: visibilityTimeout exists only for broker.kind: redis (RabbitMQ acknowledges instead); remove it.',
    ],
    [
      'a redis visibility timeout shorter than a pool time limit names the pool',
      { 9: '  kind: redis\n  visibilityTimeout: 1800' },
      'FILE:10: error: broker.visibilityTimeout: 1800 s is not longer than workers.batch.timeLimit (3600 s): a task still running then is delivered to a second worker and runs twice. Fix: raise broker.visibilityTimeout above 3600 (e.g. 4500) or remove it to let the kit derive it.',
    ],
    [
      'a default queue no pool consumes',
      { 15: '    queues: [email]' },
      'FILE:1: error: defaultQueue: no worker pool consumes queue "default" (the default queue, where every unrouted task goes), so its tasks would wait forever. Fix: add "default" to the queues of one pool under workers.',
    ],
    [
      'a declared queue no pool consumes',
      { 12: '  reports: ["myapp.tasks.reports.*"]\n  ml: ["myapp.tasks.ml.*"]' },
      'FILE:13: error: queues.ml: no worker pool consumes queue "ml", so its tasks would wait forever. Fix: add "ml" to the queues of one pool under workers, or remove the queue.',
    ],
    [
      'a pool naming an undeclared queue',
      { 15: '    queues: [email, default, emial]' },
      'FILE:15: error: workers.fast.queues[2]: queue "emial" is not declared under queues. Fix: did you mean "email"? Or declare it under queues.',
    ],
    [
      'a queue consumed by two pools',
      { 19: '    queues: [reports, email]' },
      'FILE:19: error: workers.batch.queues[1]: queue "email" is already consumed by pool "fast"; two pools on one queue cannot each be sized and scaled on its depth. Fix: remove "email" from one of the two pools.',
    ],
    [
      'overlapping route patterns',
      { 12: '  reports: ["myapp.tasks.*"]' },
      'FILE:12: error: queues.reports[0]: route "myapp.tasks.*" overlaps route "myapp.tasks.email.*" of queue "email" (both match "myapp.tasks.email."), so that task\'s queue would depend on route order. Fix: make the patterns disjoint, e.g. name the task module in full.',
    ],
    [
      'a schedule sending to an undeclared queue',
      { 25: '    task: myapp.tasks.reports.nightly\n    queue: reprots' },
      'FILE:26: error: schedules.nightly.queue: queue "reprots" is not declared under queues, so the task would never be consumed. Fix: did you mean "reports"?',
    ],
    [
      'a soft time limit not below the hard one',
      { 21: '    softTimeLimit: 3600' },
      'FILE:21: error: workers.batch.softTimeLimit: softTimeLimit (3600 s) must be below timeLimit (3600 s) so the task can clean up before it is killed. Fix: lower softTimeLimit below 3600, e.g. 3240.',
    ],
    [
      'an autoscale minimum above the maximum',
      { 17: '    timeLimit: 60\n    autoscale: {min: 5, max: 2}' },
      'FILE:18: error: workers.fast.autoscale.min: autoscale.min (5) is above autoscale.max (2). Fix: set min <= max.',
    ],
    [
      'a time limit written as a duration',
      { 20: '    timeLimit: 1h' },
      'FILE:20: error: workers.batch.timeLimit: must be a whole number of seconds. Fix: write a number such as 3600 (not "1h").',
    ],
    [
      'a cron expression with four fields',
      { 24: '    cron: "0 2 * *"' },
      'FILE:24: error: schedules.nightly.cron: "0 2 * *" is not a five-field cron expression: expected 5 fields (minute hour day-of-month month day-of-week), found 4. Fix: write minute hour day-of-month month day-of-week, e.g. "0 2 * * *".',
    ],
    [
      'a cron expression EventBridge cannot express',
      { 24: '    cron: "0 2 1 * 1"' },
      'FILE:24: error: schedules.nightly.cron: EventBridge Scheduler cannot restrict both day-of-month and day-of-week. Fix: set one of the two fields to "*" (use two schedules if you need both).',
    ],
    ['a missing app module', { 7: '' }, 'FILE:5: error: app.module: is required. Fix: set the module passed to `celery -A`, e.g. "myapp".'],
    [
      'a GCP file without a project',
      { 3: 'cloud: gcp', 4: 'region: europe-west1', 29: '' },
      'FILE:1: error: project: is required on GCP. Fix: add project: <your-gcp-project-id>.',
    ],
    [
      'a secret in plain environment variables',
      { 7: '  module: myapp\n  env:\n    DB_PASSWORD: hunter2' },
      'FILE:9: error: app.env.DB_PASSWORD: this looks like a secret (the name "DB_PASSWORD" is a credential\'s name), and plain values are readable by anyone who can describe the deployment. Fix: move it to app.secrets (DB_PASSWORD: <full ARN of the secret in Secrets Manager>); if it is no secret, list it under notSecrets: [{key: "app.env.DB_PASSWORD", reason: <why>}].',
    ],
    [
      'an image without a tag',
      { 6: '  image: registry.example.com/acme/app' },
      'FILE:6: error: app.image: image "registry.example.com/acme/app" has no tag or digest, so every deploy may run different code. Fix: pin it, e.g. "…/app:1.4.2" or "…/app@sha256:…".',
    ],
    [
      'an upper-case latest tag',
      { 6: '  image: registry.example.com/acme/app:LATEST' },
      'FILE:6: error: app.image: the "latest" tag changes under a running deployment. Fix: pin a version tag or a digest.',
    ],
    [
      'an unknown key named like an Object.prototype member',
      { 7: '  module: myapp\n  __proto__: x' },
      'FILE:8: error: app.__proto__: the key "__proto__" cannot be read safely: JavaScript gives this name a meaning on every object. Fix: rename it (or remove it).',
    ],
    [
      'a worker size Fargate does not offer',
      { 17: '    timeLimit: 60\n    cpu: 0.5\n    memory: 8192' },
      'FILE:19: error: workers.fast.memory: 8192 MiB does not fit 0.5 vCPU on Fargate. Fix: use 1024-4096 MiB in steps of 1024.',
    ],
    [
      'a Redis OSS version without the ACL rules of the per-component users',
      { 9: '  kind: redis\n  engine: redis\n  engineVersion: "6.2"' },
      'FILE:11: error: broker.engineVersion: Redis OSS 6.2 is older than 7.0: the kit\'s per-component users need ACL subcommand and read-only key rules (Redis OSS 7.0+ on ElastiCache). Fix: set broker.engineVersion to 7.0 or later, or use engine valkey.',
    ],
    [
      'a Valkey version ElastiCache has no user access control for',
      { 9: '  kind: redis\n  engineVersion: "7.0"' },
      'FILE:10: error: broker.engineVersion: Valkey 7.0 is older than 7.2, the first Valkey ElastiCache offers with per-user access control. Fix: set broker.engineVersion to 7.2 or later.',
    ],
    [
      'a RabbitMQ version without quorum queue support',
      { 9: '  kind: rabbitmq\n  engineVersion: "3.12"' },
      'FILE:10: error: broker.engineVersion: RabbitMQ 3.12 is older than 3.13, the first version the kit supports for quorum queues. Fix: set broker.engineVersion to 3.13 or later.',
    ],
    [
      'an OIDC client secret written into the file',
      {
        28: [
          '  bucket: acme-tf-state',
          ...AWS_MONITORING_LINES,
          '      clientSecret: s3cr3t',
        ].join('\n'),
      },
      'FILE:39: error: monitoring.sso.oidc.clientSecret: unknown key "clientSecret". Fix: secrets never go in parameter files; remove it and pass the OIDC client secret at deploy time as the sensitive Terraform variable oidc_client_secret (TF_VAR_oidc_client_secret).',
    ],
    [
      'a cron expression left unquoted where YAML reads an alias',
      { 24: '    cron: * 2 * * *' },
      'FILE:24: error: (top level): the file is not valid YAML/JSON: Alias cannot be an empty string. Fix: quote values that start with "*" or "&", e.g. cron: "0 2 * * *".',
    ],
    [
      'a key written twice',
      { 17: '    timeLimit: 60\n    pool: threads' },
      'FILE:18: error: (top level): the file is not valid YAML/JSON: Map keys must be unique. Fix: remove one of the two keys; a key may appear once per mapping.',
    ],
  ];

  it.each(cases)('reports %s', (_name, edits, expected) => {
    expect(problemLines(editBase(edits))).toEqual([expected]);
  });

  it('reports every mistake of a file, one line each, in file order', () => {
    const lines = problemLines(editBase({ 1: 'customer: Acme', 16: '    pool: geventt', 20: '    timeLimit: 1h' }));
    expect(lines).toEqual([
      'FILE:1: error: customer: must be 1-20 characters of lowercase letters, digits and single hyphens, starting with a letter. Fix: use a slug such as "acme".',
      'FILE:16: error: workers.fast.pool: "geventt" is not one of "prefork", "gevent", "eventlet", "threads", "solo". Fix: did you mean "gevent"?',
      'FILE:20: error: workers.batch.timeLimit: must be a whole number of seconds. Fix: write a number such as 3600 (not "1h").',
    ]);
  });

  it('reports several cross-key mistakes of a file in one pass', () => {
    const lines = problemLines(editBase({ 15: '    queues: [email]', 21: '    softTimeLimit: 4000', 25: '    task: myapp.tasks.reports.nightly\n    timezone: Europe/Dublinn' }));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^FILE:1: error: defaultQueue: no worker pool consumes queue "default"/);
    expect(lines[1]).toMatch(/^FILE:21: error: workers\.batch\.softTimeLimit: softTimeLimit \(4000 s\) must be below timeLimit \(3600 s\)/);
    expect(lines[2]).toMatch(/^FILE:26: error: schedules\.nightly\.timezone: "Europe\/Dublinn" is not an IANA time zone/);
  });
});

describe('a parameter file that loads with a warning', () => {
  it('warns about a prefork pool without a hard time limit, and still loads', () => {
    expect(problemLines(editBase({ 20: '', 21: '' }))).toEqual([
      'FILE:18: warning: workers.batch.timeLimit: a prefork pool without a hard time limit lets one stuck task hold a process forever. Fix: set timeLimit (seconds) to the longest a task of these queues may run.',
    ]);
  });
});

describe('a set of parameter files', () => {
  it('rejects two files that would write the same stack', () => {
    const dir = writeParameterFiles({ 'a.yaml': BASE_FILE, 'b.yaml': BASE_FILE });
    let error: unknown;
    try {
      loadDeployments([join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecValidationError);
    expect((error as SpecValidationError).problems.map(formatProblem)).toEqual([
      `${join(dir, 'b.yaml')}:1: error: customer: stack id "acme-prod" is already used by ${join(dir, 'a.yaml')}; two files would write over one stack. Fix: change customer or environment in one of the two files.`,
    ]);
  });
});

describe('a GCP parameter file with a shape GCP does not offer', () => {
  const gcp = (edits: Record<number, string>) => problemLines(editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1\nproject: acme-celery-prod', 27: '  backend: gcs', 29: '', ...edits }));

  it('refuses a RabbitMQ version other than the pinned 3.13', () => {
    expect(gcp({ 9: '  kind: rabbitmq\n  engineVersion: "4.0"' })).toEqual([
      'FILE:11: error: broker.engineVersion: GCP runs the kit\'s pinned RabbitMQ 3.13.7 image. Fix: remove broker.engineVersion or set it to "3.13".',
    ]);
  });
});
