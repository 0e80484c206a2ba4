/**
 * A VM that boots before its secrets can be read (a grant still propagating, a version not yet
 * written) must wait for them, however long, and then start its container, which Docker restarts
 * whenever it dies. The real generated script runs in bash (vm-script-harness.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { containerStartupScript } from '../../../constructs/gcp/container-vm-scripts';
import { vmScriptSandbox } from './vm-script-harness';

const sandbox = vmScriptSandbox();
afterAll(() => sandbox.remove());

const script = containerStartupScript({
  project: 'p',
  name: 'worker',
  image: 'europe-west1-docker.pkg.dev/p/repo/app:1',
  command: ['celery', 'worker'],
  env: {},
  secretEnv: { BROKER_URL: 'broker-url' },
  stopTimeoutSeconds: 10,
});

describe('a VM startup script waiting for its secrets', () => {
  it('keeps retrying with backoff past any deadline, then starts the container', () => {
    // 40 failed reads: more than the 30 attempts (five minutes) after which the old loop gave up.
    const r = sandbox.run(script, { failingSecretReads: 40 });
    expect(r.status).toBe(0);
    expect(r.dockerLog).toMatch(/ run -d --name worker /);
    expect(r.sleeps).toHaveLength(40);
    // Backs off from 5 s, doubling up to 5 minutes, and never stops.
    expect(r.sleeps.slice(0, 8)).toEqual([5, 10, 20, 40, 80, 160, 300, 300]);
    expect(Math.max(...r.sleeps)).toBe(300);
    expect(r.stderr).toContain('celerykit: read_secret broker-url failed; retrying in 5 s');
  });

  it('pulls the image with the same retry before docker run, so a slow NAT or registry does not end the boot', () => {
    const r = sandbox.run(script);
    const calls = r.dockerLog.split('\n').map((l) => l.replace(/^HOME=\S+ config=\S+ /, ''));
    expect(calls.indexOf('pull europe-west1-docker.pkg.dev/p/repo/app:1')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('pull europe-west1-docker.pkg.dev/p/repo/app:1')).toBeLessThan(calls.findIndex((c) => c.startsWith('run -d --name worker')));
  });

  it('has Docker restart the container whenever it dies, with its own growing delay', () => {
    // Docker doubles the delay between restarts from 100 ms
    // (https://docs.docker.com/reference/api/engine/version/v1.57/schemas/RestartPolicy/).
    const r = sandbox.run(script);
    expect(r.dockerLog).toMatch(/ run -d --name worker --restart=unless-stopped /);
  });
});
