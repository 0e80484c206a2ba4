/**
 * Runs the real terraform CLI on synthesized stacks, offline: providers come from a local mirror,
 * the backend is swapped for local state, and the AWS provider gets fake credentials with every
 * account/credential lookup skipped. A proxy on a closed port makes any network call fail loudly.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/parameter-files';
import { runAsync, runQuick, type RunResult } from '../helpers/run';

export const AWS_PROVIDER_VERSION = '5.100.0';

export interface TerraformSetup {
  /** Environment for every terraform command. */
  readonly env: NodeJS.ProcessEnv;
  /** Where the providers come from, for messages. */
  readonly providerSource: string;
}

/**
 * Finds terraform and the provider mirror. Returns a reason instead when either is missing; in CI
 * (CI=true) the caller must fail on that reason rather than skip.
 */
export function findTerraform(): TerraformSetup | { missing: string } {
  const version = runQuick('terraform', ['version', '-json'], { env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
  if (version.status !== 0) return { missing: 'the terraform CLI is not on PATH' };

  const work = tempDir('celerykit-tf-');
  const cache = join(work, 'plugin-cache');
  mkdirSync(cache);
  const mirror = process.env.CELERYKIT_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
  const hasMirror = existsSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION));
  if (!hasMirror && process.env.CELERYKIT_TF_ONLINE !== '1') {
    return {
      missing: `no hashicorp/aws ${AWS_PROVIDER_VERSION} in the provider mirror ${mirror} (set CELERYKIT_TF_PLUGIN_MIRROR to a filesystem mirror, or CELERYKIT_TF_ONLINE=1 to download providers)`,
    };
  }
  const cliConfig = join(work, 'terraform.rc');
  writeFileSync(
    cliConfig,
    [
      hasMirror
        ? `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}`
        : '',
      // One cache for every stack: init links the 700 MB provider instead of copying it.
      `plugin_cache_dir = ${JSON.stringify(cache)}`,
    ].join('\n'),
  );
  const offline = hasMirror ? { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' } : {};
  return {
    providerSource: hasMirror ? `filesystem mirror ${mirror}` : 'the public registry',
    env: {
      ...process.env,
      ...offline,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPLANONLY00',
      AWS_SECRET_ACCESS_KEY: 'offline-plan-only',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  };
}

/**
 * Copies a synthesized stack into a work folder with an override file that swaps the backend for
 * local state and skips the AWS account lookups; returns the folder.
 */
export function prepareOfflineWorkdir(stackDir: string): string {
  const work = tempDir('celerykit-plan-');
  copyFileSync(join(stackDir, 'cdk.tf.json'), join(work, 'cdk.tf.json'));
  const override = {
    terraform: { backend: { local: { path: join(work, 'offline.tfstate') } } },
    provider: {
      aws: {
        // The fake credentials belong to no account; the account guard is tested on the JSON.
        allowed_account_ids: null,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: 'true',
        skip_region_validation: false,
      },
    },
  };
  writeFileSync(join(work, 'offline_override.tf.json'), JSON.stringify(override, null, 2));
  // Deploy-time inputs (webhook URLs, client secrets) get stand-in values, as CI would pass real ones.
  const config = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { variable?: Record<string, unknown> };
  const values = Object.fromEntries(Object.keys(config.variable ?? {}).map((name) => [name, `https://offline.invalid/${name}`]));
  writeFileSync(join(work, 'offline.auto.tfvars.json'), JSON.stringify(values, null, 2));
  return work;
}

/** Runs terraform without blocking the test worker (see test/helpers/run.ts for why). */
export function terraform(setup: TerraformSetup, cwd: string, args: string[]): Promise<RunResult> {
  return runAsync('terraform', [...args, '-no-color'], { cwd, env: setup.env, timeoutMs: 300_000 });
}
