import type { CalendarDate } from '../calendar/calendar-date.js';

/** The point in force on `day` in a date-sorted timeline (the last with date ≤ day), or null. */
export function pointOn<T extends { readonly date: CalendarDate }>(points: readonly T[], day: CalendarDate): T | null {
  let low = 0;
  let high = points.length - 1;
  let found: T | null = null;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (points[middle]!.date <= day) {
      found = points[middle]!;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
