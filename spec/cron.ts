/**
 * Five-field unix cron (`minute hour day-of-month month day-of-week`), the form GCP Cloud Scheduler
 * takes as is and that the AWS schedule construct converts to EventBridge's six-field form.
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export interface CronFields {
  readonly minute: string;
  readonly hour: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
}

/** Splits and checks an expression; returns the fields, or a one-sentence reason it is invalid. */
export function parseCron(expression: string): CronFields | string {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const reason = checkField(parts[i]!, FIELDS[i]!);
    if (reason !== undefined) return reason;
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts as [string, string, string, string, string];
  return { minute, hour, dayOfMonth, month, dayOfWeek };
}

function checkField(field: string, rule: FieldRule): string | undefined {
  for (const item of field.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return `${rule.name} field "${field}" is not a number, range, list or step`;
    const [, base, step] = m;
    if (step !== undefined && (Number(step) < 1 || Number(step) > rule.max)) return `${rule.name} step "/${step}" is out of range`;
    if (base === '*') continue;
    const bounds: number[] = [];
    for (const bound of base!.split('-')) {
      const value = valueOf(bound, rule);
      if (value === undefined) return `${rule.name} value "${bound}" is not allowed (use ${rule.min}-${rule.max}${rule.names ? ` or ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : ''})`;
      bounds.push(value);
    }
    // Schedulers disagree on wrap-around ranges such as 22-2; refuse them rather than guess.
    if (bounds.length === 2 && bounds[0]! > bounds[1]!) return `${rule.name} range "${base}" runs backwards`;
  }
  return undefined;
}

function valueOf(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= rule.min && n <= rule.max ? n : undefined;
  }
  const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  return index < 0 ? undefined : index + (rule.name === 'month' ? 1 : 0);
}

/** A field other than `*` restricts the schedule. */
export function isRestricted(field: string): boolean {
  return field !== '*';
}
