/**
 * Unix cron to EventBridge cron: the year field, the `?` rule, and Sunday = 1.
 */
import { describe, expect, it } from 'vitest';
import { toEventBridgeCron } from '../../../constructs/aws/eventbridge-cron';

describe('an EventBridge cron expression made from unix cron', () => {
  it.each([
    ['0 2 * * *', 'cron(0 2 * * ? *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
    ['30 1 1,15 * *', 'cron(30 1 1,15 * ? *)'],
    ['0 4 * * 1-5', 'cron(0 4 ? * 2-6 *)'],
    ['0 4 * * 0', 'cron(0 4 ? * 1 *)'],
    ['0 4 * * 7', 'cron(0 4 ? * 1 *)'],
    ['0 4 * * 6,0', 'cron(0 4 ? * 1,7 *)'],
    ['0 4 * * mon-fri', 'cron(0 4 ? * 2-6 *)'],
    ['0 4 * * 5-7', 'cron(0 4 ? * 1,6-7 *)'],
    ['0 4 * * FRI-SAT,SUN', 'cron(0 4 ? * 1,6-7 *)'],
    ['0 4 * * 1-7', 'cron(0 4 ? * * *)'],
    ['0 9 * JAN,JUL */2', 'cron(0 9 ? JAN,JUL 1,3,5,7 *)'],
    ['0 9 * * 1-5/2', 'cron(0 9 ? * 2,4,6 *)'],
  ])('turns "%s" into %s', (unix, eventBridge) => {
    expect(toEventBridgeCron(unix)).toBe(eventBridge);
  });

  it('refuses an expression the spec would have refused', () => {
    expect(() => toEventBridgeCron('0 2 * *')).toThrow(/expected 5 fields/);
  });
});
