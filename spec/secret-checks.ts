/**
 * Refuses credential-looking values in the free-form parts of a parameter file (app.env, schedule
 * args and kwargs), each with how to pass it through the secret store instead. A value that only
 * looks like a secret is let through by a `notSecrets` entry with its reason, the way
 * `policy.suppress` lets a stack break a rule; an entry that matches nothing is an error, so
 * exceptions do not outlive their value.
 */
import { formatKeyPath, type KeyPath, type ProblemCollector } from './problems';
import type { ParameterFile } from './schema';
import { secretLooking, secretLookingValue } from './secret-values';

export function checkSecretLookingValues(file: ParameterFile, out: ProblemCollector): void {
  const allowed = new Map((file.notSecrets ?? []).map((entry, index) => [entry.key, index]));
  const used = new Set<string>();
  const refuse = (path: KeyPath, why: string, fix: string) => {
    const key = formatKeyPath(path);
    if (allowed.has(key)) used.add(key);
    else out.error(path, `this looks like a secret (${why}), and plain values are readable by anyone who can describe the deployment`, `${fix}; if it is no secret, list it under notSecrets: [{key: "${key}", reason: <why>}]`);
  };
  const store = file.cloud === 'aws' ? '<full ARN of the secret in Secrets Manager>' : '<id of the secret in Secret Manager>';

  for (const [name, value] of Object.entries(file.app.env ?? {})) {
    const why = secretLooking(name, value);
    if (why !== undefined) refuse(['app', 'env', name], why, `move it to app.secrets (${name}: ${store})`);
  }
  for (const [scheduleName, schedule] of Object.entries(file.schedules ?? {})) {
    // The scheduler sends arguments in the message body, so the task must fetch a secret itself.
    const fix = 'pass the name of a secret instead and let the task read it from the secret store (give the app access under app.secrets)';
    const visit = (path: KeyPath, name: string | undefined, value: unknown): void => {
      const why = name === undefined ? (typeof value === 'string' ? secretLookingValue(value) : undefined) : secretLooking(name, value);
      if (why !== undefined) return refuse(path, why, fix);
      if (Array.isArray(value)) value.forEach((item, i) => visit([...path, i], undefined, item));
      else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit([...path, k], k, v);
    };
    (schedule.args ?? []).forEach((arg, i) => visit(['schedules', scheduleName, 'args', i], undefined, arg));
    for (const [k, v] of Object.entries(schedule.kwargs ?? {})) visit(['schedules', scheduleName, 'kwargs', k], k, v);
  }
  for (const [key, index] of allowed) {
    if (!used.has(key)) out.error(['notSecrets', index, 'key'], `${key} is not a value the secret check refuses`, 'remove this entry, or correct its key path (as the error named it)');
  }
}

/** True when the value at app.env.<name> is refused or excused as a secret, so other env checks skip it. */
export function isSecretLookingEnv(name: string, value: unknown): boolean {
  return secretLooking(name, value) !== undefined;
}
