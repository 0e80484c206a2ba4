/**
 * The celerykit command line: check parameter files and list the stacks they make, without
 * synthesizing anything.
 *
 *   celerykit validate <file...>   check files; one line per problem; exit 1 on any error
 *   celerykit list [folder]        the stacks of a folder of files (default: customers/)
 *   celerykit <command> --help
 */
import { listParameterFiles, loadDeployments } from '../spec/load';
import { formatProblem, SpecValidationError } from '../spec/problems';

const HELP: Record<string, string> = {
  '': [
    'celerykit — production Celery platforms from one parameter file per deployment',
    '',
    'Usage: celerykit <command> [options]',
    '',
    'Commands:',
    '  validate <file...>   check parameter files (schema, cross-key rules, duplicate stacks)',
    '  list [folder]        list the stacks a folder of parameter files makes (default: customers)',
    '',
    'Synthesize with `npm run synth`, deploy with `npx cdktf deploy <stack-id>`.',
  ].join('\n'),
  validate: [
    'Usage: celerykit validate <file...>',
    '',
    'Checks each file as `npm run synth` would, without building anything: one line per problem',
    '(file:line: error|warning: key.path: problem. Fix: ...). Exits 1 when any file has an error.',
  ].join('\n'),
  list: ['Usage: celerykit list [folder]', '', 'Prints one line per stack: id, cloud, region, broker, pools and schedules.'].join('\n'),
};

export function run(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  const [command = '', ...args] = argv;
  if (command === '' || command === '--help' || command === '-h' || command === 'help') {
    out(HELP['']!);
    return command === '' ? 1 : 0;
  }
  if (!(command in HELP)) {
    err(`celerykit: unknown command "${command}". Fix: run celerykit --help for the commands.`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(HELP[command]!);
    return 0;
  }
  const files = command === 'validate' ? args : listFolder(args[0] ?? 'customers', err);
  if (files === undefined) return 1;
  if (files.length === 0) {
    err(`celerykit ${command}: no parameter files given. Fix: celerykit ${command} ${command === 'validate' ? '<file...>' : '[folder]'}`);
    return 1;
  }
  try {
    const { specs, warnings } = loadDeployments(files);
    for (const w of warnings) err(formatProblem(w));
    if (command === 'validate') {
      out(`${files.length} file${files.length === 1 ? '' : 's'} valid (${specs.map((s) => s.stackId).join(', ')})`);
    } else {
      for (const s of specs) {
        out([s.stackId.padEnd(24), s.cloud.padEnd(4), s.region.padEnd(16), s.broker.kind.padEnd(9), `${s.pools.length} pools`.padEnd(9), `${s.schedules.length} schedules`].join(' '));
      }
    }
    return 0;
  } catch (e) {
    if (!(e instanceof SpecValidationError)) throw e;
    for (const p of e.problems) err(formatProblem(p));
    const errors = e.problems.filter((p) => p.severity === 'error').length;
    err(`\n${errors} error${errors === 1 ? '' : 's'}.`);
    return 1;
  }
}

function listFolder(folder: string, err: (line: string) => void): string[] | undefined {
  try {
    return listParameterFiles(folder);
  } catch {
    err(`celerykit list: cannot read folder ${folder}. Fix: give a folder of parameter files.`);
    return undefined;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), (l) => console.log(l), (l) => console.error(l));
}
