/**
 * Container-Optimized OS has a read-only `/root`: the startup script must still reach `docker run`.
 * The real generated script runs in bash (test/constructs/gcp/vm-script-harness.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerStartupScript, VM_SCRIPT_HOME } from '../../../constructs/gcp/container-vm-scripts';
import { vmScriptSandbox } from './vm-script-harness';

const sandbox = vmScriptSandbox();
afterAll(() => sandbox.remove());

describe('a VM startup script on a read-only HOME', () => {
  const script = containerStartupScript({
    project: 'p',
    name: 'worker',
    image: 'europe-west1-docker.pkg.dev/p/repo/app:1',
    command: ['celery', 'worker'],
    env: { A: '1' },
    secretEnv: { BROKER_URL: 'broker-url' },
    stopTimeoutSeconds: 10,
  });

  it('configures the registry helper under a writable HOME and starts the container', () => {
    const r = sandbox.run(script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(r.writableHome, '.docker', 'config.json'))).toBe(true);
    expect(r.dockerLog).toMatch(new RegExp(`^HOME=${r.writableHome} config=yes run -d --name worker`, 'm'));
  });

  it('uses a HOME under /var, which Container-Optimized OS keeps writable', () => {
    expect(VM_SCRIPT_HOME.startsWith('/var/')).toBe(true);
  });

  it('never reaches docker run (the check can fail) when the script keeps the read-only HOME', () => {
    // The registry helper is retried without end; the stand-in sleep stops the script after 3 waits.
    const r = sandbox.run(script.replace(/^export HOME=.*\n/m, ''), { maxSleeps: 3 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('celerykit: docker-credential-gcr configure-docker --registries=europe-west1-docker.pkg.dev failed; retrying in 5 s');
    expect(r.dockerLog).not.toMatch(/ run -d /);
  });
});
