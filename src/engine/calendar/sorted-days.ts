import type { CalendarDate } from './calendar-date.js';

/**
 * The distinct days, ascending. A typed-array sort compares numbers natively, where
 * `array.sort((a, b) => a - b)` calls back into JavaScript for every comparison: the engine
 * sorts a subscription's change days and a customer's days once each, millions of times in all.
 * Days since 1970 fit an Int32Array many times over (±5.8 million years).
 */
export function sortedDays(days: Iterable<CalendarDate>): CalendarDate[] {
  const sorted = Int32Array.from(days).sort();
  const distinct: CalendarDate[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i] as CalendarDate);
  return distinct;
}
