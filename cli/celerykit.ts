/**
 * The celerykit command line: check parameter files, list and select stacks, and guard and
 * summarize terraform plans in pipelines. Synthesis itself is `npm run synth`.
 *
 *   celerykit validate <file...>          check files; one line per problem; exit 1 on any error
 *   celerykit list [folder]               the stacks of a folder of files (default: customers/)
 *   celerykit changed --base <ref>        the stacks a change touches (JSON for pipeline matrices)
 *   celerykit guard <plan.json>           exit 1 when a plan deletes or replaces stateful resources
 *   celerykit summary <plan.json>         the plan as Markdown, for a pull request
 *   celerykit <command> --help
 */
import { guardPlan } from '../pipeline/change-guard';
import { changedFilesSince, selectChangedStacks } from '../pipeline/changed-stacks';
import { planSummaryMarkdown } from '../pipeline/plan-summary';
import { PlanFileError, readTerraformPlan } from '../pipeline/terraform-plan';
import { listParameterFiles, loadDeployments } from '../spec/load';
import { formatProblem, SpecValidationError } from '../spec/problems';
import type { DeploymentSpec } from '../spec/types';
import { unexpectedErrorReport } from '../spec/unexpected-error';

type Print = (line: string) => void;

interface Command {
  readonly usage: string;
  readonly help: string;
  readonly run: (args: Args, out: Print, err: Print) => number;
}

/** Positional arguments and `--name value` / `--flag` options. */
interface Args {
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

const DEFAULT_FOLDER = process.env.CUSTOMERS_DIR ?? 'customers';
/** Progress lines on stderr once a run is long enough to wonder about. */
const PROGRESS_EVERY = 50;

const COMMANDS: Record<string, Command> = {
  validate: {
    usage: 'validate <file...>',
    help: [
      'Checks each file as `npm run synth` would, without building anything: one line per problem',
      '(file:line: error|warning: key.path: problem. Fix: ...). Exits 1 when any file has an error.',
    ].join('\n'),
    run: ({ positional }, out, err) => {
      if (positional.length === 0) return usageError('validate', err);
      const specs = loadOrReport(positional, err);
      if (specs === undefined) return 1;
      out(`${positional.length} file${positional.length === 1 ? '' : 's'} valid (${specs.map((s) => s.stackId).join(', ')})`);
      return 0;
    },
  },
  list: {
    usage: 'list [folder]',
    help: 'Prints one line per stack: id, cloud, region, broker, pools and schedules.',
    run: ({ positional }, out, err) => {
      const files = filesOf(positional[0] ?? DEFAULT_FOLDER, 'list', err);
      const specs = files === undefined ? undefined : loadOrReport(files, err);
      if (specs === undefined) return 1;
      for (const s of specs) {
        out([s.stackId.padEnd(24), s.cloud.padEnd(4), s.region.padEnd(16), s.broker.kind.padEnd(9), `${s.pools.length} pools`.padEnd(9), `${s.schedules.length} schedules`].join(' '));
      }
      return 0;
    },
  },
  changed: {
    usage: 'changed --base <git-ref> [--json] [folder]',
    help: [
      'Lists the stacks a change touches: those whose parameter file changed since the merge base with',
      '<git-ref>, or every stack when anything else that shapes stacks changed (the kit itself; docs,',
      'Markdown and CI templates do not count). --json prints',
      '[{"stack","file","cloud","environment","production"}] for pipeline matrices; [] when nothing.',
      'A removed parameter file is reported on stderr: no pipeline destroys its stack.',
    ].join('\n'),
    run: ({ positional, options }, out, err) => {
      const base = options.get('base');
      if (typeof base !== 'string') {
        err('celerykit changed: no --base given. Fix: celerykit changed --base origin/main (the branch a pull request merges into, or the commit before a push).');
        return 1;
      }
      const folder = positional[0] ?? DEFAULT_FOLDER;
      let diff: ReturnType<typeof changedFilesSince>;
      try {
        diff = changedFilesSince(base);
      } catch (e) {
        const detail = (e as { stderr?: string }).stderr?.trim().split('\n')[0] ?? String(e);
        err(`celerykit changed: git cannot compare ${base} with HEAD (${detail}). Fix: fetch the full history (fetch-depth: 0 / GIT_DEPTH: 0) and pass a ref that exists.`);
        return 1;
      }
      const files = filesOf(folder, 'changed', err);
      const specs = files === undefined ? undefined : loadOrReport(files, err);
      if (specs === undefined) return 1;
      const changes = selectChangedStacks(specs, diff, folder, diff.root);
      for (const f of changes.removedFiles) {
        err(`celerykit changed: ${f} was removed; its stack is not destroyed by the pipeline. Run terraform destroy for it by hand, after setting allowDestroy, if that is intended.`);
      }
      if (options.has('json')) {
        out(JSON.stringify(changes.stacks));
      } else {
        err(`celerykit changed: ${changes.stacks.length} stack${changes.stacks.length === 1 ? '' : 's'} (${changes.because}) since ${base}`);
        for (const s of changes.stacks) out(s.stack);
      }
      return 0;
    },
  },
  guard: {
    usage: 'guard <plan.json> [--parameters <folder>] [--stack <id>]',
    help: [
      'Reads `terraform show -json <plan>` output and exits 1, listing each one, when the plan deletes or',
      'replaces a stateful resource (broker, node disks, secrets, generated credentials, keys, buckets),',
      'unless the stack\'s parameter file sets allowDestroy with a reason. The stack is the plan\'s',
      'stack_id output (or --stack); its file is found in --parameters (default: customers).',
      'Run it between `terraform plan -out` and `terraform apply` of that saved plan.',
    ].join('\n'),
    run: ({ positional, options }, out, err) => {
      if (positional.length !== 1) return usageError('guard', err);
      const plan = readPlanOrReport(positional[0]!, err);
      if (plan === undefined) return 1;
      const stackOption = options.get('stack');
      if (typeof stackOption === 'string' && plan.stackId !== undefined && stackOption !== plan.stackId) {
        // Another stack's allowDestroy must never let this plan through.
        err(`celerykit guard: ${plan.file} is a plan of stack ${plan.stackId}, not ${stackOption}. Fix: drop --stack, or guard the plan of ${stackOption}.`);
        return 1;
      }
      const stackId = typeof stackOption === 'string' ? stackOption : plan.stackId;
      if (stackId === undefined) {
        err(`celerykit guard: ${plan.file} has no stack_id output. Fix: pass --stack <stack-id>.`);
        return 1;
      }
      const folderOption = options.get('parameters');
      const folder = typeof folderOption === 'string' ? folderOption : DEFAULT_FOLDER;
      const files = filesOf(folder, 'guard', err);
      const specs = files === undefined ? undefined : loadOrReport(files, err);
      if (specs === undefined) return 1;
      const spec = specs.find((s) => s.stackId === stackId);
      if (spec === undefined) {
        err(`celerykit guard: no parameter file in ${folder} makes stack ${stackId}. Fix: pass --parameters <folder> holding its file; a stack without a file is not applied by the pipeline.`);
        return 1;
      }
      const verdict = guardPlan(plan, spec);
      for (const line of verdict.lines) (verdict.passed ? out : err)(line);
      return verdict.passed ? 0 : 1;
    },
  },
  summary: {
    usage: 'summary <plan.json>',
    help: 'Prints the plan as Markdown (counts, every change, stateful ones marked) for a job summary or a review comment.',
    run: ({ positional }, out, err) => {
      if (positional.length !== 1) return usageError('summary', err);
      const plan = readPlanOrReport(positional[0]!, err);
      if (plan === undefined) return 1;
      out(planSummaryMarkdown(plan));
      return 0;
    },
  },
};

const OVERVIEW = [
  'celerykit — production Celery platforms from one parameter file per deployment',
  '',
  'Usage: celerykit <command> [options]',
  '',
  'Commands:',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  '',
  'Synthesize with `npm run synth`; pipelines plan and apply each stack with terraform (docs/ci.md).',
  'Run celerykit <command> --help for one command.',
].join('\n');

export function run(argv: readonly string[], out: Print, err: Print): number {
  const [name = '', ...rest] = argv;
  if (name === '' || name === '--help' || name === '-h' || name === 'help') {
    out(OVERVIEW);
    return name === '' ? 1 : 0;
  }
  // Own keys only: `celerykit constructor` must not find Object.prototype (issue 18).
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    err(`celerykit: unknown command "${name}". Fix: run celerykit --help for the commands.`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`Usage: celerykit ${command.usage}\n\n${command.help}`);
    return 0;
  }
  const args = parseArgs(rest);
  if (typeof args === 'string') {
    err(`celerykit ${name}: ${args} Fix: see celerykit ${name} --help.`);
    return 1;
  }
  // The one guard of this entry point: whatever a command did not foresee is one line and exit 1.
  try {
    return command.run(args, out, err);
  } catch (e) {
    for (const line of unexpectedErrorReport(e, `celerykit ${name}`, `running ${name}`)) err(line);
    return 1;
  }
}

