/**
 * Every metric of metrics.md per period, in two steps: the figures of each period (sums and
 * counts of movements, MRR and paying customers at its edges, the retained base of NRR, the two
 * terms of nrr_12m), then the formulas over those figures. Figures come from a view's movements
 * here, or from the store's SQL for whole-business reports; the formulas are the same code.
 */
import { addDays, addMonths, startOfMonth, type CalendarDate } from '../calendar/calendar-date.js';
import { add, divide, ratio, roundRatio, ZERO, type Ratio } from '../money/ratio.js';
import type { Movement } from '../movement.js';
import { CustomerSeries } from './customer-series.js';
import { mrrEntryOfFigures, reportPeriods, sumByPeriod, type MrrEntry, type ReportRange } from './mrr-report.js';
import { dailyTotals } from './daily-series.js';
import { periodsBetween, type Period } from './period.js';
import type { PeriodFigures } from './period-figures.js';

export type { PeriodFigures } from './period-figures.js';

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

/** Where figures come from: movements in memory here, or the store's SQL. */
export type FiguresSource = (periods: readonly Period[]) => PeriodFigures[];

/** The whole months LTV looks back over for a list of periods (6 before the first through the last). */
export function lookbackMonths(periods: readonly Period[]): Period[] {
  if (periods.length === 0) return [];
  const first = addMonths(startOfMonth(periods[0]!.first), -6);
  const last = addDays(startOfMonth(periods.at(-1)!.first), -1);
  return first <= last ? periodsBetween(first, last, 'month', 'monday') : [];
}

/** The figures of each period, computed from a view's movements (sorted by date, customer). */
export function figuresFromMovements(movements: readonly Movement[], constantCurrency: ConstantCurrency): FiguresSource {
  let series: CustomerSeries | null = null;
  let totals: ReturnType<typeof dailyTotals> | null = null;
  return (periods) => {
    series ??= new CustomerSeries(movements);
    totals ??= dailyTotals(movements);
    const sums = sumByPeriod(movements, periods);
    const counts = periods.map(() => ({
      new: new Set<string>(),
      reactivation: new Set<string>(),
      churn: new Set<string>(),
      retained: { expansion: 0, contraction: 0, churn: 0 },
    }));
    let index = 0;
    for (const movement of movements) {
      while (index < periods.length && periods[index]!.last < movement.date) index++;
      if (index >= periods.length) break;
      const period = periods[index]!;
      if (movement.date < period.first) continue;
      const count = counts[index]!;
      if (movement.type === 'new' || movement.type === 'reactivation' || movement.type === 'churn') count[movement.type].add(movement.customerId);
      if ((movement.type === 'expansion' || movement.type === 'contraction' || movement.type === 'churn') && series.mrrOn(movement.customerId, addDays(period.first, -1)) > 0) {
        count.retained[movement.type] += movement.amount;
      }
    }
    return periods.map((period, i) => {
      const s = sums[i]!;
      const count = counts[i]!;
      const dayBefore = addDays(period.first, -1);
      const yearBefore = addMonths(period.last, -12);
      let yearAgoMrr = 0;
      let yearAgoCustomersMrrNow = 0;
      for (const customerId of series!.customers()) {
        const then = series!.mrrOn(customerId, yearBefore);
        if (then <= 0) continue;
        yearAgoMrr += then;
        yearAgoCustomersMrrNow += constantCurrency.customerMrrAtRatesOf(customerId, period.last, yearBefore);
      }
      return {
        period,
        mrrStart: totals!.mrr.at(dayBefore),
        mrr: totals!.mrr.at(period.last),
        ...s,
        customers: totals!.customers.at(period.last),
        customersStart: totals!.customers.at(dayBefore),
        newCustomers: count.new.size,
        reactivatedCustomers: count.reactivation.size,
        churnedCustomers: count.churn.size,
        retainedExpansion: count.retained.expansion,
        retainedContraction: count.retained.contraction,
        retainedChurn: count.retained.churn,
        yearAgoMrr,
        yearAgoCustomersMrrNow,
      };
    });
  };
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

/** `arpa / average churn rate`, rounded once to a minor unit; null when the average is 0. */
function lifetimeValue(arpa: number | null, rates: ReadonlyArray<Ratio>): number | null {
  if (arpa === null || rates.length === 0) return null;
  const average = divide(rates.reduce((sum, rate) => add(sum, rate), ZERO), ratio(BigInt(rates.length)));
  return average.num === 0n ? null : Number(roundRatio(divide(ratio(BigInt(arpa)), average)));
}

/**
 * The metrics of each period from its figures, with the figures of the look-back months
 * (`lookbackMonths(periods)`) for LTV.
 */
export function metricsFromFigures(entries: readonly PeriodFigures[], months: readonly PeriodFigures[]): MetricsEntry[] {
  const churnRates = months.map((month) => (month.customersStart === 0 ? null : ratio(BigInt(month.churnedCustomers), BigInt(month.customersStart))));
  return entries.map((entry) => {
    const period = entry.period;
    const arpa = roundedQuotient(entry.mrr, entry.customers);
    const losses = -entry.churn - entry.contraction;
    const monthIndex = months.findIndex((month) => month.period.first === startOfMonth(period.first));
    const lookbackEnd = monthIndex >= 0 ? monthIndex : months.length;
    const window = churnRates.slice(Math.max(0, lookbackEnd - 6), lookbackEnd).filter((rate): rate is Ratio => rate !== null);
    return {
      ...mrrEntryOfFigures(entry),
      arr: 12 * entry.mrr,
      arpa,
      asp: roundedQuotient(entry.new, entry.newCustomers),
      newCustomers: entry.newCustomers,
      reactivatedCustomers: entry.reactivatedCustomers,
      churnedCustomers: entry.churnedCustomers,
      customerChurnRate: fraction(entry.churnedCustomers, entry.customersStart),
      grossMrrChurnRate: fraction(losses, entry.mrrStart),
      netMrrChurnRate: fraction(losses - entry.expansion - entry.reactivation, entry.mrrStart),
      nrr: fraction(entry.mrrStart + entry.retainedExpansion + entry.retainedContraction + entry.retainedChurn, entry.mrrStart),
      grr: fraction(entry.mrrStart + entry.retainedContraction + entry.retainedChurn, entry.mrrStart),
      nrr12m: fraction(entry.yearAgoCustomersMrrNow, entry.yearAgoMrr),
      quickRatio: fraction(entry.new + entry.expansion + entry.reactivation, losses),
      ltv: lifetimeValue(arpa, window),
      mrrGrowthRate: fraction(entry.mrr - entry.mrrStart, entry.mrrStart),
      expansionRate: fraction(entry.expansion, entry.mrrStart),
    };
  });
}

/** Metrics of a view's movements (the in-memory path). */
export function metricsReport(movements: readonly Movement[], range: ReportRange, constantCurrency: ConstantCurrency): MetricsEntry[] {
  const periods = reportPeriods(movements[0]?.date ?? null, range);
  if (periods.length === 0) return [];
  const figures = figuresFromMovements(movements, constantCurrency);
  return metricsFromFigures(figures(periods), figures(lookbackMonths(periods)));
}
