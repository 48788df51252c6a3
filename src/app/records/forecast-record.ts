/** The forecast and committed MRR as machine-readable records. */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { ratioToNumber } from '../../engine/money/ratio.js';
import type { Forecast } from '../../engine/report/forecast.js';

export function forecastRecord(forecast: Forecast, currency: string, asOf: string) {
  const { assumptions } = forecast;
  return {
    currency,
    as_of: asOf,
    mrr: forecast.mrr,
    committed_mrr: forecast.committedMrr,
    assumptions: {
      method:
        'monthly MRR projected from the trailing full months: average new + reactivation MRR per month added, and the average expansion, contraction and churn rates (each to mrr_start) applied to the projected MRR; changes already scheduled on as_of applied in their month; each month rounded once to a minor unit',
      trailing_months: assumptions.trailingMonths.map((period) => period.label),
      new_and_reactivation_per_month: ratioToNumber(assumptions.newAndReactivationPerMonth),
      expansion_rate: ratioToNumber(assumptions.expansionRate),
      contraction_rate: ratioToNumber(assumptions.contractionRate),
      churn_rate: ratioToNumber(assumptions.churnRate),
      scheduled_changes: forecast.scheduled.length,
    },
    scheduled: forecast.scheduled.map((change) => ({
      date: formatIsoDate(change.date),
      customer_id: change.customerId,
      subscription_id: change.subscriptionId,
      kind: change.kind,
      amount: change.amount,
    })),
    entries: forecast.entries.map((entry) => ({
      period: entry.period.label,
      mrr_start: entry.mrrStart,
      new_and_reactivation: entry.newAndReactivation,
      expansion: entry.expansion,
      contraction: entry.contraction,
      churn: entry.churn,
      scheduled: entry.scheduled,
      mrr: entry.mrr,
    })),
  };
}
