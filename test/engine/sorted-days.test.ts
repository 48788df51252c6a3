import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { sortedDays } from '../../src/engine/calendar/sorted-days.js';

test('sortedDays gives the distinct days ascending, as a Set and a comparator sort do', () => {
  // Days from before 1970 to the store's FOREVER (9999-12-31), negative ones included.
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -800_000, max: 2_932_896 }), { maxLength: 60 }), (days) => {
      const expected = [...new Set(days)].sort((a, b) => a - b);
      expect(sortedDays(days as CalendarDate[])).toEqual(expected);
    }),
  );
  expect(sortedDays(new Set([20_000, 3, 20_000 - 1, 3] as CalendarDate[]))).toEqual([3, 19_999, 20_000]);
  expect(sortedDays([])).toEqual([]);
  // Past the insertion sort's reach, the typed-array path.
  const many = Array.from({ length: 100 }, (_, i) => ((i * 37) % 50) as CalendarDate);
  expect(sortedDays(many)).toEqual(Array.from({ length: 50 }, (_, i) => i));
});
