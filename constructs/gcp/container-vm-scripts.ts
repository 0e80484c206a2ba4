/**
 * Startup and shutdown scripts for a Container-Optimized OS VM that runs one container.
 *
 * Secrets are read from Secret Manager at boot with the VM's own service account and written to
 * a root-only tmpfs file, so they never appear in instance metadata (which every process on the
 * VM and every project viewer can read). Plain variables may sit in the script.
 */

export interface ContainerVmProps {
  readonly project: string;
  /** Container name on the VM. */
  readonly name: string;
  readonly image: string;
  /** Full command (entrypoint arguments), e.g. the celery worker command. */
  readonly command: readonly string[];
  /** Plain environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment variable -> Secret Manager secret id (same project). */
  readonly secretEnv: Readonly<Record<string, string>>;
  /** Path inside the container -> secret id whose value is written to that file. */
  readonly secretFiles?: Readonly<Record<string, string>>;
  /** Seconds `docker stop` waits after SIGTERM before SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /** Extra `docker run` options, e.g. `--network=host`. */
  readonly runOptions?: readonly string[];
  /** Environment variables computed on the VM at boot: name -> shell expression (e.g. the VM's IP). */
  readonly bootEnv?: Readonly<Record<string, string>>;
  /** Shell lines run after secrets are read and before the containers start (`secret <id>` is available). */
  readonly preRun?: readonly string[];
  /** Shell lines run after the containers start. */
  readonly postRun?: readonly string[];
  /** Non-secret files written on the VM before the containers start: host path -> content. */
  readonly configFiles?: Readonly<Record<string, string>>;
  /** Further containers without the environment file (e.g. a metrics collector). */
  readonly sidecars?: ReadonlyArray<{ readonly name: string; readonly image: string; readonly args: readonly string[]; readonly runOptions?: readonly string[] }>;
}

/**
 * HOME for the startup script. Container-Optimized OS mounts `/` (and so `/root`) read-only;
 * `/var` is writable and stateful
 * (https://cloud.google.com/container-optimized-os/docs/concepts/disks-and-filesystem).
 * `docker-credential-gcr configure-docker` writes `$HOME/.docker/config.json`, and `docker run`
 * reads it from there, so both must see this HOME.
 */
export const VM_SCRIPT_HOME = '/var/lib/celerykit/home';

/** Single-quotes a word for bash. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Terraform reads `${` and `%{` in any string as a template; a script must not contain them
 * (shell variables are written `$NAME`).
 */
function assertNoTemplateSyntax(script: string): string {
  // cdktf tokens (references resolved by Terraform) are the one allowed use.
  if (/[$%]\{/.test(script.replace(/\$\{TfToken\[[^\]]+\]\}/g, ''))) throw new Error('a VM script must not contain "${" or "%{" (Terraform would read it as a template)');
  return script;
}

