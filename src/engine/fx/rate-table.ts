/**
 * Daily reference rates with carry-forward, inverse and cross rates (inputs.md, fx_rates).
 * 1 `from` = rate `to`. Every rate is an exact ratio.
 */
import { lastIndexOnOrBefore } from '../calendar/last-index-on-or-before.js';
import type { CalendarDate } from '../calendar/calendar-date.js';
import { formatIsoDate } from '../calendar/calendar-date.js';
import type { FxRate } from '../model.js';
import type { CurrencyCode } from '../money/currency.js';
import { divide, multiply, ONE, type Ratio } from '../money/ratio.js';

/** No rate on or before the day a conversion needs: the user must supply one. */
export class MissingRateError extends Error {
  override readonly name = 'MissingRateError';
  constructor(
    readonly from: CurrencyCode,
    readonly to: CurrencyCode,
    readonly date: CalendarDate,
  ) {
    super(`no exchange rate ${from}→${to} on or before ${formatIsoDate(date)}: add an fx_rates row for ${from}/${to} (or a common base) dated on or before it`);
  }
}

interface Series {
  readonly days: CalendarDate[];
  readonly rates: Ratio[];
}

type Leg = { readonly series: Series; readonly inverse: boolean };

export class RateTable {
  private readonly series = new Map<string, Series>();
  private readonly currencies: CurrencyCode[];
  private readonly changeDayCache = new Map<string, CalendarDate[]>();

  constructor(rows: readonly FxRate[]) {
    const byPair = new Map<string, FxRate[]>();
    const currencies = new Set<CurrencyCode>();
    for (const row of rows) {
      const key = `${row.base}/${row.quote}`;
      let list = byPair.get(key);
      if (!list) byPair.set(key, (list = []));
      list.push(row);
      currencies.add(row.base);
      currencies.add(row.quote);
    }
    for (const [key, list] of byPair) {
      // Deterministic whatever the row order: the last row of a day by (date, rate text order).
      list.sort((a, b) => a.date - b.date || Number(a.rate.num * b.rate.den - b.rate.num * a.rate.den));
      const days: CalendarDate[] = [];
      const rates: Ratio[] = [];
      for (const row of list) {
        if (days.length > 0 && days[days.length - 1] === row.date) rates[rates.length - 1] = row.rate;
        else {
          days.push(row.date);
          rates.push(row.rate);
        }
      }
      this.series.set(key, { days, rates });
    }
    this.currencies = [...currencies].sort();
  }

  get isEmpty(): boolean {
    return this.series.size === 0;
  }

  private leg(from: CurrencyCode, to: CurrencyCode, day: CalendarDate): Ratio | null {
    const direct = this.series.get(`${from}/${to}`);
    if (direct) {
      const index = lastIndexOnOrBefore(direct.days, day);
      if (index >= 0) return direct.rates[index]!;
    }
    const reverse = this.series.get(`${to}/${from}`);
    if (reverse) {
      const index = lastIndexOnOrBefore(reverse.days, day);
      if (index >= 0) return divide(ONE, reverse.rates[index]!);
    }
    return null;
  }

  /** The rate in force on `day`, or null when none exists on or before it. */
  rate(from: CurrencyCode, to: CurrencyCode, day: CalendarDate): Ratio | null {
    if (from === to) return ONE;
    const direct = this.leg(from, to, day);
    if (direct) return direct;
    for (const via of this.currencies) {
      if (via === from || via === to) continue;
      const first = this.leg(from, via, day);
      if (!first) continue;
      const second = this.leg(via, to, day);
      if (second) return multiply(first, second);
    }
    return null;
  }

  requireRate(from: CurrencyCode, to: CurrencyCode, day: CalendarDate): Ratio {
    const rate = this.rate(from, to, day);
    if (!rate) throw new MissingRateError(from, to, day);
    return rate;
  }

  /** Every day on which the rate from→to may change (a superset: unchanged rates are harmless). */
  changeDays(from: CurrencyCode, to: CurrencyCode): readonly CalendarDate[] {
    if (from === to) return [];
    const key = `${from}/${to}`;
    let days = this.changeDayCache.get(key);
    if (!days) {
      const legs: Leg[] = [];
      const involved = new Set<string>([from, to]);
      for (const [pair, series] of this.series) {
        const [base, quote] = pair.split('/') as [string, string];
        if (involved.has(base) || involved.has(quote)) legs.push({ series, inverse: false });
      }
      const all = new Set<CalendarDate>();
      for (const leg of legs) for (const day of leg.series.days) all.add(day);
      days = [...all].sort((a, b) => a - b);
      this.changeDayCache.set(key, days);
    }
    return days;
  }
}
