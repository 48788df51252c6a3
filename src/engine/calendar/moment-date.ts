import type { Moment } from '../model.js';
import type { CalendarDate } from './calendar-date.js';
import { dateOfInstant } from './instant.js';

/** The calendar date of a date-or-instant value in the configured zone. */
export function momentDate(moment: Moment, zone: string): CalendarDate {
  return moment.kind === 'date' ? moment.date : dateOfInstant(moment.instant, zone);
}

/**
 * A total order for values given as dates or instants, used to sequence events and pick the
 * latest issue: a date-only value sorts at the start of its day, before instants of that day.
 */
export function momentSortKey(moment: Moment, zone: string): [number, number] {
  return moment.kind === 'date' ? [moment.date, -Infinity] : [dateOfInstant(moment.instant, zone), moment.instant];
}
