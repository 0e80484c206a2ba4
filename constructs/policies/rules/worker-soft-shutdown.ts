import { SHUTDOWN_MARGIN_SECONDS, SOFT_SHUTDOWN_SECONDS_ENV } from '../../celery/worker-command';
import { block, type PolicyRule } from '../policy-rule';

/** ECS's stopTimeout when a container definition sets none; Docker's `docker stop` default. */
const ECS_DEFAULT_STOP_TIMEOUT = 30;
const DOCKER_DEFAULT_STOP_TIMEOUT = 10;

/** What is wrong with a worker's shutdown, given its environment and seconds from SIGTERM to SIGKILL. */
function shutdownProblem(env: Record<string, string>, stopWindowSeconds: number): string | undefined {
  if (env.REMAP_SIGTERM !== 'SIGQUIT') return 'SIGTERM is a warm shutdown (REMAP_SIGTERM is not SIGQUIT): a task longer than the stop window is killed and, on Redis, waits the whole visibility timeout';
  const soft = Number(env[SOFT_SHUTDOWN_SECONDS_ENV]);
  if (!(soft > 0)) return `${SOFT_SHUTDOWN_SECONDS_ENV} is not a positive number of seconds`;
  if (soft + SHUTDOWN_MARGIN_SECONDS > stopWindowSeconds) return `the soft shutdown (${soft} s) does not end ${SHUTDOWN_MARGIN_SECONDS} s before SIGKILL (${stopWindowSeconds} s after SIGTERM)`;
  return undefined;
}

const isWorkerCommand = (command: readonly string[]) => command[0] === 'celery' && command.includes('worker');

export const workerSoftShutdown: PolicyRule = {
  id: 'CK-WORKER-SOFT-SHUTDOWN',
  title: "Celery workers start a soft shutdown on SIGTERM that ends before SIGKILL",
  rationale: 'a warm shutdown waits for long tasks until the platform kills them; their messages then wait for redelivery',
  fix: 'set the worker environment from workerShutdownEnvironment(<stop window>) (constructs/celery/worker-command.ts)',
  resourceTypes: ['aws_ecs_task_definition', 'google_compute_instance_template'],
  check: ({ type, config }) => {
    if (type === 'aws_ecs_task_definition') {
      const containers = JSON.parse(String(config.container_definitions)) as Array<{ name: string; command?: string[]; environment?: Array<{ name: string; value: string }>; stopTimeout?: number }>;
      for (const c of containers.filter((x) => isWorkerCommand(x.command ?? []))) {
        const env = Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
        const problem = shutdownProblem(env, c.stopTimeout ?? ECS_DEFAULT_STOP_TIMEOUT);
        if (problem !== undefined) return `container ${c.name}: ${problem}`;
      }
      return undefined;
    }
    const metadata = (block(config, 'metadata') ?? {}) as Record<string, string>;
    const startup = String(metadata['startup-script'] ?? '');
    // The startup script quotes every word of the worker command (container-vm-scripts.ts).
    if (!/'celery' '-A' '[^']*' 'worker'/.test(startup)) return undefined;
    const env = Object.fromEntries([...startup.matchAll(/^printf '%s\\n' '([A-Za-z_][A-Za-z0-9_]*)=([^']*)' >> /gm)].map((m) => [m[1]!, m[2]!]));
    const stop = /docker stop --time (\d+)/.exec(String(metadata['shutdown-script'] ?? ''));
    return shutdownProblem(env, stop === null ? DOCKER_DEFAULT_STOP_TIMEOUT : Number(stop[1]));
  },
};
