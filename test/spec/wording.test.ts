/**
 * Wording of problems users met in odd files (issue 18): each says what is wrong in the user's terms.
 */
import { describe, expect, it } from 'vitest';
import { AWS_MONITORING_LINES, editBase, problemLines } from '../helpers/parameter-files';

describe('the wording of problems', () => {
  it('says a missing broker is required, not that its kind is wrong', () => {
    expect(problemLines(editBase({ 8: '', 9: '' }))).toEqual([
      'FILE:1: error: broker: is required. Fix: add broker: {kind: redis} (simpler, ~1 s loss window) or broker: {kind: rabbitmq} (acknowledged, durable).',
    ]);
  });

  it('says a missing customer, environment or cloud is required, not that its value has the wrong type', () => {
    expect(problemLines(editBase({ 1: '', 2: '', 3: '' }))).toEqual([
      'FILE:1: error: customer: is required. Fix: set it to a lowercase slug such as "acme".',
      'FILE:1: error: environment: is required. Fix: set it to a lowercase slug such as "prod".',
      'FILE:1: error: cloud: is required. Fix: add cloud: aws or cloud: gcp.',
    ]);
  });

  it('still names a customer, environment or cloud of the wrong type', () => {
    expect(problemLines(editBase({ 1: 'customer: [acme]', 2: 'environment: 7', 3: 'cloud: azure' }))).toEqual([
      'FILE:1: error: customer: must be a text value. Fix: write it as a lowercase slug such as "acme".',
      'FILE:2: error: environment: must be a text value. Fix: write it as a lowercase slug such as "prod".',
      'FILE:3: error: cloud: must be "aws" or "gcp". Fix: set cloud to aws or gcp.',
    ]);
  });

  it('still names a wrong broker kind', () => {
    expect(problemLines(editBase({ 9: '  kind: kafka' }))).toEqual([
      'FILE:9: error: broker.kind: must be "redis" or "rabbitmq". Fix: set broker.kind to redis (simpler, ~1 s loss window) or rabbitmq (acknowledged, durable).',
    ]);
  });

  it('says a missing app or workers is required, in the words a missing customer gets', () => {
    expect(problemLines(editBase({ 5: '', 6: '', 7: '' }))).toEqual(['FILE:1: error: app: is required. Fix: add app.']);
    expect(problemLines(editBase({ 13: '', 14: '', 15: '', 16: '', 17: '', 18: '', 19: '', 20: '', 21: '' }))).toEqual(['FILE:1: error: workers: is required. Fix: add workers.']);
  });

  it('says a missing nested key is required even where its schema words wrong values otherwise, keeping the fix', () => {
    expect(problemLines(editBase({ 15: '' }))).toEqual(['FILE:14: error: workers.fast.queues: is required. Fix: write e.g. [email, webhooks].']);
    expect(problemLines(editBase({ 24: '' }))).toEqual(['FILE:23: error: schedules.nightly.cron: is required. Fix: write it in quotes, e.g. "0 2 * * *".']);
    expect(problemLines(editBase({ 25: '' }))).toEqual(['FILE:23: error: schedules.nightly.task: is required. Fix: add task.']);
  });

  it('says a missing kind or backend is required, not that it is none of the choices', () => {
    expect(problemLines(editBase({ 8: 'broker: {replicas: 1}', 9: '' }))).toEqual([
      'FILE:8: error: broker.kind: is required. Fix: set broker.kind to redis (simpler, ~1 s loss window) or rabbitmq (acknowledged, durable).',
    ]);
    expect(problemLines(editBase({ 27: '  bucket: acme-tf-state', 28: '' }))).toEqual([
      'FILE:26: error: state.backend: is required. Fix: set state.backend to s3 (AWS) or gcs (GCP) for shared state.',
    ]);
    expect(problemLines(editBase({ 26: 'state: {backend: 5}', 27: '', 28: '' }))).toEqual([
      'FILE:26: error: state.backend: must be local, s3 or gcs. Fix: set state.backend to s3 (AWS) or gcs (GCP) for shared state.',
    ]);
  });

  it('never calls a key that is present required: a value of the wrong type is named as such', () => {
    expect(problemLines(editBase({ 4: 'region: 5' }))).toEqual([
      'FILE:4: error: region: expected a string, got 5. Fix: set the cloud region, e.g. "eu-west-1" (AWS) or "europe-west1" (GCP).',
    ]);
    expect(problemLines(editBase({ 6: '  image: [registry.example.com/acme/app]' }))).toEqual([
      'FILE:6: error: app.image: expected a string, got a list. Fix: set the container image of the Celery app, e.g. "ghcr.io/acme/app:1.4.2".',
    ]);
    expect(problemLines(editBase({ 5: 'app:', 6: '', 7: '' }))).toEqual(['FILE:5: error: app: expected a mapping of keys to values, got null. Fix: write a mapping of keys to values here.']);
  });

  it('says a key one cloud requires is required there, with the reason', () => {
    expect(problemLines(editBase({ 29: '' }))).toEqual(['FILE:1: error: accountId: is required on AWS: it keeps a stack from being applied to the wrong account. Fix: add accountId: "<12-digit account id>".']);
    // Monitoring without its certificate and OIDC provider (AWS), and without IAP members (GCP).
    const aws = editBase({ 29: ['accountId: "123456789012"', 'monitoring:', '  domain: celery.acme.example.com', '  sso: {}'].join('\n') });
    expect(problemLines(aws)).toEqual([
      'FILE:30: error: monitoring.certificateArn: is required on AWS with monitoring: the HTTPS load balancer in front of Flower and Grafana needs a certificate. Fix: add monitoring.certificateArn: the ARN of an ACM certificate for celery.acme.example.com in eu-west-1.',
      'FILE:32: error: monitoring.sso.oidc: is required on AWS with monitoring: the load balancer signs users in with OIDC. Fix: add monitoring.sso.oidc with issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint and clientId.',
    ]);
    const gcp = editBase({ 3: 'cloud: gcp', 4: 'region: europe-west1', 27: '  backend: gcs', 29: ['monitoring:', '  domain: celery.acme.example.com', '  sso: {}'].join('\n') });
    expect(problemLines(gcp)).toEqual([
      'FILE:1: error: project: is required on GCP. Fix: add project: <your-gcp-project-id>.',
      'FILE:31: error: monitoring.sso.allowedMembers: is required on GCP with monitoring: Identity-Aware Proxy admits only the members listed here. Fix: add monitoring.sso.allowedMembers, e.g. ["group:ops@example.com"].',
    ]);
  });

  it('words every absent key the same way: each problem a deleted required key causes says "is required"', () => {
    // Required keys of BASE_FILE (and of its monitoring section), each deleted on its own.
    const deletions: Array<Record<number, string>> = [
      { 1: '' }, { 2: '' }, { 3: '' }, { 4: '' }, { 5: '', 6: '', 7: '' }, { 6: '' }, { 7: '' }, { 8: '', 9: '' }, { 9: '', 8: 'broker: {}' },
      { 13: '', 14: '', 15: '', 16: '', 17: '', 18: '', 19: '', 20: '', 21: '' }, { 15: '' }, { 24: '' }, { 25: '' }, { 27: '' }, { 29: '' },
    ];
    for (const edits of deletions) {
      const lines = problemLines(editBase(edits));
      expect(lines.length, JSON.stringify(edits)).toBeGreaterThan(0);
      for (const line of lines) expect(line, JSON.stringify(edits)).toMatch(/^FILE:\d+: error: [\w.[\]]+: is required[ .:]/);
    }
    // The monitoring section without its certificate, without its domain, and without sso.
    for (const dropped of [[2], [1], [3, 4, 5, 6, 7, 8, 9]]) {
      const monitoring = AWS_MONITORING_LINES.filter((_, i) => !dropped.includes(i));
      const lines = problemLines(editBase({ 29: ['accountId: "123456789012"', ...monitoring].join('\n') }));
      expect(lines.length, `monitoring lines ${dropped.join(', ')}`).toBeGreaterThan(0);
      for (const line of lines) expect(line, `monitoring lines ${dropped.join(', ')}`).toMatch(/^FILE:\d+: error: [\w.[\]]+: is required[ .:]/);
    }
  });

  const localState = { 26: 'state:\n  backend: local', 27: '', 28: '' };

  it('warns a stack named like staging about local state without calling it production outright, and offers nonProduction', () => {
    expect(problemLines(editBase({ ...localState, 2: 'environment: staging' }))).toEqual([
      'FILE:26: warning: state: this stack counts as production (nonProduction is not set) and keeps its Terraform state in a local file, which CI runners lose and teammates cannot lock. Fix: set state: {backend: s3, bucket: <state bucket>}, or set nonProduction: true if "staging" is not production.',
    ]);
  });

  it('warns a production stack about local state with the shared backend only', () => {
    expect(problemLines(editBase(localState))).toEqual([
      'FILE:26: warning: state: this stack counts as production (nonProduction is not set) and keeps its Terraform state in a local file, which CI runners lose and teammates cannot lock. Fix: set state: {backend: s3, bucket: <state bucket>}.',
    ]);
  });
});
