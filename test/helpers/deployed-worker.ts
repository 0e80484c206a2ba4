/**
 * A worker pool as the synthesized stack deploys it: the command line, the plain environment and
 * the seconds between the platform's SIGTERM and its SIGKILL, read back from the ECS task
 * definition (AWS) or the VM startup and shutdown scripts (GCP), not rebuilt from the spec.
 */
import { containersOf, resourcesOf, type SynthesizedStack } from './synth';

export interface DeployedWorker {
  readonly command: string[];
  readonly env: Record<string, string>;
  /** Seconds from SIGTERM to SIGKILL: the ECS stopTimeout, or `docker stop --time` of the shutdown script. */
  readonly stopWindowSeconds: number;
}

/** The single-quoted words of a shell line, unquoted (the scripts quote every word, constructs/gcp/container-vm-scripts.ts shellQuote). */
function quotedWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => m[1]!.replace(/'\\''/g, "'"));
}

export function deployedWorker(stack: SynthesizedStack, poolName: string): DeployedWorker {
  const id = stack.spec.stackId;
  if (stack.spec.cloud === 'aws') {
    const task = Object.values(resourcesOf(stack.json, 'aws_ecs_task_definition')).find((t) => t.family === `${id}-${poolName}`);
    if (task === undefined) throw new Error(`${id}: no task definition for pool ${poolName}`);
    const worker = containersOf(task).find((c) => c.name === 'worker')!;
    const env = Object.fromEntries((worker.environment as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    return { command: worker.command as string[], env, stopWindowSeconds: worker.stopTimeout as number };
  }
  const template = Object.values(resourcesOf(stack.json, 'google_compute_instance_template')).find((t) => t.name_prefix === `${id}-${poolName}-`);
  if (template === undefined) throw new Error(`${id}: no instance template for pool ${poolName}`);
  const metadata = template.metadata as Record<string, string>;
  const lines = String(metadata['startup-script']).split('\n');
  const env = Object.fromEntries(
    lines
      .filter((l) => l.startsWith("printf '%s\\n' ") && l.endsWith('>> /run/celerykit/env'))
      .map((l) => quotedWords(l)[1]!)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const run = lines.find((l) => l.startsWith('docker run -d --name worker '));
  if (run === undefined) throw new Error(`${id}: pool ${poolName} has no worker docker run line`);
  // The first quoted word is the image, the rest the command.
  const command = quotedWords(run).slice(1);
  const stop = /docker stop --time (\d+) worker/.exec(String(metadata['shutdown-script']));
  if (stop === null) throw new Error(`${id}: pool ${poolName} has no docker stop in its shutdown script`);
  return { command, env, stopWindowSeconds: Number(stop[1]) };
}
