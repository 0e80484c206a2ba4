/**
 * Values that look like credentials, wherever a parameter file holds free-form values (app.env,
 * schedule args and kwargs). Those values end up in task definitions, scheduler targets and the
 * Terraform state, readable by anyone who may describe the deployment; secrets belong in the
 * cloud secret store, which app.secrets points at.
 */

/** Name parts that mark a credential, in UPPER_SNAKE, snake_case or camelCase names. */
const SECRET_NAME_PARTS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'KEY', 'APIKEY', 'DSN', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE']);
/** user:password@ in a URL (a DSN such as postgres://app:hunter2@db/app, or https://u:p@host). */
const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;
/**
 * Random-looking text: one long token of base64/URL-safe characters with upper case, lower case and
 * digits, near the entropy of random text (4 bits per character and more; words and dotted names
 * stay far below). Host names, URLs and ARNs hold "." or ":" and are not tokens.
 */
const TOKEN = /^[A-Za-z0-9+/=_-]+$/;
const MIN_RANDOM_LENGTH = 24;
const MIN_RANDOM_BITS_PER_CHAR = 4;

/** Why a named value looks like a credential, or undefined when it does not. */
export function secretLooking(name: string, value: unknown): string | undefined {
  if (nameParts(name).some((part) => SECRET_NAME_PARTS.has(part))) return `the name "${name}" is a credential's name`;
  return typeof value === 'string' ? secretLookingValue(value) : undefined;
}

/** Why a value looks like a credential by its shape alone, or undefined. */
export function secretLookingValue(value: string): string | undefined {
  if (CREDENTIALS_IN_URL.test(value)) return 'the URL carries a user name and password';
  const mixed = /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
  if (value.length >= MIN_RANDOM_LENGTH && TOKEN.test(value) && mixed && bitsPerChar(value) >= MIN_RANDOM_BITS_PER_CHAR) {
    return 'the value is random-looking text, as keys and tokens are';
  }
  return undefined;
}

/** DB_PASS -> [DB, PASS]; apiKey -> [API, KEY]; x-auth-token -> [X, AUTH, TOKEN]. */
function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.toUpperCase());
}

/** Shannon entropy of the characters of `text`, in bits per character. */
function bitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}
