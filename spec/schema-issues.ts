/**
 * Turns zod issues into kit problems: one per mistake, each with a fix.
 */
import type { z } from 'zod';
import { allowedKeysOf, splitFix } from './schema-helpers';
import { closestMatch, type KeyPath, type ProblemCollector } from './problems';

/**
 * Unknown keys that users write often, with the reason they are not accepted where they stand.
 * A Map, so a user key such as `__proto__` or `constructor` never finds Object.prototype (issue 18).
 */
const UNKNOWN_KEY_HINTS: ReadonlyMap<string, string> = new Map(Object.entries({
  visibilityTimeout: 'visibilityTimeout exists only for broker.kind: redis (RabbitMQ acknowledges instead); remove it',
  clientSecret:
    'secrets never go in parameter files; remove it and pass the OIDC client secret at deploy time as the sensitive Terraform variable oidc_client_secret (TF_VAR_oidc_client_secret)',
  password: 'secrets never go in parameter files; the kit generates broker credentials and keeps them in the cloud secret store. Remove it',
  url: 'URLs of webhooks carry credentials; list the webhook by name under monitoring.alerts.notify.webhooks and pass the URL as the sensitive Terraform variable webhook_<name>',
}));

export function reportSchemaIssues(issues: readonly z.core.$ZodIssue[], out: ProblemCollector): void {
  for (const issue of issues) reportIssue(issue, issue.path as KeyPath, out);
}

function reportIssue(issue: z.core.$ZodIssue, path: KeyPath, out: ProblemCollector): void {
  const allowed = allowedKeysOf(issue.message);
  if (issue.code === 'unrecognized_keys' && allowed) {
    for (const key of issue.keys) {
      const guess = closestMatch(key, allowed);
      const fix =
        UNKNOWN_KEY_HINTS.get(key) ??
        (guess !== undefined ? `did you mean "${guess}"? Rename it` : `remove it; the keys allowed here are: ${allowed.join(', ')}`);
      out.error([...path, key], `unknown key "${key}"`, fix);
    }
    return;
  }
  const { problem, fix } = splitFix(issue.message);
  const last = path.length > 0 ? String(path[path.length - 1]) : 'value';
  // One rule for every key (issue 18): a key that is absent "is required", whatever its schema's own
  // message says about wrong values ("must be a list", "must be local, s3 or gcs"); and a value that
  // is present is never called missing, even where the schema's message is "is required".
  if (isMissing(issue)) {
    out.error(path, REQUIRED, fix ?? `add ${last}`);
    return;
  }
  if (fix !== undefined) {
    out.error(path, problem === REQUIRED && issue.code === 'invalid_type' ? `expected ${describeExpected(issue.expected)}, got ${describeInput(issue.input)}` : problem, fix);
    return;
  }
  switch (issue.code) {
    case 'invalid_type':
      out.error(path, `expected ${describeExpected(issue.expected)}, got ${describeInput(issue.input)}`, `write ${describeExpected(issue.expected)} here`);
      return;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof issue.input === 'string' ? closestMatch(issue.input, issue.values.map(String)) : undefined;
      out.error(
        path,
        `${describeInput(issue.input)} is not one of ${options.join(', ')}`,
        guess !== undefined ? `did you mean "${guess}"?` : `use one of ${options.join(', ')}`,
      );
      return;
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      const detail = inner === undefined ? splitFix('is not a valid key') : splitFix(inner.message);
      out.error(path, `key "${last}" ${detail.problem}`, detail.fix ?? 'rename the key');
      return;
    }
    case 'invalid_union':
      out.error(path, `${describeInput(issue.input)} does not match any accepted form`, 'check the parameter reference (docs/parameters.md) for this key');
      return;
    case 'too_small':
      out.error(path, `must be at least ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`, `raise it to ${String(issue.minimum)} or more`);
      return;
    case 'too_big':
      out.error(path, `must be at most ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`, `lower it to ${String(issue.maximum)} or less`);
      return;
    case 'invalid_format':
      out.error(path, `${describeInput(issue.input)} is not a valid ${issue.format === 'regex' ? 'value here' : issue.format}`, 'check the parameter reference (docs/parameters.md) for the expected form');
      return;
    default:
      out.error(path, issue.message, 'check the parameter reference (docs/parameters.md) for this key');
  }
}

/** The problem text of a key that is absent. */
const REQUIRED = 'is required';

/**
 * True when the issue is about a key the file does not have: zod reports such a key as a value of
 * the wrong type, outside the enum or matching no union member, with no input (the loader parses
 * with reportInput, so a key that is present always has one, null included); and an absent
 * discriminator (`state` without `backend`) as a union issue whose input is the mapping around it.
 */
function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_union' && typeof issue.discriminator === 'string') {
    const around = issue.input;
    return around !== null && typeof around === 'object' && !Array.isArray(around) && !Object.hasOwn(around, issue.discriminator);
  }
  return issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union');
}

function describeExpected(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'record' || expected === 'object') return 'a mapping of keys to values';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return JSON.stringify(input);
  return String(input);
}
