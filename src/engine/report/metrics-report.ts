/**
 * Every metric of metrics.md per period, computed from a view's movements (the whole business or
 * a segment) so that each figure is a sum or count of movements and daily MRR values.
 */
import { addDays, addMonths, startOfMonth, type CalendarDate } from '../calendar/calendar-date.js';
import { add, divide, ratio, roundRatio, ZERO, type Ratio } from '../money/ratio.js';
import type { Movement } from '../movement.js';
import { CustomerSeries } from './customer-series.js';
import { mrrReport, reportPeriods, type MrrEntry, type ReportRange } from './mrr-report.js';
import { periodsBetween, type Period } from './period.js';

export interface MetricsEntry extends MrrEntry {
  readonly arr: number;
  readonly arpa: number | null;
  readonly asp: number | null;
  readonly newCustomers: number;
  readonly reactivatedCustomers: number;
  readonly churnedCustomers: number;
  readonly customerChurnRate: number | null;
  readonly grossMrrChurnRate: number | null;
  readonly netMrrChurnRate: number | null;
  readonly nrr: number | null;
  readonly grr: number | null;
  readonly nrr12m: number | null;
  readonly quickRatio: number | null;
  readonly ltv: number | null;
  readonly mrrGrowthRate: number | null;
  readonly expansionRate: number | null;
}

/** The view's subscriptions as they stand on a day, for `nrr_12m`'s constant-currency numerator. */
export interface ConstantCurrency {
  /**
   * The MRR the customer has on `day` within the view, with every subscription converted at the
   * rates of `rateDay` instead of its own rate date.
   */
  customerMrrAtRatesOf(customerId: string, day: CalendarDate, rateDay: CalendarDate): number;
}

/** An exact fraction as a plain number, or null when the denominator is 0 (metrics.md). */
function fraction(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Rounded to a minor unit, half away from zero (integers in, one division). */
function roundedQuotient(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const quotient = Math.abs(numerator) / denominator;
  const whole = Math.floor(quotient);
  const rounded = Math.abs(numerator) - whole * denominator >= denominator / 2 ? whole + 1 : whole;
  return numerator < 0 ? -rounded : rounded;
}

interface PeriodCounts {
  readonly byType: Record<'new' | 'reactivation' | 'churn', Set<string>>;
  /** Expansion, contraction and churn of the customers paying on the day before the period. */
  retained: { expansion: number; contraction: number; churn: number };
}

function countPeriods(movements: readonly Movement[], periods: readonly Period[], series: CustomerSeries): PeriodCounts[] {
  const counts: PeriodCounts[] = periods.map(() => ({
    byType: { new: new Set(), reactivation: new Set(), churn: new Set() },
    retained: { expansion: 0, contraction: 0, churn: 0 },
  }));
  let index = 0;
  for (const movement of movements) {
    while (index < periods.length && periods[index]!.last < movement.date) index++;
    if (index >= periods.length) break;
    const period = periods[index]!;
    if (movement.date < period.first) continue;
    const count = counts[index]!;
    if (movement.type === 'new' || movement.type === 'reactivation' || movement.type === 'churn') count.byType[movement.type].add(movement.customerId);
    if ((movement.type === 'expansion' || movement.type === 'contraction' || movement.type === 'churn') && series.mrrOn(movement.customerId, addDays(period.first, -1)) > 0) {
      count.retained[movement.type] += movement.amount;
    }
  }
  return counts;
}

/** The customer churn rate of each whole month (exact), for LTV; null where no one paid. */
function monthlyChurnRates(movements: readonly Movement[], months: readonly Period[], series: CustomerSeries): Array<Ratio | null> {
  if (months.length === 0) return [];
  const counts = countPeriods(movements, months, series);
  const entries = mrrReport(movements, { interval: 'month', weekStartsOn: 'monday', from: months[0]!.first, to: months.at(-1)!.last, asOf: months.at(-1)!.last });
  return months.map((_, i) => {
    const start = entries[i]?.customersStart ?? 0;
    return start === 0 ? null : ratio(BigInt(counts[i]!.byType.churn.size), BigInt(start));
  });
}

/** `arpa / average churn rate`, rounded once to a minor unit; null when the average is 0. */
function lifetimeValue(arpa: number | null, rates: ReadonlyArray<Ratio>): number | null {
  if (arpa === null || rates.length === 0) return null;
  const average = divide(rates.reduce((sum, rate) => add(sum, rate), ZERO), ratio(BigInt(rates.length)));
  return average.num === 0n ? null : Number(roundRatio(divide(ratio(BigInt(arpa)), average)));
}

export function metricsReport(movements: readonly Movement[], range: ReportRange, constantCurrency: ConstantCurrency): MetricsEntry[] {
  const periods = reportPeriods(movements, range);
  if (periods.length === 0) return [];
  const entries = mrrReport(movements, { ...range, from: periods[0]!.first, to: periods.at(-1)!.last });
  const series = new CustomerSeries(movements);
  const counts = countPeriods(movements, periods, series);

  // LTV looks back over the 6 whole months before each period: compute those months once.
  const firstLookback = addMonths(startOfMonth(periods[0]!.first), -6);
  const lastLookback = addDays(startOfMonth(periods.at(-1)!.first), -1);
  const months = firstLookback <= lastLookback ? periodsBetween(firstLookback, lastLookback, 'month', 'monday') : [];
  const churnRates = monthlyChurnRates(movements, months, series);

  return entries.map((entry, i) => {
    const period = periods[i]!;
    const count = counts[i]!;
    const arpa = roundedQuotient(entry.mrr, entry.customers);
    const losses = -entry.churn - entry.contraction;

    const monthIndex = months.findIndex((month) => month.first === startOfMonth(period.first));
    const lookbackEnd = monthIndex >= 0 ? monthIndex : months.length;
    const window = churnRates.slice(Math.max(0, lookbackEnd - 6), lookbackEnd).filter((rate): rate is Ratio => rate !== null);

    const yearBefore = addMonths(period.last, -12);
    let then = 0;
    let now = 0;
    for (const customerId of series.customers()) {
      const mrrThen = series.mrrOn(customerId, yearBefore);
      if (mrrThen <= 0) continue;
      then += mrrThen;
      now += constantCurrency.customerMrrAtRatesOf(customerId, period.last, yearBefore);
    }

    return {
      ...entry,
      arr: 12 * entry.mrr,
      arpa,
      asp: roundedQuotient(entry.new, count.byType.new.size),
      newCustomers: count.byType.new.size,
      reactivatedCustomers: count.byType.reactivation.size,
      churnedCustomers: count.byType.churn.size,
      customerChurnRate: fraction(count.byType.churn.size, entry.customersStart),
      grossMrrChurnRate: fraction(losses, entry.mrrStart),
      netMrrChurnRate: fraction(losses - entry.expansion - entry.reactivation, entry.mrrStart),
      nrr: fraction(entry.mrrStart + count.retained.expansion + count.retained.contraction + count.retained.churn, entry.mrrStart),
      grr: fraction(entry.mrrStart + count.retained.contraction + count.retained.churn, entry.mrrStart),
      nrr12m: fraction(now, then),
      quickRatio: fraction(entry.new + entry.expansion + entry.reactivation, losses),
      ltv: lifetimeValue(arpa, window),
      mrrGrowthRate: fraction(entry.mrr - entry.mrrStart, entry.mrrStart),
      expansionRate: fraction(entry.expansion, entry.mrrStart),
    };
  });
}
