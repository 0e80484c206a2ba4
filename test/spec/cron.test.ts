/**
 * Five-field unix cron expressions for scheduled tasks: what is accepted, and the reason given
 * for what is not.
 */
import { describe, expect, it } from 'vitest';
import { isRestricted, parseCron } from '../../spec/cron';

describe('a valid cron expression', () => {
  it('splits a daily schedule into its five fields', () => {
    expect(parseCron('0 2 * * *')).toEqual({ minute: '0', hour: '2', dayOfMonth: '*', month: '*', dayOfWeek: '*' });
  });

  it('accepts a step on every value', () => {
    expect(parseCron('*/15 * * * *')).toEqual({ minute: '*/15', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '*' });
  });

  it('accepts ranges, lists and month and weekday names', () => {
    expect(parseCron('30 1 1-15 JAN,JUL MON-FRI')).toEqual({ minute: '30', hour: '1', dayOfMonth: '1-15', month: 'JAN,JUL', dayOfWeek: 'MON-FRI' });
  });

  it('accepts 7 as Sunday', () => {
    expect(parseCron('0 0 * * 7')).toEqual({ minute: '0', hour: '0', dayOfMonth: '*', month: '*', dayOfWeek: '7' });
  });

  it('accepts both ends of every field', () => {
    expect(typeof parseCron('0 0 1 1 0')).toBe('object');
    expect(typeof parseCron('59 23 31 12 7')).toBe('object');
    expect(typeof parseCron('0 0 * DEC SAT')).toBe('object');
  });

  it('accepts month and weekday names in any case', () => {
    expect(parseCron('0 0 * jan,Jul sun-sat')).toEqual({ minute: '0', hour: '0', dayOfMonth: '*', month: 'jan,Jul', dayOfWeek: 'sun-sat' });
  });

  it('ignores surrounding and repeated whitespace', () => {
    expect(parseCron('  0   2 *\t* *  ')).toEqual({ minute: '0', hour: '2', dayOfMonth: '*', month: '*', dayOfWeek: '*' });
  });
});

describe('an invalid cron expression', () => {
  const cases: Array<[string, string, string]> = [
    ['four fields', '0 2 * *', 'expected 5 fields (minute hour day-of-month month day-of-week), found 4'],
    ['six fields (a seconds or year field)', '0 0 2 * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), found 6'],
    ['an empty expression', '', 'expected 5 fields (minute hour day-of-month month day-of-week), found 1'],
    ['minute 60', '60 * * * *', 'minute value "60" is not allowed (use 0-59)'],
    ['hour 24', '0 24 * * *', 'hour value "24" is not allowed (use 0-23)'],
    ['day-of-month 0', '0 0 0 * *', 'day-of-month value "0" is not allowed (use 1-31)'],
    ['day-of-month 32', '0 0 32 * *', 'day-of-month value "32" is not allowed (use 1-31)'],
    ['month 13', '0 0 * 13 *', 'month value "13" is not allowed (use 1-12 or JAN-DEC)'],
    ['month 0', '0 0 * 0 *', 'month value "0" is not allowed (use 1-12 or JAN-DEC)'],
    ['day-of-week 8', '0 0 * * 8', 'day-of-week value "8" is not allowed (use 0-7 or SUN-SAT)'],
    ['a step of 0', '*/0 * * * *', 'minute step "/0" is out of range'],
    ['a step longer than the field', '*/60 * * * *', 'minute step "/60" is out of range'],
    ['a month name that does not exist', '0 0 * FOO *', 'month value "FOO" is not allowed (use 1-12 or JAN-DEC)'],
    ['a weekday name in the month field', '0 0 * MON *', 'month value "MON" is not allowed (use 1-12 or JAN-DEC)'],
    ['a month name in the day-of-month field', '0 0 JAN * *', 'day-of-month value "JAN" is not allowed (use 1-31)'],
    ['the bad end of a range', '0 0 1-32 * *', 'day-of-month value "32" is not allowed (use 1-31)'],
    ['the Quartz "L" (last day of month)', '0 0 L * *', 'day-of-month value "L" is not allowed (use 1-31)'],
    ['the Quartz "5L" (last Friday)', '0 0 * * 5L', 'day-of-week value "5L" is not allowed (use 0-7 or SUN-SAT)'],
    ['the Quartz "#" (nth weekday)', '0 0 * * MON#2', 'day-of-week field "MON#2" is not a number, range, list or step'],
    ['the Quartz "?"', '0 0 ? * MON', 'day-of-month field "?" is not a number, range, list or step'],
    ['a range of three bounds', '1-2-3 * * * *', 'minute field "1-2-3" is not a number, range, list or step'],
    ['an empty list item', '0 1, * * *', 'hour field "1," is not a number, range, list or step'],
    ['a negative value', '-5 * * * *', 'minute field "-5" is not a number, range, list or step'],
    ['a range that runs backwards', '0 22-2 * * *', 'hour range "22-2" runs backwards'],
    ['a weekday range that runs backwards', '0 0 * * FRI-MON', 'day-of-week range "FRI-MON" runs backwards'],
  ];

  it.each(cases)('is refused for %s, with the reason', (_name, expression, reason) => {
    expect(parseCron(expression)).toBe(reason);
  });

  it('is refused with the reason of its first bad field', () => {
    expect(parseCron('0 24 32 * *')).toBe('hour value "24" is not allowed (use 0-23)');
  });
});

describe('whether a cron field restricts the schedule', () => {
  it('only a bare star leaves the field unrestricted', () => {
    expect(isRestricted('*')).toBe(false);
    expect(isRestricted('1')).toBe(true);
    expect(isRestricted('1-15')).toBe(true);
    expect(isRestricted('MON-FRI')).toBe(true);
    expect(isRestricted('1,15')).toBe(true);
    expect(isRestricted('*/2')).toBe(true);
  });

  it('reads the fields of a parsed expression', () => {
    const cron = parseCron('0 4 * * 1-5');
    if (typeof cron === 'string') throw new Error(cron);
    expect(isRestricted(cron.dayOfMonth)).toBe(false);
    expect(isRestricted(cron.dayOfWeek)).toBe(true);
  });
});
