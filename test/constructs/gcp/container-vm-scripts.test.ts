/**
 * The generated VM scripts are valid bash (checked by bash itself) and never contain Terraform
 * template syntax of their own.
 */
import { describe, expect, it } from 'vitest';
import { containerShutdownScript, containerStartupScript, shellQuote } from '../../../constructs/gcp/container-vm-scripts';
import { synthesizeDir } from '../../helpers/synth';
import { runQuick } from '../../helpers/run';

const templates = synthesizeDir()
  .filter((s) => s.spec.cloud === 'gcp')
  .flatMap((s) => Object.values(s.json.resource?.google_compute_instance_template ?? {}) as Array<{ name_prefix: string; metadata: Record<string, string> }>);

function bashSyntax(script: string): { status: number | null; stderr: string } {
  // Terraform references are resolved before the VM sees the script; stand in a plain word.
  const resolved = script.replace(/\$\{[^}]*\}/g, 'RESOLVED');
  const r = runQuick('bash', ['-n'], { input: resolved });
  return { status: r.status, stderr: r.stderr };
}

describe('a generated VM script', () => {
  it.each(templates.map((t) => [t.name_prefix, t] as const))('of %s passes bash -n (startup and shutdown)', (_name, template) => {
    for (const key of ['startup-script', 'shutdown-script']) {
      const check = bashSyntax(template.metadata[key]!);
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
  });

  it('catches a broken script (the check can fail)', () => {
    expect(bashSyntax('if then fi').status).not.toBe(0);
  });

  it('quotes every word so arguments survive the shell unchanged', () => {
    const words = ["it's", '-n', 'fast@%h', 'a b', '$HOME'];
    const r = runQuick('bash', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`]);
    expect(r.stdout.trimEnd().split('\n')).toEqual(words);
  });

  it('refuses Terraform template syntax of its own', () => {
    const base = { project: 'p', name: 'c', image: 'i:1', command: [], env: {}, secretEnv: {}, stopTimeoutSeconds: 10 };
    expect(() => containerStartupScript({ ...base, env: { A: '${oops}' } })).toThrow(/Terraform would read it as a template/);
    expect(() => containerShutdownScript('%{x}', 5)).toThrow(/Terraform would read it as a template/);
  });
});
