/**
 * Reporting periods (metrics.md "Periods"): day, week (from weekStartsOn), month, quarter,
 * year, labelled as cli.md says, and cut by the requested range and asOf.
 */
import {
  addDays,
  addMonths,
  civilFromDate,
  dateFromCivil,
  dayOfWeek,
  formatIsoDate,
  type CalendarDate,
} from '../calendar/calendar-date.js';
import type { WeekStart } from '../config.js';

export type Interval = 'day' | 'week' | 'month' | 'quarter' | 'year';
export const INTERVALS: readonly Interval[] = ['day', 'week', 'month', 'quarter', 'year'];

export interface Period {
  readonly label: string;
  readonly first: CalendarDate;
  readonly last: CalendarDate;
}

/** The whole (uncut) period containing `date`. */
export function periodContaining(date: CalendarDate, interval: Interval, weekStartsOn: WeekStart): Period {
  switch (interval) {
    case 'day':
      return { label: formatIsoDate(date), first: date, last: date };
    case 'week': {
      const offset = weekStartsOn === 'monday' ? dayOfWeek(date) : (dayOfWeek(date) + 1) % 7;
      const first = addDays(date, -offset);
      return { label: formatIsoDate(first), first, last: addDays(first, 6) };
    }
    case 'month': {
      const { year, month } = civilFromDate(date);
      const first = dateFromCivil(year, month, 1);
      return { label: `${year}-${String(month).padStart(2, '0')}`, first, last: addDays(addMonths(first, 1), -1) };
    }
    case 'quarter': {
      const { year, month } = civilFromDate(date);
      const quarter = Math.floor((month - 1) / 3);
      const first = dateFromCivil(year, quarter * 3 + 1, 1);
      return { label: `${year}-Q${quarter + 1}`, first, last: addDays(addMonths(first, 3), -1) };
    }
    case 'year': {
      const { year } = civilFromDate(date);
      const first = dateFromCivil(year, 1, 1);
      return { label: String(year), first, last: addDays(dateFromCivil(year + 1, 1, 1), -1) };
    }
  }
}

/** The periods covering [from, to], the first and last cut to the range. */
export function periodsBetween(from: CalendarDate, to: CalendarDate, interval: Interval, weekStartsOn: WeekStart): Period[] {
  const periods: Period[] = [];
  for (let day = from; day <= to; ) {
    const whole = periodContaining(day, interval, weekStartsOn);
    periods.push({ label: whole.label, first: day, last: whole.last < to ? whole.last : to });
    day = addDays(whole.last, 1);
  }
  return periods;
}