export function containerStartupScript(props: ContainerVmProps): string {
  const registry = /^([a-z0-9-]+-docker\.pkg\.dev)\//.exec(props.image)?.[1];
  const mounts = Object.keys(props.secretFiles ?? {}).map((path, i) => `-v /run/celerykit/file-${i}:${path}:ro`);
  return assertNoTemplateSyntax(
    [
      '#!/bin/bash',
      `# celerykit: runs ${props.name} (${props.image}); secrets come from Secret Manager at boot.`,
      'set -euo pipefail',
      // A writable HOME (see VM_SCRIPT_HOME); with set -e a read-only one ends the script before docker run.
      `export HOME=${VM_SCRIPT_HOME}`,
      'mkdir -p "$HOME"',
      // Run a command until it succeeds, backing off from 5 s to 5 min, with no deadline: the
      // script runs only at boot, so giving up would leave an idle VM until someone replaces it.
      // Whatever the VM waits for (a grant still propagating, a broker URL version, the image
      // behind a NAT being created) comes eventually, and the container starts then.
      'retry() {',
      '  delay=5',
      '  until "$@"; do',
      '    echo "celerykit: $* failed; retrying in $delay s" >&2',
      '    sleep "$delay"',
      '    delay=$(( delay * 2 > 300 ? 300 : delay * 2 ))',
      '  done',
      '}',
      // One read of one secret; fails while the token, the grant or the version is missing.
      'read_secret() {',
      "  token=$(curl -sf -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token | sed -n 's/.*\"access_token\": *\"\\([^\"]*\\)\".*/\\1/p') || return 1",
      `  value=$(curl -sf -H "Authorization: Bearer $token" "https://secretmanager.googleapis.com/v1/projects/${props.project}/secrets/$1/versions/latest:access" | sed -n 's/.*"data": *"\\([^"]*\\)".*/\\1/p' | base64 -d) || return 1`,
      '  [ -n "$value" ] || return 1',
      "  printf '%s' \"$value\"",
      '}',
      'secret() { retry read_secret "$1"; }',
      'mkdir -p /run/celerykit && chmod 755 /run/celerykit',
      // Only the environment file holds secrets; docker reads it as root.
      'install -m 600 /dev/null /run/celerykit/env',
      ...Object.entries(props.env).map(([k, v]) => `printf '%s\\n' ${shellQuote(`${k}=${v}`)} >> /run/celerykit/env`),
      ...Object.entries(props.secretEnv).flatMap(([k, id]) => [`value=$(secret ${shellQuote(id)})`, `printf '%s=%s\\n' ${shellQuote(k)} "$value" >> /run/celerykit/env`]),
      ...Object.entries(props.bootEnv ?? {}).flatMap(([k, expression]) => [`value=$(${expression})`, `printf '%s=%s\\n' ${shellQuote(k)} "$value" >> /run/celerykit/env`]),
      // Files from Secret Manager are for public material (a CA certificate): readable by the container user.
      ...Object.values(props.secretFiles ?? {}).flatMap((id, i) => [`value=$(secret ${shellQuote(id)})`, `printf '%s\\n' "$value" > /run/celerykit/file-${i}`, `chmod 644 /run/celerykit/file-${i}`]),
      ...Object.entries(props.configFiles ?? {}).flatMap(([path, content]) => [
        `mkdir -p -m 755 ${shellQuote(path.slice(0, path.lastIndexOf('/')))}`,
        `cat > ${shellQuote(path)} <<'CELERYKIT_EOF'`,
        content.trimEnd(),
        'CELERYKIT_EOF',
        `chmod 644 ${shellQuote(path)}`,
      ]),
      ...(props.preRun ?? []),
      ...(registry === undefined ? [] : [`retry docker-credential-gcr configure-docker --registries=${registry}`]),
      ...[props.image, ...(props.sidecars ?? []).map((s) => s.image)].map((image) => `retry docker pull ${shellQuote(image)}`),
      `docker rm -f ${props.name} >/dev/null 2>&1 || true`,
      [
        'docker run -d',
        `--name ${props.name}`,
        '--restart=unless-stopped',
        `--stop-timeout ${props.stopTimeoutSeconds}`,
        '--env-file /run/celerykit/env',
        ...mounts,
        ...(props.runOptions ?? []),
        shellQuote(props.image),
        ...props.command.map(shellQuote),
      ].join(' '),
      ...(props.sidecars ?? []).flatMap((s) => [
        `docker rm -f ${s.name} >/dev/null 2>&1 || true`,
        ['docker run -d', `--name ${s.name}`, '--restart=unless-stopped', ...(s.runOptions ?? []), shellQuote(s.image), ...s.args.map(shellQuote)].join(' '),
      ]),
      ...(props.postRun ?? []),
      '',
    ].join('\n'),
  );
}

/** `docker stop` sends SIGTERM (a worker's soft shutdown) and SIGKILL after stopTimeoutSeconds. */
export function containerShutdownScript(name: string, stopTimeoutSeconds: number): string {
  return assertNoTemplateSyntax(
    ['#!/bin/bash', `# celerykit: graceful stop of ${name} before the VM goes away.`, `docker stop --time ${stopTimeoutSeconds} ${name} || true`, ''].join('\n'),
  );
}
