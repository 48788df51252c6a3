import { withoutRepeats } from '../without-repeats.js';
import type { CalendarDate } from './calendar-date.js';

/** Up to this many days, an insertion sort beats setting up a typed array (measured). */
const INSERTION_SORT_MAX = 24;

/**
 * The distinct days, ascending. `array.sort((a, b) => a - b)` calls back into JavaScript for
 * every comparison, and the engine sorts a subscription's change days and a customer's days once
 * each, millions of times in all: a few days are sorted by insertion, more as an Int32Array
 * (compared natively). Days since 1970 fit an Int32Array many times over (±5.8 million years).
 */
export function sortedDays(days: Iterable<CalendarDate>): CalendarDate[] {
  const list: CalendarDate[] = Array.isArray(days) ? (days as CalendarDate[]).slice() : [...days];
  if (list.length > INSERTION_SORT_MAX) {
    const sorted = Int32Array.from(list).sort();
    for (let i = 0; i < sorted.length; i++) list[i] = sorted[i] as CalendarDate;
  } else {
    for (let i = 1; i < list.length; i++) {
      const day = list[i]!;
      let j = i - 1;
      for (; j >= 0 && list[j]! > day; j--) list[j + 1] = list[j]!;
      list[j + 1] = day;
    }
  }
  return withoutRepeats(list);
}
