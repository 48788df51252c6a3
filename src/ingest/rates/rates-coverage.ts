/**
 * What a set of exchange rates covers, per currency pair: first and last day, rows, and the
 * stretches of business days without a rate. Runrate carries the latest earlier rate forward
 * over any day without one (inputs.md §fx_rates), so a long gap or an early end silently freezes
 * a currency's conversion: this is what the warnings are for. Weekends never count as missing;
 * holidays do, which is why only gaps longer than a few business days are reported.
 */
import { addDays, dayOfWeek, formatIsoDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import type { FxRate } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';

export interface RateGap {
  /** The last day with a rate before the gap. */
  readonly after: CalendarDate;
  /** The next day with a rate. */
  readonly before: CalendarDate;
  /** Monday-to-Friday days strictly between the two without a rate. */
  readonly businessDays: number;
}

export interface PairCoverage {
  readonly base: CurrencyCode;
  readonly quote: CurrencyCode;
  readonly first: CalendarDate;
  readonly last: CalendarDate;
  readonly rows: number;
  /** Gaps longer than `maxGapBusinessDays`. */
  readonly gaps: readonly RateGap[];
}

export interface RatesCoverage {
  readonly first: CalendarDate | null;
  readonly last: CalendarDate | null;
  readonly rows: number;
  readonly currencies: readonly CurrencyCode[];
  /** Sorted by base, then quote. */
  readonly pairs: readonly PairCoverage[];
  readonly warnings: readonly string[];
}

export interface RatesCoverageOptions {
  /** A stretch of more business days than this without a rate is a gap. Default 5. */
  readonly maxGapBusinessDays?: number;
  /** When given, a pair whose last rate is longer ago than that is reported as stale. */
  readonly asOf?: CalendarDate;
}

export const DEFAULT_MAX_GAP_BUSINESS_DAYS = 5;

/** Monday-to-Friday days in `[from, to)`. */
function weekdaysFrom(from: CalendarDate, to: CalendarDate): number {
  if (to <= from) return 0;
  const days = to - from;
  let count = Math.floor(days / 7) * 5;
  for (let day = addDays(from, Math.floor(days / 7) * 7); day < to; day = addDays(day, 1)) if (dayOfWeek(day) < 5) count++;
  return count;
}

/** Business days strictly between two dates. */
export function businessDaysBetween(after: CalendarDate, before: CalendarDate): number {
  return weekdaysFrom(addDays(after, 1), before);
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function ratesCoverage(rates: readonly FxRate[], options: RatesCoverageOptions = {}): RatesCoverage {
  const maxGap = options.maxGapBusinessDays ?? DEFAULT_MAX_GAP_BUSINESS_DAYS;
  const byPair = new Map<string, { base: CurrencyCode; quote: CurrencyCode; dates: CalendarDate[] }>();
  const currencies = new Set<CurrencyCode>();
  for (const rate of rates) {
    const key = `${rate.base}/${rate.quote}`;
    const entry = byPair.get(key);
    if (entry) entry.dates.push(rate.date);
    else byPair.set(key, { base: rate.base, quote: rate.quote, dates: [rate.date] });
    currencies.add(rate.base);
    currencies.add(rate.quote);
  }

  const pairs: PairCoverage[] = [];
  for (const { base, quote, dates } of byPair.values()) {
    dates.sort((a, b) => a - b);
    const gaps: RateGap[] = [];
    for (let index = 1; index < dates.length; index++) {
      const after = dates[index - 1]!;
      const before = dates[index]!;
      const businessDays = businessDaysBetween(after, before);
      if (businessDays > maxGap) gaps.push({ after, before, businessDays });
    }
    pairs.push({ base, quote, first: dates[0]!, last: dates[dates.length - 1]!, rows: dates.length, gaps });
  }
  pairs.sort((a, b) => compareCodes(a.base, b.base) || compareCodes(a.quote, b.quote));

  const first = pairs.length === 0 ? null : (Math.min(...pairs.map((pair) => pair.first)) as CalendarDate);
  const last = pairs.length === 0 ? null : (Math.max(...pairs.map((pair) => pair.last)) as CalendarDate);
  const warnings: string[] = [];
  for (const pair of pairs) {
    const name = `${pair.base}/${pair.quote}`;
    for (const gap of pair.gaps) {
      warnings.push(
        `${name}: no rate for ${gap.businessDays} business days between ${formatIsoDate(gap.after)} and ${formatIsoDate(gap.before)}; the ${formatIsoDate(gap.after)} rate applies in between`,
      );
    }
    if (last !== null && businessDaysBetween(pair.last, addDays(last, 1)) > maxGap) {
      warnings.push(`${name}: rates end on ${formatIsoDate(pair.last)}, before the other pairs (${formatIsoDate(last)}); later days take the ${formatIsoDate(pair.last)} rate`);
    } else if (options.asOf !== undefined && businessDaysBetween(pair.last, addDays(options.asOf, 1)) > maxGap) {
      warnings.push(`${name}: the last rate is on ${formatIsoDate(pair.last)}, ${businessDaysBetween(pair.last, addDays(options.asOf, 1))} business days before ${formatIsoDate(options.asOf)}; later days take that rate`);
    }
  }
  return { first, last, rows: rates.length, currencies: [...currencies].sort(compareCodes), pairs, warnings };
}
