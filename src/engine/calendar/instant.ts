/**
 * Instants (points on the UTC time line, in epoch milliseconds) and their calendar date in an
 * explicit IANA time zone. The machine's own zone is never consulted.
 */
import { Temporal } from 'temporal-polyfill';
import { assert } from '../assert.js';
import type { CalendarDate } from './calendar-date.js';

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

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Parses an ISO 8601 timestamp that carries an offset or `Z`, or integer Unix seconds.
 * A timestamp without an offset is ambiguous and rejected (null).
 */
export function parseInstant(text: string): Instant | null {
  if (/^-?\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? ((seconds * 1000) as Instant) : null;
  }
  if (!ISO_TIMESTAMP.test(text)) return null;
  try {
    return Temporal.Instant.from(text.replace(' ', 'T')).epochMilliseconds as Instant;
  } catch {
    return null;
  }
}
