import { describe, expect, test } from 'vitest';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import { MissingRateError, RateTable } from '../../src/engine/fx/rate-table.js';
import type { FxRate } from '../../src/engine/model.js';
import { parseCurrency, type CurrencyCode } from '../../src/engine/money/currency.js';
import { parseDecimalRatio } from '../../src/engine/money/decimal.js';
import { formatRatio } from '../../src/engine/money/ratio.js';

const c = (text: string) => parseCurrency(text) as CurrencyCode;
const row = (date: string, base: string, quote: string, rate: string): FxRate => {
  const parsed = parseDecimalRatio(rate);
  if (!parsed.ok) throw new Error(rate);
  return { date: isoDate(date), base: c(base), quote: c(quote), rate: parsed.value, source: { file: 'fx_rates.csv', line: 1 } };
};

describe('rate table', () => {
  const table = new RateTable([
    row('2024-01-05', 'EUR', 'USD', '1.10'), // a Friday
    row('2024-01-08', 'EUR', 'USD', '1.20'),
    row('2024-01-05', 'EUR', 'GBP', '0.88'),
  ]);
  const rate = (from: string, to: string, day: string) => {
    const found = table.rate(c(from), c(to), isoDate(day));
    return found ? formatRatio(found) : null;
  };

  test('direct rates are carried forward over days without a row', () => {
    expect(rate('EUR', 'USD', '2024-01-05')).toBe('11/10');
    expect(rate('EUR', 'USD', '2024-01-07')).toBe('11/10'); // the weekend uses Friday's
    expect(rate('EUR', 'USD', '2024-01-08')).toBe('6/5');
  });

  test('the inverse of a reverse row, and cross rates through a common base', () => {
    expect(rate('USD', 'EUR', '2024-01-06')).toBe('10/11');
    expect(rate('GBP', 'USD', '2024-01-05')).toBe('5/4'); // 1.10 / 0.88
    expect(rate('USD', 'GBP', '2024-01-08')).toBe('11/15'); // 0.88 / 1.20
    expect(rate('USD', 'USD', '1990-01-01')).toBe('1');
  });

  test('no rate on or before the day is an error naming the pair and the date', () => {
    expect(rate('EUR', 'USD', '2024-01-04')).toBeNull();
    expect(() => table.requireRate(c('USD'), c('JPY'), isoDate('2024-02-01'))).toThrow(MissingRateError);
    expect(() => table.requireRate(c('EUR'), c('USD'), isoDate('2024-01-04'))).toThrow('no exchange rate EUR→USD on or before 2024-01-04');
  });

  test('the result does not depend on the order of rows', () => {
    const shuffled = new RateTable([row('2024-01-05', 'EUR', 'GBP', '0.88'), row('2024-01-08', 'EUR', 'USD', '1.20'), row('2024-01-05', 'EUR', 'USD', '1.10')]);
    expect(formatRatio(shuffled.rate(c('GBP'), c('USD'), isoDate('2024-01-09'))!)).toBe(formatRatio(table.rate(c('GBP'), c('USD'), isoDate('2024-01-09'))!));
  });

  test('change days cover every row of every pair that can take part', () => {
    expect(table.changeDays(c('GBP'), c('USD')).map(String)).toEqual([isoDate('2024-01-05'), isoDate('2024-01-08')].map(String));
  });
});
