/**
 * Path-aware reading of Stripe API objects. Every accessor that meets a value of the wrong kind
 * throws a `StripeFieldError` naming the full JSON path (`data[3].lines.data[0].period.end`), so a
 * malformed object becomes a rejected row that says exactly where, never a crash.
 *
 * Numbers may arrive as JSON numbers or as their source text (files are parsed with
 * `parseJsonWithNumberText`, so that no amount ever goes through a binary float).
 */
import type { Instant } from '../../engine/calendar/instant.js';
import { parseCurrency, type CurrencyCode } from '../../engine/money/currency.js';

export type JsonObject = { readonly [key: string]: unknown };

export class StripeFieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'StripeFieldError';
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** 9999-12-31T23:59:59Z: later "timestamps" are not dates anyone billed for. */
const MAX_UNIX_SECONDS = 253_402_300_799;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** A whole number from a JSON number or its source text; null when it is not one. */
export function wholeNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && INTEGER.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? (number === 0 ? 0 : number) : null;
  }
  return null;
}

/** One Stripe object (or nested hash) and where it sits in its file. */
export class StripeObject {
  constructor(
    readonly value: JsonObject,
    readonly path: string,
  ) {}

  /** The `object` field: `invoice`, `subscription`, … */
  get type(): string | null {
    const type = this.value.object;
    return typeof type === 'string' ? type : null;
  }

  get deleted(): boolean {
    return this.value.deleted === true || this.value.deleted === 'true';
  }

  pathOf(key: string): string {
    return joinPath(this.path, key);
  }

  fail(key: string, message: string): never {
    throw new StripeFieldError(this.pathOf(key), message);
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  raw(key: string): unknown {
    return this.value[key];
  }

  string(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') return this.fail(key, `expected a string, found ${describe(value)}`);
    return value;
  }

  requiredString(key: string): string {
    return this.string(key) ?? this.fail(key, 'a value is required');
  }

  /** The object's own id, or any other required id field. */
  id(key = 'id'): string {
    const id = this.string(key);
    if (id === null || id.trim() === '') return this.fail(key, 'an id is required');
    return id;
  }

  /** An expandable reference: an id, or the expanded object whose `id` is taken. */
  ref(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value.trim() === '' ? null : value;
    if (isJsonObject(value)) return new StripeObject(value, this.pathOf(key)).id();
    return this.fail(key, `expected an id or an expanded object, found ${describe(value)}`);
  }

  /** The expanded object of a reference, or null when it is only an id (or absent). */
  expanded(key: string): StripeObject | null {
    const value = this.value[key];
    return isJsonObject(value) ? new StripeObject(value, this.pathOf(key)) : null;
  }

  integer(key: string): number | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    const number = wholeNumber(value);
    if (number === null) return this.fail(key, `expected a whole number, found ${describe(value)}`);
    return number;
  }

  requiredInteger(key: string): number {
    return this.integer(key) ?? this.fail(key, 'a whole number is required');
  }

  /** An amount in the currency's smallest unit, as Stripe gives it. */
  amount(key: string): number | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    const number = wholeNumber(value);
    if (number === null) return this.fail(key, `expected an amount in the smallest currency unit (a whole number), found ${describe(value)}`);
    return number;
  }

  requiredAmount(key: string): number {
    return this.amount(key) ?? this.fail(key, 'an amount is required');
  }

  /** A decimal (percent_off 25.5) kept as its exact text. */
  decimalText(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !DECIMAL.test(text)) return this.fail(key, `expected a decimal number, found ${describe(value)}`);
    return text;
  }

  timestamp(key: string): Instant | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    const seconds = wholeNumber(value);
    if (seconds === null || seconds < 0 || seconds > MAX_UNIX_SECONDS) {
      return this.fail(key, `expected a Unix timestamp, found ${describe(value)}`);
    }
    return (seconds * 1000) as Instant;
  }

  requiredTimestamp(key: string): Instant {
    return this.timestamp(key) ?? this.fail(key, 'expected a Unix timestamp, found nothing');
  }

  boolean(key: string): boolean | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return this.fail(key, `expected true or false, found ${describe(value)}`);
  }

  currency(key: string): CurrencyCode | null {
    const text = this.string(key);
    if (text === null) return null;
    return parseCurrency(text) ?? this.fail(key, `"${text}" is not an ISO 4217 currency code`);
  }

  requiredCurrency(key: string): CurrencyCode {
    return this.currency(key) ?? this.fail(key, 'a currency is required');
  }

  object(key: string): StripeObject | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (!isJsonObject(value)) return this.fail(key, `expected an object, found ${describe(value)}`);
    return new StripeObject(value, this.pathOf(key));
  }

  requiredObject(key: string): StripeObject {
    return this.object(key) ?? this.fail(key, 'an object is required');
  }

  /** A JSON array of objects; null or absent is empty. */
  array(key: string): StripeObject[] {
    const value = this.value[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(key, `expected a list, found ${describe(value)}`);
    return value.map((element, index) => {
      const path = joinPath(this.pathOf(key), index);
      if (!isJsonObject(element)) throw new StripeFieldError(path, `expected an object, found ${describe(element)}`);
      return new StripeObject(element, path);
    });
  }

  /** The ids of a list of expandable references (`discounts: ["di_1", {…}]`). */
  refs(key: string): string[] {
    const value = this.value[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(key, `expected a list, found ${describe(value)}`);
    return value.map((element, index) => {
      const path = joinPath(this.pathOf(key), index);
      if (typeof element === 'string' && element.trim() !== '') return element;
      if (isJsonObject(element)) return new StripeObject(element, path).id();
      throw new StripeFieldError(path, `expected an id or an expanded object, found ${describe(element)}`);
    });
  }

  /** The expanded objects among a list of references (`discounts: ["di_1", {…}]`). */
  expandedList(key: string): StripeObject[] {
    const value = this.value[key];
    if (!Array.isArray(value)) return [];
    const objects: StripeObject[] = [];
    value.forEach((element, index) => {
      if (isJsonObject(element)) objects.push(new StripeObject(element, joinPath(this.pathOf(key), index)));
    });
    return objects;
  }

  /** A Stripe list (`{"object": "list", "data": […]}`) or a plain array, as its objects. */
  list(key: string): { items: StripeObject[]; hasMore: boolean } {
    const value = this.value[key];
    if (value === undefined || value === null) return { items: [], hasMore: false };
    if (Array.isArray(value)) return { items: this.array(key), hasMore: false };
    const list = this.object(key)!;
    return { items: list.array('data'), hasMore: list.boolean('has_more') ?? false };
  }

  /** `metadata`: string values only (Stripe never stores anything else there). */
  stringMap(key: string): Record<string, string> {
    const map = this.object(key);
    if (map === null) return {};
    const entries: [string, string][] = [];
    for (const [name, value] of Object.entries(map.value)) {
      if (value === null || value === undefined) continue;
      if (typeof value === 'string') entries.push([name, value]);
      else if (typeof value === 'number' || typeof value === 'boolean') entries.push([name, String(value)]);
      else map.fail(name, `expected a text value, found ${describe(value)}`);
    }
    return Object.fromEntries(entries);
  }
}
