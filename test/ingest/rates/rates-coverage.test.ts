import { describe, expect, it } from 'vitest';
import { formatIsoDate, isoDate } from '../../../src/engine/calendar/calendar-date.js';
import type { FxRate } from '../../../src/engine/model.js';
import type { CurrencyCode } from '../../../src/engine/money/currency.js';
import { ratio } from '../../../src/engine/money/ratio.js';
import { businessDaysBetween, ratesCoverage } from '../../../src/ingest/rates/rates-coverage.js';
import { loadReferenceRates } from '../../../src/ingest/reference-rates.js';

function rate(date: string, base: string, quote: string): FxRate {
  return { date: isoDate(date), base: base as CurrencyCode, quote: quote as CurrencyCode, rate: ratio(11n, 10n), source: { file: 'test', line: 1 } };
}

/** Every weekday from `first` to `last` for one pair, as a central bank publishes. */
function weekdays(first: string, last: string, base: string, quote: string, except: readonly string[] = []): FxRate[] {
  const out: FxRate[] = [];
  for (let day = isoDate(first); day <= isoDate(last); day++) {
    const text = formatIsoDate(day);
    const weekday = (((day + 3) % 7) + 7) % 7;
    if (weekday < 5 && !except.includes(text)) out.push(rate(text, base, quote));
  }
  return out;
}

describe('business days', () => {
  it('counts Monday to Friday strictly between two dates', () => {
    // Friday 2024-11-29 → Monday 2024-12-02: a weekend, no business day missing.
    expect(businessDaysBetween(isoDate('2024-11-29'), isoDate('2024-12-02'))).toBe(0);
    expect(businessDaysBetween(isoDate('2024-11-27'), isoDate('2024-11-29'))).toBe(1);
    expect(businessDaysBetween(isoDate('2024-11-01'), isoDate('2024-12-02'))).toBe(20);
    expect(businessDaysBetween(isoDate('2024-11-29'), isoDate('2024-11-29'))).toBe(0);
  });
});

describe('ratesCoverage', () => {
  it('gives first and last day and rows per pair; weekends and a holiday are no gap', () => {
    const rates = [...weekdays('2024-12-02', '2024-12-31', 'EUR', 'USD', ['2024-12-25', '2024-12-26']), ...weekdays('2024-12-02', '2024-12-31', 'EUR', 'JPY')];
    const coverage = ratesCoverage(rates);
    expect(coverage.pairs.map((pair) => [`${pair.base}/${pair.quote}`, formatIsoDate(pair.first), formatIsoDate(pair.last), pair.rows, pair.gaps.length])).toEqual([
      ['EUR/JPY', '2024-12-02', '2024-12-31', 22, 0],
      ['EUR/USD', '2024-12-02', '2024-12-31', 20, 0],
    ]);
    expect(coverage.currencies).toEqual(['EUR', 'JPY', 'USD']);
    expect(coverage.rows).toBe(42);
    expect(coverage.warnings).toEqual([]);
  });

  it('warns about a stretch of more business days than allowed without a rate, and about a pair that ends early', () => {
    const rates = [
      ...weekdays('2024-01-01', '2024-03-29', 'EUR', 'USD'),
      ...weekdays('2024-01-01', '2024-03-29', 'EUR', 'ISK').filter((r) => r.date < isoDate('2024-02-05') || r.date > isoDate('2024-02-13')),
      ...weekdays('2024-01-01', '2024-01-31', 'EUR', 'RUB'),
    ];
    const coverage = ratesCoverage(rates);
    const isk = coverage.pairs.find((pair) => pair.quote === 'ISK')!;
    expect(isk.gaps.map((gap) => [formatIsoDate(gap.after), formatIsoDate(gap.before), gap.businessDays])).toEqual([['2024-02-02', '2024-02-14', 7]]);
    expect(coverage.warnings).toEqual([
      'EUR/ISK: no rate for 7 business days between 2024-02-02 and 2024-02-14; the 2024-02-02 rate applies in between',
      'EUR/RUB: rates end on 2024-01-31, before the other pairs (2024-03-29); later days take the 2024-01-31 rate',
    ]);
    // A looser threshold accepts the ISK gap.
    expect(ratesCoverage(rates, { maxGapBusinessDays: 7 }).pairs.find((pair) => pair.quote === 'ISK')!.gaps).toEqual([]);
  });

  it('warns when the rates stop long before --as-of', () => {
    const rates = weekdays('2024-01-01', '2024-03-29', 'EUR', 'USD');
    expect(ratesCoverage(rates, { asOf: isoDate('2024-04-05') }).warnings).toEqual([]);
    expect(ratesCoverage(rates, { asOf: isoDate('2024-06-30') }).warnings).toEqual([
      'EUR/USD: the last rate is on 2024-03-29, 65 business days before 2024-06-30; later days take that rate',
    ]);
  });

  it('is empty for no rates', () => {
    expect(ratesCoverage([])).toEqual({ first: null, last: null, rows: 0, currencies: [], pairs: [], warnings: [] });
  });

  it('covers the bundled history: 23 currencies against the dollar, 1999-01-04 → 2024-11-29', async () => {
    const coverage = ratesCoverage(await loadReferenceRates());
    expect(coverage.currencies).toHaveLength(23);
    expect(formatIsoDate(coverage.first!)).toBe('1999-01-04');
    expect(formatIsoDate(coverage.last!)).toBe('2024-11-29');
    expect(coverage.pairs.find((pair) => pair.base === 'EUR' && pair.quote === 'USD')).toMatchObject({ rows: expect.any(Number) });
    // H.10 skips US holidays only: no stretch of more than five business days without a rate.
    expect(coverage.warnings).toEqual([]);
  });
});
