/**
 * Zod schemas for the value conventions of inputs.md (ids, amounts, currencies, dates, moments,
 * booleans, integers, enumerations). Each takes one cell as read from a file and either returns
 * the typed value or records one issue whose message reads well after `column: `.
 *
 * Cells are text (CSV values, NDJSON strings, and NDJSON numbers kept as their source text) or a
 * nested JSON value, which no column accepts. A cell that is empty or only whitespace is absent.
 */
import { z } from 'zod';
import { parseIsoDate, type CalendarDate } from '../engine/calendar/calendar-date.js';
import { parseInstant } from '../engine/calendar/instant.js';
import type { Moment } from '../engine/model.js';
import { parseDecimalRatio, parseMinorUnits, type DecimalResult } from '../engine/money/decimal.js';
import { currencyExponent, parseCurrency, type CurrencyCode } from '../engine/money/currency.js';
import { ownString } from './string-pool.js';

/** One value as read: text, or a nested JSON object or array from an NDJSON row. */
export type Cell = string | object;

/** A row reduced to the columns its kind knows, each present ('' when the file has no value). */
export type Cells = Readonly<Record<string, Cell>>;

type Context = z.core.$RefinementCtx<unknown>;

export const REQUIRED = 'a value is required';

/** Records an issue on the current value; the column is added by the enclosing object. */
export function fail(ctx: Context, message: string, path?: readonly string[]): never {
  ctx.addIssue(path ? { code: 'custom', message, path: [...path] } : { code: 'custom', message });
  return z.NEVER;
}

