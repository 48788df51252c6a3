/**
 * Writes the month-aligned periods twice: as the peer's `periods.csv`, and as canonical invoice
 * lines for Runrate, so that both engines read the very same business (performance.md, "Peer").
 *
 * The lines are one per subscription and month, `[first of month, first of next month)`, on a
 * monthly plan, in USD, not prorated. Back to back, they leave no gap for the renewal grace to
 * bridge; a period that ends has no next line, so the subscription ends on the period's end
 * (asOf is at least a month past every ended period). Runrate's MRR at each month end is then
 * exactly the periods' amount.
 */
import { formatMinorUnits } from '../../engine/money/decimal.js';
import type { RowSink } from './csv-file-writer.js';
import type { DemoText } from './demo-text.js';
import type { MonthGrid, MonthPeriod } from './month-periods.js';

export const PERIOD_COLUMNS = ['customer_id', 'subscription_id', 'start_date', 'end_date', 'monthly_amount'] as const;

export const PERIOD_LINE_COLUMNS = [
  'line_id', 'invoice_id', 'customer_id', 'subscription_id', 'plan_id', 'type', 'service_start', 'service_end', 'amount', 'currency', 'prorated',
] as const;

/** The one plan of the periods dataset: a month is a month. */
export const PERIOD_PLAN = { planId: 'monthly', name: 'Monthly', intervalUnit: 'month', intervalCount: 1, product: 'core' } as const;

/** USD has two decimals. */
const USD_EXPONENT = 2;

export function writeMonthPeriods(periods: readonly MonthPeriod[], out: RowSink, text: DemoText): void {
  for (const period of periods) {
    out.row([period.customerId, period.subscriptionId, text.date(period.start), text.date(period.end), formatMinorUnits(period.monthlyAmount, USD_EXPONENT)]);
  }
}

/** Strips the id's kind (`sub_`, `cus_`) so that derived ids stay short and keep its order. */
function idBody(id: string): string {
  const underscore = id.indexOf('_');
  return underscore < 0 ? id : id.slice(underscore + 1);
}

/**
 * Writes one invoice line per subscription and month of its periods (one invoice per customer
 * and month); returns how many. `periods` are one customer's.
 */
export function writePeriodLines(periods: readonly MonthPeriod[], grid: MonthGrid, out: RowSink, text: DemoText): number {
  let lines = 0;
  for (const period of periods) {
    const subscription = idBody(period.subscriptionId);
    const customer = idBody(period.customerId);
    const amount = formatMinorUnits(period.monthlyAmount, USD_EXPONENT);
    const first = grid.firsts.indexOf(period.start);
    if (first < 0) throw new RangeError(`period start ${text.date(period.start)} is not the first day of a month of the window`);
    for (let month = first; (grid.firsts[month] ?? period.end) < period.end; month++) {
      const start = grid.firsts[month];
      const end = grid.firsts[month + 1];
      if (start === undefined || end === undefined) throw new RangeError('period outside the window');
      const monthText = text.date(start).slice(0, 7).replace('-', '');
      out.row([
        `pl_${subscription}_${monthText}`, `pin_${customer}_${monthText}`, period.customerId, period.subscriptionId, PERIOD_PLAN.planId,
        'subscription', text.date(start), text.date(end), amount, 'USD', 'false',
      ]);
      lines++;
    }
  }
  return lines;
}
