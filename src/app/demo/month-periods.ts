/**
 * The demo business simplified to month grain, for the benchmark's peer (performance.md): each
 * subscription's MRR on the last day of every calendar month of the window, in USD, gathered
 * into periods of whole months `[start, end)` at a constant amount.
 *
 * The simplification, stated once so that every consumer reads the same thing:
 * - a month carries the subscription's MRR on its last day (the month-end MRR of the reports);
 * - a paid segment's MRR is its net amount per billing interval over the interval's months, a
 *   trial's is 0, a pause is 0;
 * - the few days of a late renewal (a card retried) count at the previous terms, as Runrate's
 *   renewal grace reads them (mrr-rules §3, "Gaps");
 * - EUR and GBP are converted at the rate in force on the month's first day (the latest fixing
 *   on or before it, from the demo's own series), after rounding the native MRR once, as
 *   Runrate converts with `fx.rateDate = month-start` (mrr-rules §6). Integers only.
 */
import { addDays, addMonths, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import { netAmount, type CustomerStory, type SubscriptionStory } from './customer-story.js';
import type { DemoContext } from './demo-context.js';
import { demoFxRates } from './write-fx-rates.js';

export interface MonthPeriod {
  readonly customerId: string;
  readonly subscriptionId: string;
  /** First day of the first month. */
  readonly start: CalendarDate;
  /** First day of the month after the last one (exclusive). */
  readonly end: CalendarDate;
  /** MRR in USD minor units, above 0. */
  readonly monthlyAmount: number;
}

/** A USD amount per unit of a currency, as the exact fraction `numerator / denominator`. */
interface UsdRate {
  readonly numerator: number;
  readonly denominator: number;
}

/** The calendar of the window and its conversion rates, computed once per dataset. */
export interface MonthGrid {
  /** First day of each month of the window, in order, then the first day after the window. */
  readonly firsts: readonly CalendarDate[];
  /** Last day of each month. */
  readonly lasts: readonly CalendarDate[];
  /** Per month: USD per EUR and per GBP on its first day. */
  readonly rates: readonly { readonly EUR: UsdRate; readonly GBP: UsdRate }[];
}

/** Rates are written in ten-thousandths (1.0842 = 10_842). */
const RATE_SCALE = 10_000;

export function monthGrid(ctx: DemoContext): MonthGrid {
  const firsts: CalendarDate[] = [];
  const lasts: CalendarDate[] = [];
  for (let month = 0; month <= ctx.months; month++) firsts.push(addMonths(ctx.windowStart, month));
  for (let month = 0; month < ctx.months; month++) lasts.push(addDays(firsts[month + 1] ?? ctx.asOf, -1));
  const rates: { EUR: UsdRate; GBP: UsdRate }[] = [];
  let usdPerEur = 0;
  let gbpPerEur = 0;
  let month = 0;
  const settle = (until: CalendarDate): void => {
    // A month takes the latest fixings on or before its first day (weekends have none).
    while (month < lasts.length && (firsts[month] ?? until) < until) {
      if (usdPerEur === 0 || gbpPerEur === 0) throw new RangeError('the demo rates start after the window');
      rates.push({
        EUR: { numerator: usdPerEur, denominator: RATE_SCALE },
        // GBP → USD crosses through EUR: USD per EUR over GBP per EUR.
        GBP: { numerator: usdPerEur, denominator: gbpPerEur },
      });
      month++;
    }
  };
  for (const rate of demoFxRates(ctx)) {
    settle(rate.day);
    if (rate.quote === 'USD') usdPerEur = rate.rate;
    else gbpPerEur = rate.rate;
  }
  settle(addDays(ctx.asOf, 1));
  return { firsts, lasts, rates };
}

/** `numerator / denominator` for non-negative integers, rounded half away from zero. */
function roundedQuotient(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** A stretch of constant native MRR: the exact fraction `amount / months`. */
interface Stretch {
  readonly start: CalendarDate;
  readonly end: CalendarDate;
  readonly amount: number;
  readonly months: number;
}

function paidStretches(subscription: SubscriptionStory): Stretch[] {
  const stretches: Stretch[] = [];
  for (const life of subscription.lives) {
    let previous: Stretch | null = null;
    for (const segment of life.segments) {
      if (segment.kind !== 'paid') {
        previous = null;
        continue;
      }
      if (segment.cause === 'late_renewal' && previous && previous.end < segment.start) {
        stretches.push({ ...previous, start: previous.end, end: segment.start });
      }
      previous = { start: segment.start, end: segment.end, amount: netAmount(segment.terms), months: subscription.monthsPerCycle };
      stretches.push(previous);
    }
  }
  return stretches;
}

/** The subscription's USD MRR at the end of each month of the grid (0 when it has none). */
export function monthEndMrr(subscription: SubscriptionStory, grid: MonthGrid): number[] {
  const amounts: number[] = new Array<number>(grid.lasts.length).fill(0);
  const stretches = paidStretches(subscription);
  let index = 0;
  for (let month = 0; month < grid.lasts.length; month++) {
    const day = grid.lasts[month];
    if (day === undefined) break;
    while (index < stretches.length && (stretches[index]?.end ?? day) <= day) index++;
    const stretch = stretches[index];
    if (!stretch || stretch.start > day) continue;
    const native = roundedQuotient(stretch.amount, stretch.months);
    const rate = subscription.currency === 'USD' ? null : grid.rates[month]?.[subscription.currency];
    amounts[month] = rate ? roundedQuotient(native * rate.numerator, rate.denominator) : native;
  }
  return amounts;
}

/** The customer's periods: per subscription, runs of consecutive months at one amount above 0. */
export function monthPeriods(story: CustomerStory, grid: MonthGrid): MonthPeriod[] {
  const periods: MonthPeriod[] = [];
  for (const subscription of story.subscriptions) {
    const amounts = monthEndMrr(subscription, grid);
    let month = 0;
    while (month < amounts.length) {
      const amount = amounts[month] ?? 0;
      if (amount === 0) {
        month++;
        continue;
      }
      let next = month + 1;
      while (next < amounts.length && amounts[next] === amount) next++;
      const start = grid.firsts[month];
      const end = grid.firsts[next];
      if (start === undefined || end === undefined) throw new RangeError('month out of the grid');
      periods.push({ customerId: story.customer.id, subscriptionId: subscription.id, start, end, monthlyAmount: amount });
      month = next;
    }
  }
  return periods;
}
