/**
 * Cohorts (metrics.md "Cohorts"): customers grouped by the period of their first `new` movement;
 * for each age, how many of them pay at the end of that later period, and how much.
 * Reactivated customers stay in their first cohort.
 */
import type { Movement } from '../movement.js';
import { CustomerSeries } from './customer-series.js';
import { reportPeriods, type ReportRange } from './mrr-report.js';
import { periodContaining, periodsBetween, type Period } from './period.js';

export interface Cohort {
  readonly period: Period;
  /** Indexed by age (0 = the cohort's own period). */
  readonly customers: readonly number[];
  readonly mrr: readonly number[];
  /** The cohort's customers, for drill-down. */
  readonly members: readonly string[];
}

export function cohortReport(movements: readonly Movement[], range: ReportRange): Cohort[] {
  const periods = reportPeriods(movements[0]?.date ?? null, range);
  if (periods.length === 0) return [];
  const series = new CustomerSeries(movements);
  // Ages run to the last period reported, so every cohort is measured up to the same day.
  const lastDay = periods.at(-1)!.last;

  const firstNew = new Map<string, Movement>();
  for (const movement of movements) if (movement.type === 'new' && !firstNew.has(movement.customerId)) firstNew.set(movement.customerId, movement);

  const membersByLabel = new Map<string, string[]>();
  for (const [customerId, movement] of firstNew) {
    const label = periodContaining(movement.date, range.interval, range.weekStartsOn).label;
    let list = membersByLabel.get(label);
    if (!list) membersByLabel.set(label, (list = []));
    list.push(customerId);
  }

  return periods.map((period) => {
    const members = (membersByLabel.get(period.label) ?? []).sort();
    // The cohort's own period and every later one, cut at the report's last day.
    const ages = periodsBetween(period.first, lastDay, range.interval, range.weekStartsOn);
    const customers: number[] = [];
    const mrr: number[] = [];
    for (const age of ages) {
      let paying = 0;
      let total = 0;
      for (const customerId of members) {
        const value = series.mrrOn(customerId, age.last);
        if (value > 0) {
          paying++;
          total += value;
        }
      }
      customers.push(paying);
      mrr.push(total);
    }
    return { period, customers, mrr, members };
  });
}
