/**
 * Real tools the tests use. Outside CI a missing tool skips its tests with a printed reason; in CI
 * (CI=true) the tests fail instead, so a green CI run always means the tool ran.
 */
import { runQuick } from './run';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export interface ToolCheck {
  /** Why the tool cannot run here, or undefined when it can. */
  readonly missing?: string;
  /** True when the tests should be skipped (missing outside CI). */
  readonly skip: boolean;
}

export function requireTool(label: string, command: string, args: string[], installHint: string): ToolCheck {
  const r = runQuick(command, args);
  const missing = r.status !== 0 ? `${command} is not usable (${installHint})` : undefined;
  if (missing !== undefined && !IN_CI) console.warn(`[skipped] ${label}: ${missing}`);
  return { ...(missing === undefined ? {} : { missing }), skip: missing !== undefined && !IN_CI };
}

/** Call first in a test that needs the tool: throws in CI when it is missing. */
export function assertToolPresent(check: ToolCheck): void {
  if (check.missing !== undefined) throw new Error(`CI must run this check, but ${check.missing}`);
}
