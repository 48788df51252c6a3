import { describe, expect, test } from 'vitest';
import { formatIsoDate, isoDate } from '../../src/engine/calendar/calendar-date.js';
import { periodContaining, periodsBetween, type Interval } from '../../src/engine/report/period.js';

const show = (p: { label: string; first: number; last: number }) => `${p.label} ${formatIsoDate(p.first as never)}..${formatIsoDate(p.last as never)}`;

describe('reporting periods', () => {
  test('labels and bounds of each interval (cli.md)', () => {
    const day = isoDate('2024-02-15'); // a Thursday
    const expected: Record<Interval, string> = {
      day: '2024-02-15 2024-02-15..2024-02-15',
      week: '2024-02-12 2024-02-12..2024-02-18',
      month: '2024-02 2024-02-01..2024-02-29',
      quarter: '2024-Q1 2024-01-01..2024-03-31',
      year: '2024 2024-01-01..2024-12-31',
    };
    for (const interval of Object.keys(expected) as Interval[]) expect(show(periodContaining(day, interval, 'monday'))).toBe(expected[interval]);
  });

  test('weeks start on Sunday when configured', () => {
    expect(show(periodContaining(isoDate('2024-02-15'), 'week', 'sunday'))).toBe('2024-02-11 2024-02-11..2024-02-17');
    expect(show(periodContaining(isoDate('2024-02-11'), 'week', 'sunday'))).toBe('2024-02-11 2024-02-11..2024-02-17');
    expect(show(periodContaining(isoDate('2024-02-11'), 'week', 'monday'))).toBe('2024-02-05 2024-02-05..2024-02-11');
  });

  test('the first and last periods are cut by the range', () => {
    const periods = periodsBetween(isoDate('2024-01-10'), isoDate('2024-03-05'), 'month', 'monday').map(show);
    expect(periods).toEqual(['2024-01 2024-01-10..2024-01-31', '2024-02 2024-02-01..2024-02-29', '2024-03 2024-03-01..2024-03-05']);
    expect(periodsBetween(isoDate('2024-11-20'), isoDate('2025-02-01'), 'quarter', 'monday').map(show)).toEqual([
      '2024-Q4 2024-11-20..2024-12-31',
      '2025-Q1 2025-01-01..2025-02-01',
    ]);
  });
});
