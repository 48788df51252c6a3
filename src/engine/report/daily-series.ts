/**
 * Day-by-day totals derived from movements alone (invariant 1: MRR on a day is the sum of the
 * movements dated on or before it), answered by binary search over change days.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import { lastIndexOnOrBefore } from '../calendar/last-index-on-or-before.js';
import type { Movement } from '../movement.js';

export class StepSeries {
  private readonly days: CalendarDate[] = [];
  private readonly values: number[] = [];

  /** `changes` must be sorted by day; each value is the running total from that day on. */
  static fromDeltas(deltas: ReadonlyArray<{ day: CalendarDate; delta: number }>): StepSeries {
    const series = new StepSeries();
    let running = 0;
    for (const { day, delta } of deltas) {
      running += delta;
      if (series.days.at(-1) === day) series.values[series.values.length - 1] = running;
      else {
        series.days.push(day);
        series.values.push(running);
      }
    }
    return series;
  }

  /** The value in force on `day` (0 before the first change). */
  at(day: CalendarDate): number {
    const found = lastIndexOnOrBefore(this.days, day);
    return found < 0 ? 0 : this.values[found]!;
  }
}

/** Total MRR and the number of paying customers on every day, from sorted movements. */
export function dailyTotals(movements: readonly Movement[]): { mrr: StepSeries; customers: StepSeries } {
  const mrrDeltas: Array<{ day: CalendarDate; delta: number }> = [];
  const customerDeltas: Array<{ day: CalendarDate; delta: number }> = [];
  const paying = new Map<string, boolean>();
  for (const movement of movements) mrrDeltas.push({ day: movement.date, delta: movement.amount });
  // Movements are sorted by date then customer: a customer's rows of one day are adjacent, and
  // the customer_mrr of the last one is the customer's MRR after the day.
  for (let i = 0; i < movements.length; i++) {
    const movement = movements[i]!;
    const next = movements[i + 1];
    if (next && next.date === movement.date && next.customerId === movement.customerId) continue;
    const was = paying.get(movement.customerId) ?? false;
    const is = movement.customerMrr > 0;
    if (was !== is) customerDeltas.push({ day: movement.date, delta: is ? 1 : -1 });
    paying.set(movement.customerId, is);
  }
  return { mrr: StepSeries.fromDeltas(mrrDeltas), customers: StepSeries.fromDeltas(customerDeltas) };
}
