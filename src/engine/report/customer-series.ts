/**
 * Each customer's MRR over time, from a view's movements alone (customer_mrr after each day):
 * "was this customer paying on day d, and how much?" by binary search.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import { lastIndexOnOrBefore } from '../calendar/last-index-on-or-before.js';
import type { Movement } from '../movement.js';

export class CustomerSeries {
  private readonly series = new Map<string, { days: CalendarDate[]; mrr: number[] }>();

  /** `movements` sorted by date then customer (a customer's rows of one day are adjacent). */
  constructor(movements: readonly Movement[]) {
    for (let i = 0; i < movements.length; i++) {
      const movement = movements[i]!;
      const next = movements[i + 1];
      if (next && next.date === movement.date && next.customerId === movement.customerId) continue;
      let entry = this.series.get(movement.customerId);
      if (!entry) this.series.set(movement.customerId, (entry = { days: [], mrr: [] }));
      entry.days.push(movement.date);
      entry.mrr.push(movement.customerMrr);
    }
  }

  customers(): IterableIterator<string> {
    return this.series.keys();
  }

  /** The customer's MRR in force on `day` (0 before its first movement). */
  mrrOn(customerId: string, day: CalendarDate): number {
    const entry = this.series.get(customerId);
    if (!entry) return 0;
    const found = lastIndexOnOrBefore(entry.days, day);
    return found < 0 ? 0 : entry.mrr[found]!;
  }
}