/** A schema for one cell: `parse` gets its text; a nested JSON value is an issue of its own. */
function cell<T>(parse: (text: string, ctx: Context) => T) {
  return z.unknown().transform((value, ctx): T => {
    if (typeof value !== 'string') return fail(ctx, `expected a single value, not ${Array.isArray(value) ? 'a list' : 'an object'}`);
    return parse(value, ctx);
  });
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/**
 * Ids are opaque: kept exactly as written, never trimmed; only an all-blank cell is missing.
 * Like `textField`, it returns the text as read: records copy or pool it (see string-pool).
 */
export function idField() {
  return cell((text, ctx): string => (isBlank(text) ? fail(ctx, REQUIRED) : text));
}

export function optionalIdField() {
  return textField();
}

/** Free text (names, attributes): kept exactly as written; all-blank is null. */
export function textField() {
  return cell((text): string | null => (isBlank(text) ? null : text));
}

export function enumField<const T extends string>(values: readonly T[], options: { required?: boolean } = {}) {
  return cell((raw, ctx): T | null => {
    const text = raw.trim();
    if (text === '') return options.required ? fail(ctx, REQUIRED) : null;
    const lower = text.toLowerCase();
    return values.find((candidate) => candidate === lower) ?? fail(ctx, `"${text}" is not one of ${values.join(', ')}`);
  });
}

export function requiredEnumField<const T extends string>(values: readonly T[]) {
  return enumField(values, { required: true }).transform((value): T => value as T);
}

/** One string per currency code for all records (bounded by the ISO list, so never released). */
const currencies = new Map<string, CurrencyCode>();

function sharedCurrency(text: string): CurrencyCode | null {
  let code = currencies.get(text);
  if (code === undefined) {
    const parsed = parseCurrency(text);
    if (parsed === null) return null;
    code = currencies.get(parsed) ?? parsed;
    currencies.set(code, code);
    currencies.set(ownString(text), code);
  }
  return code;
}

export function currencyField(options: { required?: boolean } = {}) {
  return cell((raw, ctx): CurrencyCode | null => {
    const text = raw.trim();
    if (text === '') return options.required ? fail(ctx, REQUIRED) : null;
    return sharedCurrency(text) ?? fail(ctx, `"${text}" is not an ISO 4217 currency code`);
  });
}

export function requiredCurrencyField() {
  return currencyField({ required: true }).transform((value): CurrencyCode => value as CurrencyCode);
}

/** The syntax `parseMinorUnits` and `parseDecimalRatio` accept, checked without parsing twice. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;
/** Whole numbers that a double holds exactly, read without BigInt. */
const SMALL_INTEGER = /^[+-]?\d{1,15}$/;

/**
 * A decimal amount in major units, checked for syntax only and kept as trimmed text: how many
 * decimals it may have depends on the row's currency, checked once the whole row is known.
 */
export function decimalTextField(options: { required?: boolean } = {}) {
  return cell((raw, ctx): string | null => {
    const text = raw.trim();
    if (text === '') return options.required ? fail(ctx, REQUIRED) : null;
    if (DECIMAL.test(text)) return text;
    return fail(ctx, /e/i.test(text) ? `"${text}" is in exponent notation: write the decimal digits` : `"${text}" is not a decimal number`);
  });
}

export function requiredDecimalTextField() {
  return decimalTextField({ required: true }).transform((value): string => value as string);
}

/** An amount already checked by `decimalTextField`, in minor units of `currency`. */
export function minorUnits(text: string, currency: CurrencyCode): DecimalResult<number> {
  const exponent = currencyExponent(currency);
  const result = parseMinorUnits(text, exponent);
  if (result.ok) return result;
  const decimals = (/\.(\d*?)0*$/.exec(text)?.[1] ?? '').length;
  if (decimals > exponent) {
    const allowed = exponent === 0 ? 'no decimals' : `at most ${exponent} decimal${exponent === 1 ? '' : 's'}`;
    return { ok: false, message: `"${text}" has more decimals than ${currency} allows (${allowed})` };
  }
  return result;
}

/** Whole numbers, also when written with zero decimals ("2.0", as spreadsheets export them). */
export function integerField(options: { min?: number } = {}) {
  return cell((raw, ctx): number | null => {
    const text = raw.trim();
    if (text === '') return null;
    const number = SMALL_INTEGER.test(text) ? Number(text) : wholeNumber(text);
    if (number === null) return fail(ctx, `"${text}" is not a whole number`);
    if (!Number.isSafeInteger(number)) return fail(ctx, `"${text}" is too large`);
    if (options.min !== undefined && number < options.min) return fail(ctx, `${text} is below the minimum of ${options.min}`);
    // "-0" is 0.
    return number === 0 ? 0 : number;
  });
}

function wholeNumber(text: string): number | null {
  const parsed = parseDecimalRatio(text);
  return parsed.ok && parsed.value.den === 1n ? Number(parsed.value.num) : null;
}

/** true/false/1/0, any case; null when absent (callers decide whether absent means false). */
export function booleanField() {
  return cell((raw, ctx): boolean | null => {
    const text = raw.trim();
    const lower = text.toLowerCase();
    if (lower === '') return null;
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    return fail(ctx, `"${text}" is not a boolean (true, false, 1 or 0)`);
  });
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i;

function invalidDate(text: string): string {
  return `"${text}" is not a valid calendar date`;
}

export function dateField() {
  return cell((raw, ctx): CalendarDate => {
    const text = raw.trim();
    if (text === '') return fail(ctx, REQUIRED);
    if (!DATE_SHAPE.test(text)) return fail(ctx, `"${text}" is not a date (YYYY-MM-DD)`);
    return parseIsoDate(text) ?? fail(ctx, invalidDate(text));
  });
}

/** A date (`YYYY-MM-DD`, taken as that calendar date) or a timestamp with an offset, or Unix seconds. */
export function momentField(options: { required?: boolean } = {}) {
  return cell((raw, ctx): Moment | null => {
    const text = raw.trim();
    if (text === '') return options.required ? fail(ctx, REQUIRED) : null;
    if (DATE_SHAPE.test(text)) {
      const date = parseIsoDate(text);
      return date === null ? fail(ctx, invalidDate(text)) : { kind: 'date', date };
    }
    const instant = parseInstant(text);
    if (instant !== null) return { kind: 'instant', instant };
    if (LOCAL_TIMESTAMP.test(text)) return fail(ctx, `"${text}" has no offset: add Z or +hh:mm, since a local time names no instant`);
    return fail(ctx, `"${text}" is neither a date (YYYY-MM-DD) nor a timestamp (ISO 8601 with an offset, or Unix seconds)`);
  });
}

export function requiredMomentField() {
  return momentField({ required: true }).transform((value): Moment => value as Moment);
}

/** The column of the first issue (`[…, column]`) and its message. */
export function firstProblem(error: z.ZodError): { column: string; message: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { column: '', message: 'invalid row' };
  const last = issue.path[issue.path.length - 1];
  return { column: typeof last === 'string' ? last : '', message: issue.message };
}
