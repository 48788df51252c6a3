import { assertNever } from '../assert.js';
import type { BillingInterval } from '../model.js';
import { ratio, type Ratio } from '../money/ratio.js';

/**
 * The share of one interval's amount that makes one month (mrr-rules.md §2): a week is 52/12
 * of a month's worth per year, a day 365/12, never a 30-day approximation.
 */
export function monthlyFactor(interval: BillingInterval): Ratio {
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
