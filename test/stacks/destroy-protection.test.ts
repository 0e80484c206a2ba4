/**
 * Stateful resources are protected from destroy, and only `allowDestroy` in the parameter file
 * lifts it, for that stack, visibly. The change guard knows every resource the kit protects.
 */
import { App } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStackPolicies } from '../../constructs/policies/policy-aspect';
import { statefulReason } from '../../pipeline/stateful-resources';
import { CeleryStack } from '../../stacks/celery-stack';
import { problemLines, writeParameterFiles } from '../helpers/parameter-files';
import { synthesizeDir, type SynthesizedStack } from '../helpers/synth';

const repo = resolve(__dirname, '../..');
const ALLOW = '\nallowDestroy:\n  reason: "OPS-77: customer offboarded, data exported and signed off"\n';
const withAllowDestroy = (example: string) => `${readFileSync(join(repo, 'customers', example), 'utf8')}${ALLOW}`;

/** [type, name, resource] for every resource of a stack. */
function resources(stack: SynthesizedStack): Array<[string, string, Record<string, unknown> & { lifecycle?: Record<string, unknown> }]> {
  return Object.entries(stack.json.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => [type, name, body] as [string, string, Record<string, unknown>]));
}

const examples = synthesizeDir();
const released = synthesizeDir(writeParameterFiles({ 'acme-prod.yaml': withAllowDestroy('acme-prod.yaml'), 'initech-prod.yaml': withAllowDestroy('initech-prod.yaml'), 'umbrella-staging.yaml': withAllowDestroy('umbrella-staging.yaml') }));

describe('destroy protection', () => {
  it('is on for the broker, its disks and addresses, and every secret in each example', () => {
    const protectedTypes = new Set(examples.flatMap((s) => resources(s).filter(([, , r]) => r.lifecycle?.prevent_destroy === true).map(([type]) => type)));
    expect([...protectedTypes].sort()).toEqual([
      'aws_elasticache_replication_group',
      'aws_mq_broker',
      'aws_secretsmanager_secret',
      'google_compute_address',
      'google_compute_region_instance_group_manager',
      'google_compute_region_per_instance_config',
      'google_memorystore_instance',
      'google_secret_manager_secret',
    ]);
  });

  it('covers every protected resource in the change guard, so deleting one by dropping it from the file is caught', () => {
    for (const stack of examples) {
      for (const [type, name, body] of resources(stack)) {
        if (body.lifecycle?.prevent_destroy === true) expect(statefulReason(type, name), `${stack.spec.stackId} ${type}.${name}`).toBeDefined();
      }
    }
  });

  it('does not treat worker groups as stateful', () => {
    const workerGroups = resources(examples.find((s) => s.spec.stackId === 'umbrella-staging')!).filter(
      ([type, name]) => type === 'google_compute_region_instance_group_manager' && !name.startsWith('gcp_rabbitmq_'),
    );
    expect(workerGroups.length).toBeGreaterThan(0);
    for (const [type, name] of workerGroups) expect(statefulReason(type, name)).toBeUndefined();
  });

  it('is lifted by allowDestroy on every resource that had it, with the cloud deletion protection', () => {
    for (const stack of released) {
      const wasProtected = resources(examples.find((s) => s.spec.stackId === stack.spec.stackId)!)
        .filter(([, , r]) => r.lifecycle?.prevent_destroy === true)
        .map(([type, name]) => `${type}.${name}`);
      expect(wasProtected.length).toBeGreaterThan(0);
      for (const [type, name, body] of resources(stack)) {
        if (wasProtected.includes(`${type}.${name}`)) expect(body.lifecycle?.prevent_destroy, `${type}.${name}`).toBe(false);
        expect(body.lifecycle?.prevent_destroy, `${type}.${name}`).not.toBe(true);
        if (type === 'google_memorystore_instance') expect(body.deletion_protection_enabled).toBe(false);
        if (type === 'google_secret_manager_secret') expect(body.deletion_protection).toBe(false);
      }
    }
  });

  it('is reported as a suppression of the state rule with the written reason, not as a violation', () => {
    const app = new App({ outdir: '/tmp/celerykit-unused', stackTraces: false, skipValidation: true });
    for (const { spec } of released) {
      expect(spec.policySuppressions).toEqual([{ rule: 'CK-STATE-PROTECTED', reason: 'allowDestroy: OPS-77: customer offboarded, data exported and signed off' }]);
      const result = checkStackPolicies(new CeleryStack(app, { spec, localStateDir: '/tmp' }), spec.stackId, spec.policySuppressions);
      expect(result.violations).toEqual([]);
      expect(result.usedSuppressions.get('CK-STATE-PROTECTED')).toBeGreaterThan(0);
    }
  });

  it('needs a written reason, not blanks', () => {
    expect(problemLines(`${readFileSync(join(repo, 'customers', 'acme-prod.yaml'), 'utf8')}\nallowDestroy:\n  reason: "${' '.repeat(24)}"\n`)).toHaveLength(1);
    const acme = readFileSync(join(repo, 'customers', 'acme-prod.yaml'), 'utf8');
    // The reason sits two lines below the file's last line (a blank line, then allowDestroy:).
    const reasonLine = acme.split('\n').length + 2;
    expect(problemLines(`${acme}\nallowDestroy:\n  reason: yes\n`)).toEqual([
      expect.stringMatching(new RegExp(`^FILE:${reasonLine}: error: allowDestroy\.reason: allowing destroy needs a written reason of at least 20 characters\\. Fix: say why`)),
    ]);
  });
});
