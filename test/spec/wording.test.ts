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
