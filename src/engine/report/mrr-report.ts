/**
 * The MRR series with its movement breakdown per period (cli.md `mrr`, metrics.md "Periods").
 * Every figure is a sum of movements or a value of the daily series they define.
 */
import { addDays, type CalendarDate } from '../calendar/calendar-date.js';
import type { WeekStart } from '../config.js';
import type { Movement, MovementType } from '../movement.js';
import { dailyTotals } from './daily-series.js';
import { periodContaining, periodsBetween, type Interval, type Period } from './period.js';

export interface MrrEntry {
  readonly period: Period;
  readonly mrrStart: number;
  readonly mrr: number;
  readonly new: number;
  readonly expansion: number;
  readonly contraction: number;
  readonly churn: number;
  readonly reactivation: number;
  readonly fx: number;
  readonly netNew: number;
  readonly customers: number;
  readonly customersStart: number;
}

/** A period's MRR at its edges and sums of movements by type: an mrr entry but for net new. */
export type MrrFigures = Omit<MrrEntry, 'netNew'>;

/** The mrr report's entry of a period, from its figures. */
export function mrrEntryOfFigures(figures: MrrFigures): MrrEntry {
  return {
    period: figures.period,
    mrrStart: figures.mrrStart,
    mrr: figures.mrr,
    new: figures.new,
    expansion: figures.expansion,
    contraction: figures.contraction,
    churn: figures.churn,
    reactivation: figures.reactivation,
    fx: figures.fx,
    netNew: figures.new + figures.expansion + figures.contraction + figures.churn + figures.reactivation,
    customers: figures.customers,
    customersStart: figures.customersStart,
  };
}

export interface ReportRange {
  readonly interval: Interval;
  readonly weekStartsOn: WeekStart;
  /** Defaults to the start of the period of the first movement. */
  readonly from: CalendarDate | null;
  /** Defaults to asOf; never later than asOf. */
  readonly to: CalendarDate | null;
  readonly asOf: CalendarDate;
}

/** The periods a report covers (from the period of `firstDate`, a view's first movement, by default), or none. */
export function reportPeriods(firstDate: CalendarDate | null, range: ReportRange): Period[] {
  const from = range.from ?? (firstDate !== null ? periodContaining(firstDate, range.interval, range.weekStartsOn).first : null);
  if (from === null) return [];
  const to = range.to === null || range.to > range.asOf ? range.asOf : range.to;
  return from > to ? [] : periodsBetween(from, to, range.interval, range.weekStartsOn);
}

type Sums = Record<MovementType, number>;

/** Sums of movements by type for each period; `movements` sorted by date. */
export function sumByPeriod(movements: readonly Movement[], periods: readonly Period[]): Sums[] {
  const sums: Sums[] = periods.map(() => ({ new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0, fx: 0 }));
  let index = 0;
  for (const movement of movements) {
    while (index < periods.length && periods[index]!.last < movement.date) index++;
    if (index >= periods.length) break;
    if (movement.date < periods[index]!.first) continue;
    sums[index]![movement.type] += movement.amount;
  }
  return sums;
}

export function mrrReport(movements: readonly Movement[], range: ReportRange): MrrEntry[] {
  const periods = reportPeriods(movements[0]?.date ?? null, range);
  const totals = dailyTotals(movements);
  const sums = sumByPeriod(movements, periods);
  return periods.map((period, i) => {
    const s = sums[i]!;
    const dayBefore = addDays(period.first, -1);
    return mrrEntryOfFigures({
      period,
      mrrStart: totals.mrr.at(dayBefore),
      mrr: totals.mrr.at(period.last),
      ...s,
      customers: totals.customers.at(period.last),
      customersStart: totals.customers.at(dayBefore),
    });
  });
}
