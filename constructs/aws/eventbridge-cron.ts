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

/** Unix weekday numbers (0-7, Sunday 0 or 7) to EventBridge's (1-7, Sunday 1); names stay. */
function shiftWeekdays(field: string): string {
  return field
    .split(',')
    .map((item) => {
      const [range, step] = item.split('/') as [string, string | undefined];
      const shifted =
        range === '*'
          ? '*'
          : range
              .split('-')
              .map((bound) => (/^\d+$/.test(bound) ? String((Number(bound) % 7) + 1) : bound.toUpperCase()))
              .join('-');
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(',');
}
