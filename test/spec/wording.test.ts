/**
 * Wording of problems users met in odd files (issue 18): each says what is wrong in the user's terms.
 */
import { describe, expect, it } from 'vitest';
import { editBase, problemLines } from '../helpers/parameter-files';

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
