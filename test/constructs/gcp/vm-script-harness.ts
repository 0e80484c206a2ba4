/**
 * Runs a generated VM startup script for real, in bash as an unprivileged user whose HOME is not
 * writable (as on Container-Optimized OS), with stand-ins for the VM's commands on PATH (curl,
 * docker-credential-gcr, docker, sleep). The script's fixed paths are moved under a temporary
 * folder; nothing else is changed.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VM_SCRIPT_HOME } from '../../../constructs/gcp/container-vm-scripts';
import { runQuick } from '../../helpers/run';

const NOBODY = '65534';

export interface VmScriptRun {
  readonly status: number | null;
  readonly stderr: string;
  /** One line per docker call: HOME, whether the registry config exists, the arguments. */
  readonly dockerLog: string;
  /** The seconds each `sleep` was asked for, in order. */
  readonly sleeps: number[];
  readonly writableHome: string;
}

export interface VmScriptStandIns {
  /**
   * How many Secret Manager reads fail (HTTP error) before they answer.
   * @default 0
   */
  readonly failingSecretReads?: number;
  /**
   * After this many waits the stand-in `sleep` ends the shell that called it, for scripts meant
   * to wait forever.
   * @default no limit
   */
  readonly maxSleeps?: number;
}

/** A scratch folder for script runs; call `remove` after the tests. */
export function vmScriptSandbox(): { run: (script: string, standIns?: VmScriptStandIns) => VmScriptRun; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'celerykit-vm-script-'));
  chmodSync(root, 0o755); // nobody must reach the run folders inside
  return { run: (script, standIns = {}) => runVmScript(root, script, standIns), remove: () => rmSync(root, { recursive: true, force: true }) };
}

function stub(bin: string, name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

function writable(path: string, content = ''): void {
  writeFileSync(path, content);
  chmodSync(path, 0o666);
}

function runVmScript(root: string, script: string, standIns: VmScriptStandIns): VmScriptRun {
  const dir = mkdtempSync(join(root, 'run-'));
  chmodSync(dir, 0o777);
  const bin = join(dir, 'bin');
  const readOnlyHome = join(dir, 'root-home');
  const run = join(dir, 'run');
  const dockerLog = join(dir, 'docker.log');
  const sleepLog = join(dir, 'sleep.log');
  const secretReads = join(dir, 'secret-reads');
  const writableHome = join(dir, 'var', 'home');
  mkdirSync(bin);
  mkdirSync(readOnlyHome, { mode: 0o555 });
  mkdirSync(run, { mode: 0o777 });
  mkdirSync(join(dir, 'var'), { mode: 0o777 });
  chmodSync(readOnlyHome, 0o555);
  chmodSync(run, 0o777);
  chmodSync(join(dir, 'var'), 0o777);
  writable(dockerLog);
  writable(sleepLog);
  writable(secretReads, '0');
  const failing = standIns.failingSecretReads ?? 0;
  stub(
    bin,
    'curl',
    [
      'case "$*" in',
      `  *metadata.google.internal*) echo '{"access_token": "t"}';;`,
      // curl -f exits 22 on an HTTP error, as Secret Manager answers before the grant arrives.
      `  *) n=$(( $(cat ${secretReads}) + 1 )); echo $n > ${secretReads}; [ $n -gt ${failing} ] || exit 22; echo "{\\"data\\": \\"$(printf s3cret | base64)\\"}";;`,
      'esac',
    ].join('\n'),
  );
  // Like the real helper: writes the credential helper into $HOME/.docker/config.json.
  stub(bin, 'docker-credential-gcr', 'mkdir -p "$HOME/.docker" && echo \'{"credHelpers":{}}\' > "$HOME/.docker/config.json"');
  stub(bin, 'docker', `echo "HOME=$HOME config=$([ -f "$HOME/.docker/config.json" ] && echo yes || echo no) $*" >> ${dockerLog}`);
  // Records the wait instead of waiting.
  const limit = standIns.maxSleeps === undefined ? '' : `[ "$(wc -l < ${sleepLog})" -lt ${standIns.maxSleeps} ] || { kill -TERM "$PPID"; exit 1; }`;
  stub(bin, 'sleep', `echo "$1" >> ${sleepLog}
${limit}`);
  const moved = script.split('/run/celerykit').join(`${run}/celerykit`).split(VM_SCRIPT_HOME).join(writableHome);
  const r = runQuick('setpriv', ['--reuid', NOBODY, '--regid', NOBODY, '--clear-groups', 'bash', '-s'], { input: moved, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: readOnlyHome } });
  const sleeps = readFileSync(sleepLog, 'utf8').split('\n').filter(Boolean).map(Number);
  return { status: r.status, stderr: r.stderr, dockerLog: readFileSync(dockerLog, 'utf8'), sleeps, writableHome };
}