const VALUE_OPTIONS = new Set(['base', 'parameters', 'stack']);
const FLAG_OPTIONS = new Set(['json']);

function parseArgs(rest: readonly string[]): Args | string {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAG_OPTIONS.has(key)) options.set(key, true);
    else if (VALUE_OPTIONS.has(key)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) return `--${key} needs a value.`;
      options.set(key, value);
    } else return `unknown option --${key}.`;
  }
  return { positional, options };
}

function usageError(name: string, err: Print): number {
  err(`celerykit ${name}: wrong arguments. Fix: celerykit ${COMMANDS[name]!.usage}`);
  return 1;
}

function filesOf(folder: string, name: string, err: Print): string[] | undefined {
  let files: string[];
  try {
    files = listParameterFiles(folder);
  } catch (e) {
    if (!(e instanceof SpecValidationError)) throw e;
    for (const p of e.problems) err(formatProblem(p));
    return undefined;
  }
  if (files.length === 0) {
    err(`celerykit ${name}: no parameter files in ${folder}. Fix: point it at the folder that holds them.`);
    return undefined;
  }
  return files;
}

/** Every file's specs, or undefined after printing every problem. */
function loadOrReport(files: readonly string[], err: Print): DeploymentSpec[] | undefined {
  try {
    const onProgress = files.length > PROGRESS_EVERY ? (done: number) => done % PROGRESS_EVERY === 0 && err(`... ${done}/${files.length} files checked`) : undefined;
    const { specs, warnings } = loadDeployments(files, onProgress);
    for (const w of warnings) err(formatProblem(w));
    return specs;
  } catch (e) {
    if (!(e instanceof SpecValidationError)) throw e;
    for (const p of e.problems) err(formatProblem(p));
    const errors = e.problems.filter((p) => p.severity === 'error').length;
    err(`\n${errors} error${errors === 1 ? '' : 's'}.`);
    return undefined;
  }
}

function readPlanOrReport(file: string, err: Print): ReturnType<typeof readTerraformPlan> | undefined {
  try {
    return readTerraformPlan(file);
  } catch (e) {
    if (!(e instanceof PlanFileError)) throw e;
    err(`celerykit: ${e.message}`);
    return undefined;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), (l) => console.log(l), (l) => console.error(l));
}
