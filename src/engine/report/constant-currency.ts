/**
 * Customers' MRR converted at the rates of another day (nrr_12m: "FX at the rates of that
 * earlier day"), so that a year of exchange-rate drift does not count as retention.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import type { SubscriptionTimeline } from '../compute-movements.js';
import { convertMinorUnits } from '../fx/convert-minor-units.js';
import type { RateTable } from '../fx/rate-table.js';
import type { CurrencyCode } from '../money/currency.js';
import type { ConstantCurrency } from './metrics-report.js';
import { pointOn } from './point-on.js';
import type { View } from './segment-view.js';

export function constantCurrency(
  timelines: readonly SubscriptionTimeline[],
  view: Pick<View, 'includes'>,
  rates: RateTable,
  reporting: CurrencyCode,
): ConstantCurrency {
  const byCustomer = new Map<string, SubscriptionTimeline[]>();
  for (const timeline of timelines) {
    let list = byCustomer.get(timeline.customerId);
    if (!list) byCustomer.set(timeline.customerId, (list = []));
    list.push(timeline);
  }
  return {
    customerMrrAtRatesOf(customerId: string, day: CalendarDate, rateDay: CalendarDate): number {
      let total = 0;
      for (const timeline of byCustomer.get(customerId) ?? []) {
        const point = pointOn(timeline.points, day);
        if (!point || point.mrr <= 0 || !view.includes(timeline, day)) continue;
        // Without a rate as early as that day, the MRR as reported is the best constant there is.
        const rate = rates.rate(timeline.currency, reporting, rateDay);
        total += rate ? convertMinorUnits(point.nativeMrr, rate, timeline.currency, reporting) : point.mrr;
      }
      return total;
    },
  };
}
