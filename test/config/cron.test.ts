import { describe, expect, it } from 'vitest';
import { validateCron } from '../../src/config/cron.js';

describe('validateCron', () => {
  it.each([
    '*/10 * * * *',
    '2-59/10 * * * *',
    '30 2-59/10 * * * *',
    '0 6,12,18 * * mon-fri',
    '15 9 1 jan,jul *',
    '0 0 * * 7',
    '0 0 * * SUN',
  ])('accepts %s', (expression) => {
    expect(validateCron(expression)).toBeUndefined();
  });

  it.each([
    ['*/61 * * * *', 'step 61 is larger than the minute range 0-59'],
    ['* * * *', 'expected 5 or 6 fields, got 4'],
    ['0 24 * * *', 'hour 24 is outside 0-23'],
    ['0 0 0 * *', 'day of month 0 is outside 1-31'],
    ['0 0 * 13 *', 'month 13 is outside 1-12'],
    ['0 0 * * funday', 'day of week "funday" is not a number or name'],
    ['30-10 * * * *', 'range "30-10" in minute runs backwards'],
    ['*/0 * * * *', 'bad step "0" in minute'],
    ['1,,2 * * * *', 'bad minute "1,,2"'],
    ['60 * * * * *', 'second 60 is outside 0-59'],
  ])('refuses %s: %s', (expression, reason) => {
    expect(validateCron(expression)).toBe(reason);
  });

  it('maps month names to 1-12 and day names to 0-6', () => {
    expect(validateCron('0 0 1 dec *')).toBeUndefined();
    expect(validateCron('0 0 * * sat')).toBeUndefined();
    expect(validateCron('0 0 * jan-dec sun-sat')).toBeUndefined();
  });
});
