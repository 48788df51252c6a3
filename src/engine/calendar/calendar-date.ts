/**
 * Calendar dates as whole days since 1970-01-01 (proleptic Gregorian), a branded number so
 * that a date can never be mixed up with an instant. Day arithmetic is plain integer arithmetic;
 * month arithmetic goes through the civil conversion below (Howard Hinnant's algorithm).
 */
import { assert } from '../assert.js';

export type CalendarDate = number & { readonly __calendarDate: unique symbol };

export interface CivilDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

export function dateFromCivil(year: number, month: number, day: number): CalendarDate {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return (era * 146097 + dayOfEra - 719468) as CalendarDate;
}

export function civilFromDate(date: CalendarDate): CivilDate {
  const z = date + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`; returns null for anything else, including 2023-02-29. */
export function parseIsoDate(text: string): CalendarDate | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return dateFromCivil(year, month, day);
}

/** Parses a date the caller has already validated; crashes loudly otherwise. */
export function isoDate(text: string): CalendarDate {
  const date = parseIsoDate(text);
  assert(date !== null, `not a YYYY-MM-DD date: ${text}`);
  return date;
}

export function formatIsoDate(date: CalendarDate): string {
  const { year, month, day } = civilFromDate(date);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return (date + days) as CalendarDate;
}

export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return to - from;
}

/** Adds calendar months, clamping to the end of the month: Jan 31 + 1 month = Feb 29 / Feb 28. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const { year, month, day } = civilFromDate(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = monthIndex - newYear * 12 + 1;
  return dateFromCivil(newYear, newMonth, Math.min(day, daysInMonth(newYear, newMonth)));
}

export function startOfMonth(date: CalendarDate): CalendarDate {
  const { year, month } = civilFromDate(date);
  return dateFromCivil(year, month, 1);
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function dayOfWeek(date: CalendarDate): number {
  return (((date + 3) % 7) + 7) % 7;
}

/**
 * Whole calendar months from `start` to `end` when both fall on the same billing anchor day
 * (the anchor clamps to short months: Jan 31 → Feb 29 → Mar 31 are one month apart each);
 * null when the span is not a whole number of months.
 */
export function wholeMonthsBetween(start: CalendarDate, end: CalendarDate): number | null {
  const s = civilFromDate(start);
  const e = civilFromDate(end);
  const months = e.year * 12 + e.month - (s.year * 12 + s.month);
  if (months <= 0) return null;
  // Anchor days A in 1..31 that clamp to each date: {day} inside a month, [day, 31] on its last day.
  const startIsLast = s.day === daysInMonth(s.year, s.month);
  const endIsLast = e.day === daysInMonth(e.year, e.month);
  const lowest = Math.max(s.day, e.day);
  const startOk = startIsLast ? lowest >= s.day : lowest === s.day;
  const endOk = endIsLast ? lowest >= e.day : lowest === e.day;
  return startOk && endOk ? months : null;
}
