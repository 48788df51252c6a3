import { assertNever } from '../assert.js';
import type { BillingInterval } from '../model.js';
import { ratio, type Ratio } from '../money/ratio.js';

const ONE_MONTH: Ratio = ratio(1n, 1n);
const ONE_YEAR: Ratio = ratio(1n, 12n);

/**
 * The share of one interval's amount that makes one month (mrr-rules.md §2): a week is 52/12
 * of a month's worth per year, a day 365/12, never a 30-day approximation.
 */
export function monthlyFactor(interval: BillingInterval): Ratio {
  // Asked once per invoice line, nearly always for one month or one year: no BigInt work then.
  if (interval.count === 1 && interval.unit === 'month') return ONE_MONTH;
  if (interval.count === 1 && interval.unit === 'year') return ONE_YEAR;
  const count = BigInt(interval.count);
  switch (interval.unit) {
    case 'month':
      return ratio(1n, count);
    case 'year':
      return ratio(1n, 12n * count);
    case 'week':
      return ratio(52n, 12n * count);
    case 'day':
      return ratio(365n, 12n * count);
    default:
      return assertNever(interval.unit, 'interval unit');
  }
}
