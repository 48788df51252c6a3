/**
 * Reading the values of one ChartMogul JSON object: ids, amounts in cents, timestamps, currencies,
 * booleans and enumerations. A value that cannot be read throws a `FieldProblem` naming the JSON
 * path of the field (`invoices[3].line_items[0].service_period_end`); the mapper of the object
 * catches it and turns the whole object into one rejected row, so a bad object never crashes an
 * import and never disappears silently.
 *
 * Objects come from `parseJsonWithNumberText`, so every JSON number arrives as the exact text it
 * was written with (`5000`, `50.5`): amounts are never read through a binary float.
 */
import { parseIsoDate } from '../../engine/calendar/calendar-date.js';
import { parseInstant } from '../../engine/calendar/instant.js';
import type { Moment } from '../../engine/model.js';
import { parseCurrency, type CurrencyCode } from '../../engine/money/currency.js';

export class FieldProblem extends Error {
  override readonly name = 'FieldProblem';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `invoices[3]` + `line_items` → `invoices[3].line_items`. */
export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function itemPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

export const REQUIRED = 'a value is required';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** ChartMogul writes `2022-11-10 00:00:00` and documents such values as UTC. */
const WITHOUT_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)$/;
const WHOLE_NUMBER = /^[+-]?\d+$/;

/**
 * A ChartMogul timestamp: ISO 8601 with or without an offset (without one it is UTC, as the
 * Import API documents), a date alone (taken as that calendar day, as in canonical files), or
 * Unix seconds.
 */
export function parseChartMogulMoment(text: string): Moment | null {
  const trimmed = text.trim();
  if (DATE_ONLY.test(trimmed)) {
    const date = parseIsoDate(trimmed);
    return date === null ? null : { kind: 'date', date };
  }
  const local = WITHOUT_OFFSET.exec(trimmed);
  const instant = parseInstant(local ? `${local[1]}T${local[2]}Z` : trimmed);
  return instant === null ? null : { kind: 'instant', instant };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The fields of one object at `path`; every reader throws `FieldProblem` on a bad value. */
export class Fields {
  constructor(
    readonly object: JsonObject,
    readonly path: string,
  ) {}

  at(key: string): string {
    return childPath(this.path, key);
  }

  fail(key: string, message: string): never {
    throw new FieldProblem(this.at(key), message);
  }

  /** The raw value; null for absent, JSON null and blank text (ChartMogul sends all three). */
  raw(key: string): unknown {
    const value = this.object[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string' && value.trim() === '') return null;
    return value;
  }

  has(key: string): boolean {
    return this.raw(key) !== null;
  }

  private scalar(key: string, expected: string): string | null {
    const value = this.raw(key);
    if (value === null) return null;
    if (typeof value === 'string') return value;
    return this.fail(key, `expected ${expected}, not ${describe(value)}`);
  }

  /** Ids are kept exactly as written (numbers as their digits). */
  id(key: string): string | null {
    return this.scalar(key, 'an id');
  }

  requiredId(key: string): string {
    return this.id(key) ?? this.fail(key, REQUIRED);
  }

  text(key: string): string | null {
    return this.scalar(key, 'a text');
  }

  /** A whole number of minor units of the invoice's currency ("cents"). */
  cents(key: string): number | null {
    const text = this.scalar(key, 'a whole number of cents');
    if (text === null) return null;
    const trimmed = text.trim();
    if (!WHOLE_NUMBER.test(trimmed)) {
      return this.fail(key, `expected a whole number of cents (minor units of the currency), not ${JSON.stringify(text)}`);
    }
    const value = Number(trimmed);
    if (!Number.isSafeInteger(value)) return this.fail(key, `${trimmed} is too large`);
    return value === 0 ? 0 : value;
  }

  requiredCents(key: string): number {
    return this.cents(key) ?? this.fail(key, REQUIRED);
  }

  integer(key: string, options: { min?: number } = {}): number | null {
    const text = this.scalar(key, 'a whole number');
    if (text === null) return null;
    const trimmed = text.trim();
    if (!WHOLE_NUMBER.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) return this.fail(key, `expected a whole number, not ${JSON.stringify(text)}`);
    const value = Number(trimmed);
    if (options.min !== undefined && value < options.min) return this.fail(key, `${trimmed} is below the minimum of ${options.min}`);
    return value === 0 ? 0 : value;
  }

  boolean(key: string): boolean | null {
    const value = this.raw(key);
    if (value === null) return null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const lower = value.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
    }
    return this.fail(key, `expected true or false, not ${describe(value)}`);
  }

  moment(key: string): Moment | null {
    const text = this.scalar(key, 'a timestamp');
    if (text === null) return null;
    return (
      parseChartMogulMoment(text) ??
      this.fail(key, `expected a timestamp (ISO 8601 such as "2024-01-15 00:00:00" or "2024-01-15T00:00:00Z", UTC without an offset), not ${JSON.stringify(text)}`)
    );
  }

  requiredMoment(key: string): Moment {
    return this.moment(key) ?? this.fail(key, REQUIRED);
  }

  currency(key: string): CurrencyCode | null {
    const text = this.scalar(key, 'an ISO 4217 currency code');
    if (text === null) return null;
    return parseCurrency(text) ?? this.fail(key, `${JSON.stringify(text)} is not an ISO 4217 currency code`);
  }

  requiredCurrency(key: string): CurrencyCode {
    return this.currency(key) ?? this.fail(key, REQUIRED);
  }

  oneOf<const T extends string>(key: string, values: readonly T[]): T | null {
    const text = this.scalar(key, `one of ${values.join(', ')}`);
    if (text === null) return null;
    const lower = text.trim().toLowerCase();
    return values.find((candidate) => candidate === lower) ?? this.fail(key, `${JSON.stringify(text)} is not one of ${values.join(', ')}`);
  }

  requiredOneOf<const T extends string>(key: string, values: readonly T[]): T {
    return this.oneOf(key, values) ?? this.fail(key, REQUIRED);
  }

  /** A list of objects (absent is an empty list). */
  list(key: string): unknown[] {
    const value = this.object[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    return this.fail(key, `expected a list, not ${describe(value)}`);
  }
}

/** Amounts in cents minus tax, kept a safe integer. */
export function subtractCents(fields: Fields, key: string, amount: number, tax: number): number {
  const value = amount - tax;
  if (!Number.isSafeInteger(value)) return fields.fail(key, 'the amount minus its tax is too large');
  return value === 0 ? 0 : value;
}
