import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addMonths,
  civilFromDate,
  dateFromCivil,
  dayOfWeek,
  daysInMonth,
  formatIsoDate,
  isoDate,
  parseIsoDate,
  wholeMonthsBetween,
} from '../../src/engine/calendar/calendar-date.js';

describe('calendar dates', () => {
  test('1970-01-01 is day 0 and a Thursday; known dates round-trip', () => {
    expect(dateFromCivil(1970, 1, 1)).toBe(0);
    expect(dayOfWeek(isoDate('1970-01-01'))).toBe(3);
    expect(dayOfWeek(isoDate('2024-01-15'))).toBe(0); // a Monday
    expect(formatIsoDate(isoDate('2000-02-29'))).toBe('2000-02-29');
    expect(isoDate('2024-03-01') - isoDate('2024-02-28')).toBe(2);
    expect(isoDate('2023-03-01') - isoDate('2023-02-28')).toBe(1);
  });

  test('civil ↔ day number round-trips for every day of four centuries', () => {
    fc.assert(
      fc.property(fc.integer({ min: dateFromCivil(1800, 1, 1), max: dateFromCivil(2400, 12, 31) }), (day) => {
        const { year, month, day: dayOfMonth } = civilFromDate(day as never);
        expect(dateFromCivil(year, month, dayOfMonth)).toBe(day);
        expect(parseIsoDate(formatIsoDate(day as never))).toBe(day);
      }),
    );
  });

  test('leap years follow the Gregorian rule', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(parseIsoDate('2023-02-29')).toBeNull();
    expect(parseIsoDate('2024-02-29')).not.toBeNull();
    expect(parseIsoDate('2024-13-01')).toBeNull();
    expect(parseIsoDate('2024-1-01')).toBeNull();
  });

  test('adding months clamps to the end of the month', () => {
    expect(formatIsoDate(addMonths(isoDate('2024-01-31'), 1))).toBe('2024-02-29');
    expect(formatIsoDate(addMonths(isoDate('2023-01-31'), 1))).toBe('2023-02-28');
    expect(formatIsoDate(addMonths(isoDate('2024-02-29'), 12))).toBe('2025-02-28');
    expect(formatIsoDate(addMonths(isoDate('2024-03-31'), -1))).toBe('2024-02-29');
    expect(formatIsoDate(addMonths(isoDate('2024-12-15'), 1))).toBe('2025-01-15');
    expect(formatIsoDate(addMonths(isoDate('2024-01-15'), -13))).toBe('2022-12-15');
  });

  test('whole months between dates on the same billing anchor', () => {
    const months = (a: string, b: string) => wholeMonthsBetween(isoDate(a), isoDate(b));
    expect(months('2024-01-15', '2024-02-15')).toBe(1);
    expect(months('2024-01-31', '2024-02-29')).toBe(1);
    expect(months('2024-02-29', '2024-03-31')).toBe(1); // anchor 31 clamped in February
    expect(months('2024-02-29', '2024-03-29')).toBe(1); // anchor 29
    expect(months('2024-04-30', '2024-05-31')).toBe(1);
    expect(months('2024-01-30', '2024-02-29')).toBe(1);
    expect(months('2024-02-29', '2025-02-28')).toBe(12);
    expect(months('2024-01-15', '2024-04-15')).toBe(3);
    expect(months('2024-01-15', '2024-02-14')).toBeNull();
    expect(months('2024-01-31', '2024-03-30')).toBeNull(); // Mar 30 is no clamp of 31
    expect(months('2024-01-15', '2024-01-29')).toBeNull();
  });

  test('one month after any day, clamped, is one whole month', () => {
    fc.assert(
      fc.property(fc.integer({ min: dateFromCivil(1990, 1, 1), max: dateFromCivil(2100, 1, 1) }), fc.integer({ min: 1, max: 36 }), (day, n) => {
        expect(wholeMonthsBetween(day as never, addMonths(day as never, n))).toBe(n);
      }),
    );
  });
});
