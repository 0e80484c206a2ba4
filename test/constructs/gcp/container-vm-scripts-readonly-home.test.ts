/**
 * Container-Optimized OS has a read-only `/root`: the startup script must still reach `docker run`.
 * The real generated script runs in bash as an unprivileged user whose HOME is not writable, with
 * stand-ins for the VM's commands on PATH (curl, docker-credential-gcr, docker). The script's fixed
 * paths are moved under a temporary folder; nothing else is changed.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerStartupScript, VM_SCRIPT_HOME } from '../../../constructs/gcp/container-vm-scripts';
import { runQuick } from '../../helpers/run';

const NOBODY = '65534';
const root = mkdtempSync(join(tmpdir(), 'celerykit-vm-home-'));
chmodSync(root, 0o755); // nobody must reach the run folders inside
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stub(bin: string, name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

/** Runs the script as nobody with HOME set to a folder nobody cannot write; returns the result and the docker log. */
function runWithReadOnlyHome(script: string): { status: number | null; stderr: string; dockerLog: string; writableHome: string } {
  const dir = mkdtempSync(join(root, 'run-'));
  chmodSync(dir, 0o777);
  const bin = join(dir, 'bin');
  const readOnlyHome = join(dir, 'root-home');
  const run = join(dir, 'run');
  const dockerLog = join(dir, 'docker.log');
  const writableHome = join(dir, 'var', 'home');
  mkdirSync(bin);
  mkdirSync(readOnlyHome, { mode: 0o555 });
  mkdirSync(run, { mode: 0o777 });
  mkdirSync(join(dir, 'var'), { mode: 0o777 });
  chmodSync(readOnlyHome, 0o555);
  chmodSync(run, 0o777);
  chmodSync(join(dir, 'var'), 0o777);
  writeFileSync(dockerLog, '');
  chmodSync(dockerLog, 0o666);
  stub(bin, 'curl', `case "$*" in *metadata.google.internal*) echo '{"access_token": "t"}';; *) echo "{\\"data\\": \\"$(printf s3cret | base64)\\"}";; esac`);
  // Like the real helper: writes the credential helper into $HOME/.docker/config.json.
  stub(bin, 'docker-credential-gcr', 'mkdir -p "$HOME/.docker" && echo \'{"credHelpers":{}}\' > "$HOME/.docker/config.json"');
  stub(bin, 'docker', `echo "HOME=$HOME config=$([ -f "$HOME/.docker/config.json" ] && echo yes || echo no) $*" >> ${dockerLog}`);
  const moved = script.split('/run/celerykit').join(`${run}/celerykit`).split(VM_SCRIPT_HOME).join(writableHome);
  const r = runQuick('setpriv', ['--reuid', NOBODY, '--regid', NOBODY, '--clear-groups', 'bash', '-s'], { input: moved, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: readOnlyHome } });
  return { status: r.status, stderr: r.stderr, dockerLog: readFileSync(dockerLog, 'utf8'), writableHome };
}

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
    const r = runWithReadOnlyHome(script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(r.writableHome, '.docker', 'config.json'))).toBe(true);
    expect(r.dockerLog).toMatch(new RegExp(`^HOME=${r.writableHome} config=yes run -d --name worker`, 'm'));
  });

  it('uses a HOME under /var, which Container-Optimized OS keeps writable', () => {
    expect(VM_SCRIPT_HOME.startsWith('/var/')).toBe(true);
  });

  it('fails (the check can fail) when the script keeps the read-only HOME', () => {
    const r = runWithReadOnlyHome(script.replace(/^export HOME=.*\n/m, ''));
    expect(r.status).not.toBe(0);
    expect(r.dockerLog).not.toMatch(/ run -d /);
  });
});
