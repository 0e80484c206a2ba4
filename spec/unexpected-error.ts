/**
 * Errors the kit did not foresee, turned into the one line every other problem gets. A stack trace
 * tells a platform engineer nothing they can fix, so it is shown only when CELERYKIT_DEBUG=1 asks.
 */

/** True when the user asked for stack traces of unexpected errors. */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CELERYKIT_DEBUG === '1';
}

/** What went wrong, in a few words: the error's name and the first line of its message. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const message = e.message.split('\n')[0]!.trim();
    const code = (e as NodeJS.ErrnoException).code;
    return `${e.name}${typeof code === 'string' && !message.includes(code) ? ` ${code}` : ''}: ${message.slice(0, 200)}`;
  }
  return String(e).split('\n')[0]!.slice(0, 200);
}

/** The fix for an error the kit did not expect: what the user can try, and how to report it. */
export const UNEXPECTED_FIX = 'check the file for unusual content (deep nesting, huge or binary values, custom tags); if it looks right, rerun with CELERYKIT_DEBUG=1 and report the stack trace it prints';

/**
 * One line for an unexpected error: `where: error: the kit stopped unexpectedly while <doing> (<what>). Fix: ...`.
 * `where` is the file when one is known, else the command.
 */
export function unexpectedErrorLine(e: unknown, where: string, doing: string): string {
  return `${where}: error: the kit stopped unexpectedly while ${doing} (${describeError(e)}). Fix: ${UNEXPECTED_FIX}.`;
}

/** The lines to print for an unexpected error: the one line, then the stack trace when asked for. */
export function unexpectedErrorReport(e: unknown, where: string, doing: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const line = unexpectedErrorLine(e, where, doing);
  return debugRequested(env) && e instanceof Error && e.stack !== undefined ? [line, e.stack] : [line];
}
