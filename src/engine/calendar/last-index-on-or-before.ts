import type { CalendarDate } from './calendar-date.js';

/** In ascending `days`, the index of the last day on or before `day` (-1 when all are later). */
export function lastIndexOnOrBefore(days: readonly CalendarDate[], day: CalendarDate): number {
  let low = 0;
  let high = days.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (days[middle]! <= day) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
