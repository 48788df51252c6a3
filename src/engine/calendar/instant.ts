/**
 * Instants (points on the UTC time line, in epoch milliseconds) and their calendar date in an
 * explicit IANA time zone. The machine's own zone is never consulted.
 */
import { Temporal } from 'temporal-polyfill';
import { assert } from '../assert.js';
import { dateFromCivil, daysInMonth, type CalendarDate } from './calendar-date.js';

export type Instant = number & { readonly __instant: unique symbol };

const MS_PER_DAY = 86_400_000;
/** Offsets only change on quarter-hour boundaries since 1970, so a quarter hour whose two ends
 * share an offset has that offset throughout. */
const BUCKET_MS = 900_000;

const offsetCache = new Map<string, Map<number, number>>();

export function isValidTimeZone(zone: string): boolean {
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

function offsetAt(epochMs: number, zone: string): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone).offsetNanoseconds / 1e6;
}

function cachedOffset(epochMs: number, zone: string): number {
  let zoneCache = offsetCache.get(zone);
  if (!zoneCache) {
    zoneCache = new Map();
    offsetCache.set(zone, zoneCache);
  }
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let offset = zoneCache.get(bucket);
  if (offset === undefined) {
    const atStart = offsetAt(bucket * BUCKET_MS, zone);
    const atEnd = offsetAt(bucket * BUCKET_MS + BUCKET_MS - 1, zone);
    if (atStart !== atEnd) return offsetAt(epochMs, zone);
    offset = atStart;
    zoneCache.set(bucket, offset);
  }
  return offset;
}

/** The calendar date on which `instant` falls in `zone`. */
export function dateOfInstant(instant: Instant, zone: string): CalendarDate {
  assert(Number.isFinite(instant), `instant must be finite: ${instant}`);
  const offset = zone === 'UTC' ? 0 : cachedOffset(instant, zone);
  return Math.floor((instant + offset) / MS_PER_DAY) as CalendarDate;
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)$/i;

/**
 * Parses an ISO 8601 timestamp that carries an offset or `Z`, or integer Unix seconds.
 * A timestamp without an offset is ambiguous and rejected (null). Plain arithmetic on the
 * proleptic Gregorian calendar: millions of rows are parsed per import.
 */
export function parseInstant(text: string): Instant | null {
  if (/^-?\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? ((seconds * 1000) as Instant) : null;
  }
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, sec, fraction, zone, offsetSign, offsetHours, offsetMinutes] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutesTotal = 0;
  if (zone!.toUpperCase() !== 'Z') {
    const hours = Number(offsetHours);
    const minutes = offsetMinutes === undefined ? 0 : Number(offsetMinutes);
    if (hours > 23 || minutes > 59) return null;
    offsetMinutesTotal = (offsetSign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // Milliseconds of the fraction, truncated like an epoch-milliseconds reading of the instant.
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  return (dateFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute - offsetMinutesTotal) * 60 + second) * 1000 + millis) as Instant;
}
