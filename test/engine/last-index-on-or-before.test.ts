import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { lastIndexOnOrBefore } from '../../src/engine/calendar/last-index-on-or-before.js';

test('lastIndexOnOrBefore finds what a scan from the end finds', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 60 })), fc.integer({ min: -5, max: 65 }), (unsorted, day) => {
      const days = [...new Set(unsorted)].sort((a, b) => a - b) as CalendarDate[];
      let expected = -1;
      for (let i = days.length - 1; i >= 0; i--) {
        if (days[i]! <= day) {
          expected = i;
          break;
        }
      }
      expect(lastIndexOnOrBefore(days, day as CalendarDate)).toBe(expected);
    }),
  );
  expect(lastIndexOnOrBefore([], 3 as CalendarDate)).toBe(-1);
});
