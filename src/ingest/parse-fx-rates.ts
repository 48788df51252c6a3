/** `fx_rates` rows (inputs.md) → `FxRate` records. */
import { formatIsoDate } from '../engine/calendar/calendar-date.js';
import type { FxRate } from '../engine/model.js';
import { parseDecimalRatio } from '../engine/money/decimal.js';
import { dateField, fail, requiredCurrencyField, requiredDecimalTextField } from './field-schemas.js';
import { rowSchema, type RowKind } from './row-kind.js';

const schema = rowSchema({
  date: dateField(),
  base: requiredCurrencyField(),
  quote: requiredCurrencyField(),
  rate: requiredDecimalTextField(),
}).transform(({ cells, source }, ctx): FxRate => {
  const parsed = parseDecimalRatio(cells.rate);
  if (!parsed.ok) return fail(ctx, parsed.message, ['rate']);
  const rate = parsed.value;
  if (rate.num <= 0n) return fail(ctx, `${cells.rate} is not a rate: it must be greater than 0`, ['rate']);
  // A same-currency row says nothing, but one with another rate contradicts itself.
  if (cells.base === cells.quote && rate.num !== rate.den) return fail(ctx, `${cells.base}/${cells.quote} can only have rate 1`, ['rate']);
  return { date: cells.date, base: cells.base, quote: cells.quote, rate, source };
});

export const fxRateRows: RowKind<FxRate> = {
  kind: 'fx_rates',
  columns: Object.keys(schema.in.shape.cells.shape),
  requiredColumns: ['date', 'base', 'quote', 'rate'],
  id: null,
  // Two rates for one pair and day would make every conversion on that day ambiguous.
  uniqueKey: (record) => ({
    key: `${record.date} ${record.base} ${record.quote}`,
    column: 'date',
    label: `rate ${record.base}/${record.quote} on ${formatIsoDate(record.date)}`,
  }),
  schema,
};
