/**
 * Small zod helpers that let schema errors carry a fix and the list of allowed keys.
 *
 * zod reports issues with a message string only. The kit needs two more facts per issue (how to
 * fix it, and which keys were allowed where an unknown key appeared), so schema messages are
 * encoded here and decoded in `schema-issues.ts`; nothing else depends on the encoding.
 */
import { z } from 'zod';

const FIX_SEPARATOR = '\u0000fix\u0000';
const UNKNOWN_KEYS_PREFIX = '\u0000unknown-keys\u0000';

/** A schema message with a fix attached: `problem` and `fix` are each one sentence. */
export function withFix(problem: string, fix: string): string {
  return `${problem}${FIX_SEPARATOR}${fix}`;
}

export function splitFix(message: string): { problem: string; fix?: string } {
  const at = message.indexOf(FIX_SEPARATOR);
  return at < 0 ? { problem: message } : { problem: message.slice(0, at), fix: message.slice(at + FIX_SEPARATOR.length) };
}

/** The allowed keys recorded by `strictObject` for an unknown-key issue, or undefined for any other message. */
export function allowedKeysOf(message: string): string[] | undefined {
  return message.startsWith(UNKNOWN_KEYS_PREFIX) ? (JSON.parse(message.slice(UNKNOWN_KEYS_PREFIX.length)) as string[]) : undefined;
}

/** An object that rejects unknown keys and remembers its allowed keys for "did you mean" hints. */
export function strictObject<T extends z.ZodRawShape>(shape: T, description?: string) {
  const allowed = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? UNKNOWN_KEYS_PREFIX + JSON.stringify(allowed) : undefined),
  });
  return description === undefined ? schema : schema.meta({ description });
}

/** A lowercase slug used in resource names: letters, digits and single hyphens. */
export function slug(maxLength: number, example: string) {
  return z
    // A missing key is "required", not a value of the wrong type (issue 18, as for broker).
    .string({ error: (issue) => (issue.input === undefined ? withFix('is required', `set it to a lowercase slug such as "${example}"`) : withFix('must be a text value', `write it as a lowercase slug such as "${example}"`)) })
    .regex(
      new RegExp(`^(?=.{1,${maxLength}}$)[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$`),
      withFix(
        `must be 1-${maxLength} characters of lowercase letters, digits and single hyphens, starting with a letter`,
        `use a slug such as "${example}"`,
      ),
    );
}

/** Whole seconds within [min, max]. */
export function seconds(min: number, max: number) {
  return z
    .int({ error: withFix('must be a whole number of seconds', `write a number such as 3600 (not "1h")`) })
    .min(min, withFix(`must be at least ${min} seconds`, `raise it to ${min} or more`))
    .max(max, withFix(`must be at most ${max} seconds`, `lower it to ${max} or less`));
}

/** A whole number within [min, max]. */
export function wholeNumber(min: number, max: number) {
  return z
    .int({ error: withFix('must be a whole number', `write a number between ${min} and ${max}`) })
    .min(min, withFix(`must be at least ${min}`, `raise it to ${min} or more`))
    .max(max, withFix(`must be at most ${max}`, `lower it to ${max} or less`));
}
