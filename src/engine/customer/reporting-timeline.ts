/**
 * A subscription's MRR in the reporting currency (mrr-rules.md §6): its native stretches,
 * each converted at the rate of the day `fx.rateDate` points to, split further where that
 * rate moves (daily and month-start modes).
 */
import { addMonths, startOfMonth, type CalendarDate } from '../calendar/calendar-date.js';
import type { EngineConfig } from '../config.js';
import { convertMinorUnits } from '../fx/convert-minor-units.js';
import type { RateTable } from '../fx/rate-table.js';
import type { CurrencyCode } from '../money/currency.js';
import type { Ratio } from '../money/ratio.js';
import { assert } from '../assert.js';
import type { StatePoint, SubscriptionState } from '../subscription/subscription-state.js';

export interface ReportingPoint {
  readonly date: CalendarDate;
  readonly state: SubscriptionState;
  /** null while the native MRR is 0: no rate is needed then. */
  readonly rate: Ratio | null;
  readonly mrr: number;
}

export function reportingTimeline(
  points: readonly StatePoint[],
  currency: CurrencyCode,
  rates: RateTable,
  config: EngineConfig,
): ReportingPoint[] {
  const result: ReportingPoint[] = [];
  const reporting = config.currency;
  const lastDay = config.asOf;
  const at = (date: CalendarDate, state: SubscriptionState, rateDay: CalendarDate) => {
    const rate = rates.requireRate(currency, reporting, rateDay);
    result.push({ date, state, rate, mrr: convertMinorUnits(state.mrr, rate, currency, reporting) });
  };
  for (let i = 0; i < points.length; i++) {
    const { date, state } = points[i]!;
    if (date > lastDay) break;
    const end = Math.min(points[i + 1]?.date ?? Infinity, lastDay + 1);
    if (state.mrr === 0) {
      result.push({ date, state, rate: null, mrr: 0 });
      continue;
    }
    switch (config.fx.rateDate) {
      case 'period-start':
        at(date, state, state.rateDate ?? date);
        break;
      case 'fixed':
        assert(config.fx.fixedDate !== null, 'fx.rateDate fixed needs fx.fixedDate');
        at(date, state, config.fx.fixedDate);
        break;
      case 'month-start': {
        at(date, state, startOfMonth(date));
        for (let month = addMonths(startOfMonth(date), 1); month < end; month = addMonths(month, 1)) at(month, state, month);
        break;
      }
      case 'daily': {
        at(date, state, date);
        if (currency === reporting) break;
        for (const day of rates.changeDays(currency, reporting)) if (day > date && day < end) at(day, state, day);
        break;
      }
    }
  }
  return result;
}
