/**
 * Ships the ECS scale-in protection hook into a worker task, so a pool with long tasks is
 * protected whatever the app's image contains: a first container writes the hook into a task
 * volume, and the worker starts with that volume on PYTHONPATH and `--include` of the module
 * (Celery 5.6 imports `--include` modules in the worker's main process while it starts, before
 * it consumes: celery/worker/worker.py `setup_includes`).
 */
import { escapeTerraformTemplates } from '../../celery/terraform-text';
import { IMAGES } from '../../celery/images';
import { ECS_PROTECTION_HOOK_MODULE, ECS_PROTECTION_HOOK_SOURCE } from './ecs-protection-hook';

/** Where the hook's volume is mounted in the worker container (read-only). */
export const HOOK_DIR = '/celerykit/python';
export const HOOK_VOLUME = 'celerykit-hooks';
export const HOOK_WRITER = 'celerykit-hooks';

/**
 * Prepends the hook directory to PYTHONPATH, keeping the image's own, then runs the command
 * unchanged: the command's words reach celery as positional arguments and are never re-parsed by
 * the shell. `exec` keeps celery the process the init process signals.
 */
export const HOOK_WRAPPER_SCRIPT = `PYTHONPATH="${HOOK_DIR}\${PYTHONPATH:+:\$PYTHONPATH}" exec "$@"`;

/** The parts of a worker task that ship the hook; `logConfiguration` is the task's own. */
export function shippedProtectionHook(workerCommand: readonly string[], logConfiguration: unknown) {
  return {
    volume: HOOK_VOLUME,
    writer: {
      name: HOOK_WRITER,
      image: IMAGES.busybox,
      essential: false,
      command: ['sh', '-c', `printf "%s" "$HOOK_SOURCE" > ${HOOK_DIR}/${ECS_PROTECTION_HOOK_MODULE}.py && chmod -R a+rX ${HOOK_DIR}`],
      environment: [{ name: 'HOOK_SOURCE', value: escapeTerraformTemplates(ECS_PROTECTION_HOOK_SOURCE) }],
      mountPoints: [{ sourceVolume: HOOK_VOLUME, containerPath: HOOK_DIR }],
      privileged: false,
      logConfiguration,
    },
    worker: {
      // Terraform would read the script's `${` as a template: escaped, ECS receives it as written.
      command: ['sh', '-c', escapeTerraformTemplates(HOOK_WRAPPER_SCRIPT), 'celerykit-worker', ...workerCommand, `--include=${ECS_PROTECTION_HOOK_MODULE}`],
      dependsOn: [{ containerName: HOOK_WRITER, condition: 'SUCCESS' }],
      mountPoints: [{ sourceVolume: HOOK_VOLUME, containerPath: HOOK_DIR, readOnly: true }],
    },
  };
}
