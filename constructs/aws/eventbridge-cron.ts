/**
 * Converts the file's five-field unix cron into EventBridge Scheduler's `cron(...)` form.
 *
 * Differences handled: EventBridge has a sixth (year) field; one of day-of-month and day-of-week
 * must be `?`; and its day-of-week counts 1-7 from Sunday, where unix counts 0-7 from Sunday
 * (0 and 7 both Sunday). The spec already refuses expressions restricting both day fields.
 */
import { parseCron } from '../../spec/cron';

export function toEventBridgeCron(unixCron: string): string {
  const fields = parseCron(unixCron);
  if (typeof fields === 'string') throw new Error(`invalid cron "${unixCron}": ${fields}`);
  const { minute, hour, dayOfMonth, month, dayOfWeek } = fields;
  const weekdayRestricted = dayOfWeek !== '*';
  const dom = weekdayRestricted ? '?' : dayOfMonth;
  const dow = weekdayRestricted ? shiftWeekdays(dayOfWeek) : '?';
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
}

const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * Unix weekdays (0-7, Sunday 0 or 7) to EventBridge's (1-7, Sunday 1). The field is expanded to
 * the set of days it selects and written back as ranges, because a unix range such as 5-7
 * (Friday to Sunday) has no direct EventBridge equivalent once Sunday moves to 1.
 */
function shiftWeekdays(field: string): string {
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === '*' ? [0, 6] : (range.split('-').map(weekdayNumber) as [number, number?]);
    const last = to ?? (stepText === undefined ? from : 7);
    for (let day = from; day <= last; day += step) days.add(day % 7);
  }
  if (days.size === 7) return '*';
  const sorted = [...days].sort((a, b) => a - b).map((d) => d + 1);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return runs.join(',');
}

function weekdayNumber(token: string): number {
  return /^\d+$/.test(token) ? Number(token) : WEEKDAY_NAMES.indexOf(token.toUpperCase());
}
