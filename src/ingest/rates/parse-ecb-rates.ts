/**
 * The ECB's euro reference rates as published, in two shapes:
 *
 * - the history file `eurofxref-hist.csv` (and the daily `eurofxref.csv`): a `Date` column then one
 *   column per currency, values per euro, `N/A` where the currency had no rate that day, every
 *   line ending with a comma (an empty last column); the daily file also pads with spaces and
 *   writes its date as `29 November 2024`;
 * - the ECB Data Portal's `format=csvdata` export of the EXR dataset: one observation per row
 *   with `CURRENCY`, `CURRENCY_DENOM`, `FREQ`, `TIME_PERIOD` and `OBS_VALUE`.
 *
 * Rates are read exactly from their decimal text. A value that is not a rate rejects that one
 * rate (its line and currency), never the day's other currencies.
 */
import Papa from 'papaparse';
import { dateFromCivil, daysInMonth, formatIsoDate, parseIsoDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { FxRate } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import { parseCurrency, type CurrencyCode } from '../../engine/money/currency.js';
import { parseDecimalRatio } from '../../engine/money/decimal.js';
import type { Ratio } from '../../engine/money/ratio.js';

export interface ParsedRates {
  readonly rates: FxRate[];
  readonly rejects: RejectedRow[];
  readonly warnings: string[];
}

export type EcbVariant = 'history' | 'data-portal';

const EUR = 'EUR' as CurrencyCode;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const SPELLED_DATE = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/;

function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Which ECB shape a header line is, or null. */
export function ecbVariant(headerLine: string): EcbVariant | null {
  const columns = headerLine.split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
  if (columns.includes('TIME_PERIOD') && columns.includes('OBS_VALUE') && columns.includes('CURRENCY')) return 'data-portal';
  if (columns[0]?.toLowerCase() === 'date' && !columns.includes('base') && columns.slice(1).some((column) => /^[A-Z]{3}$/.test(column))) return 'history';
  return null;
}

/** `2024-11-29`, or `29 November 2024` as the daily file writes it. */
function parseEcbDate(text: string): CalendarDate | null {
  const iso = parseIsoDate(text);
  if (iso !== null) return iso;
  const spelled = SPELLED_DATE.exec(text);
  if (!spelled) return null;
  const month = MONTHS.indexOf(spelled[2]!.toLowerCase()) + 1;
  const year = Number(spelled[3]);
  const day = Number(spelled[1]);
  if (month === 0 || day < 1 || day > daysInMonth(year, month)) return null;
  return dateFromCivil(year, month, day);
}

function readRate(text: string): { ok: true; rate: Ratio } | { ok: false; message: string } {
  const parsed = parseDecimalRatio(text);
  if (!parsed.ok) return { ok: false, message: `${JSON.stringify(text)} is not a rate (a decimal number, or N/A)` };
  if (parsed.value.num <= 0n) return { ok: false, message: `${text} is not a rate: it must be greater than 0` };
  return { ok: true, rate: parsed.value };
}

class RateCollector {
  readonly rates: FxRate[] = [];
  readonly rejects: RejectedRow[] = [];
  readonly warnings: string[] = [];
  private readonly seen = new Map<string, number>();
  private readonly ratios = new Map<string, Ratio>();

  constructor(readonly file: string) {}

  reject(line: number, column: string, message: string): void {
    this.rejects.push({ file: this.file, line, column, message });
  }

  add(date: CalendarDate, base: CurrencyCode, quote: CurrencyCode, text: string, line: number, column: string): void {
    let rate = this.ratios.get(text);
    if (rate === undefined) {
      const read = readRate(text);
      if (!read.ok) {
        this.reject(line, column, read.message);
        return;
      }
      rate = read.rate;
      this.ratios.set(text, rate);
    }
    const key = `${date} ${base} ${quote}`;
    const first = this.seen.get(key);
    if (first !== undefined) {
      this.reject(line, column, `duplicate rate ${base}/${quote} on ${formatIsoDate(date)} (first at ${this.file}:${first})`);
      return;
    }
    this.seen.set(key, line);
    this.rates.push({ date, base, quote, rate, source: { file: this.file, line } });
  }

  result(): ParsedRates {
    // Oldest first, as every other rates source: the ECB publishes the newest day first.
    this.rates.sort((a, b) => a.date - b.date || (a.quote < b.quote ? -1 : a.quote > b.quote ? 1 : 0));
    return { rates: this.rates, rejects: this.rejects, warnings: this.warnings };
  }
}

function parseHistory(lines: readonly string[], file: string): ParsedRates {
  const out = new RateCollector(file);
  const header = (lines[0] ?? '').split(',').map((column) => column.trim());
  const columns: (CurrencyCode | null)[] = header.map((code, index) => {
    if (index === 0 || code === '') return null;
    const currency = parseCurrency(code);
    if (currency === null) out.warnings.push(`${file}: column ${code} is not a current ISO 4217 currency (replaced by the euro or redenominated); its rates are ignored`);
    return currency;
  });
  for (let index = 1; index < lines.length; index++) {
    const text = lines[index]!;
    if (text.trim() === '') continue;
    const line = index + 1;
    const fields = text.split(',').map((field) => field.trim());
    // The trailing empty column may be present on either the header or the rows alone.
    const extra = fields.slice(header.length).some((field) => field !== '');
    const missing = header.slice(fields.length).some((column) => column !== '');
    if (extra || missing) {
      out.reject(line, '', `the row has ${fields.length} fields but the header has ${header.length} columns`);
      continue;
    }
    const dateText = fields[0] ?? '';
    const date = parseEcbDate(dateText);
    if (date === null) {
      out.reject(line, header[0] ?? 'Date', `${JSON.stringify(dateText)} is not a date (YYYY-MM-DD)`);
      continue;
    }
    columns.forEach((quote, column) => {
      if (quote === null) return;
      const value = fields[column] ?? '';
      if (value === '' || value.toUpperCase() === 'N/A') return;
      out.add(date, EUR, quote, value, line, header[column]!);
    });
  }
  return out.result();
}

function parseDataPortal(text: string, file: string): ParsedRates {
  const out = new RateCollector(file);
  const parsed = Papa.parse<string[]>(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { skipEmptyLines: false });
  const rows = parsed.data;
  const header = (rows[0] ?? []).map((column) => column.trim());
  const at = (name: string) => header.indexOf(name);
  const [currencyAt, denominatorAt, frequencyAt, periodAt, valueAt] = ['CURRENCY', 'CURRENCY_DENOM', 'FREQ', 'TIME_PERIOD', 'OBS_VALUE'].map(at) as [number, number, number, number, number];
  // The export writes no line breaks inside values, so row n sits on line n + 1.
  for (let index = 1; index < rows.length; index++) {
    const row = rows[index]!;
    if (row.length === 1 && row[0]!.trim() === '') continue;
    const line = index + 1;
    const cell = (position: number) => (position < 0 ? '' : (row[position] ?? '').trim());
    const frequency = cell(frequencyAt);
    if (frequency !== '' && frequency !== 'D') {
      out.reject(line, 'FREQ', `${JSON.stringify(frequency)} is not a daily series (FREQ D): only daily reference rates are exchange rates of a day`);
      continue;
    }
    const quote = parseCurrency(cell(currencyAt));
    if (quote === null) {
      out.reject(line, 'CURRENCY', `${JSON.stringify(cell(currencyAt))} is not an ISO 4217 currency code`);
      continue;
    }
    const base = denominatorAt < 0 ? EUR : parseCurrency(cell(denominatorAt));
    if (base === null) {
      out.reject(line, 'CURRENCY_DENOM', `${JSON.stringify(cell(denominatorAt))} is not an ISO 4217 currency code`);
      continue;
    }
    const date = parseIsoDate(cell(periodAt));
    if (date === null) {
      out.reject(line, 'TIME_PERIOD', `${JSON.stringify(cell(periodAt))} is not a date (YYYY-MM-DD)`);
      continue;
    }
    const value = cell(valueAt);
    if (value === '' || value.toUpperCase() === 'NAN' || value.toUpperCase() === 'N/A') continue;
    out.add(date, base, quote, value, line, 'OBS_VALUE');
  }
  return out.result();
}

/** Parses ECB rates text of either shape; null when its header is neither. */
export function parseEcbRates(text: string, file: string): (ParsedRates & { variant: EcbVariant }) | null {
  const lines = splitLines(text);
  const variant = ecbVariant(lines[0] ?? '');
  if (variant === null) return null;
  return { ...(variant === 'history' ? parseHistory(lines, file) : parseDataPortal(text, file)), variant };
}
