/**
 * The Terraform backend of one stack, one state key per stack.
 */
import { GcsBackend, LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import { join } from 'node:path';
import type { StateSpec } from '../spec/types';

/**
 * Configures the stack's backend.
 *
 * @param localStateDir folder for local state files; passed in by main.ts so the synthesized JSON
 *   does not depend on where the stack folder sits (state must never live inside cdktf.out, which
 *   users delete freely).
 */
export function configureStateBackend(stack: TerraformStack, state: StateSpec, localStateDir: string): void {
  switch (state.backend) {
    case 'local':
      new LocalBackend(stack, { path: join(localStateDir, state.path) });
      return;
    case 's3': {
      new S3Backend(stack, {
        bucket: state.bucket,
        key: state.key,
        region: state.region,
        encrypt: true,
        ...(state.kmsKeyId === undefined ? {} : { kmsKeyId: state.kmsKeyId }),
      });
      // S3-native locking (Terraform >= 1.10) replaces the DynamoDB lock table; cdktf 0.21's
      // S3Backend has no prop for it yet.
      stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    }
    case 'gcs':
      new GcsBackend(stack, { bucket: state.bucket, prefix: state.prefix });
      return;
  }
}
