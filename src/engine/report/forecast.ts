/**
 * Committed MRR and the forecast of metrics.md: scheduled changes known on asOf (later starts,
 * scheduled cancellations and changes), and a month-by-month projection from the trailing three
 * full months, with its assumptions stated.
 */
import { addDays, addMonths, startOfMonth, type CalendarDate } from '../calendar/calendar-date.js';
import type { SubscriptionTimeline } from '../compute-movements.js';
import { add, divide, multiply, ratio, roundRatio, ZERO, type Ratio } from '../money/ratio.js';
import type { Movement } from '../movement.js';
import { mrrReport } from './mrr-report.js';
import { periodContaining, type Period } from './period.js';
import { pointOn } from './point-on.js';

export interface ScheduledChange {
  readonly date: CalendarDate;
  readonly customerId: string;
  readonly subscriptionId: string;
  /** Change of MRR in the reporting currency (carried-forward rates for future days). */
  readonly amount: number;
  readonly kind: 'start' | 'change' | 'cancellation';
}

/**
 * Every change of MRR dated after asOf that the data already holds. Coverage that simply runs
 * out later is not one: the subscription is expected to renew (it is pending renewal by then).
 */
export function scheduledChanges(
  timelines: readonly SubscriptionTimeline[],
  asOf: CalendarDate,
  includes: (timeline: SubscriptionTimeline, day: CalendarDate) => boolean = () => true,
): ScheduledChange[] {
  const changes: ScheduledChange[] = [];
  for (const timeline of timelines) {
    // A subscription outside the view on asOf contributes none of its scheduled changes.
    if (timeline.scheduled.length === 0 || !includes(timeline, asOf)) continue;
    let previous = pointOn(timeline.points, asOf)?.mrr ?? 0;
    for (const point of timeline.scheduled) {
      if (point.mrr === previous) continue;
      changes.push({
        date: point.date,
        customerId: timeline.customerId,
        subscriptionId: timeline.subscriptionId,
        amount: point.mrr - previous,
        kind: previous === 0 ? 'start' : point.mrr === 0 ? 'cancellation' : 'change',
      });
      previous = point.mrr;
    }
  }
  return changes.sort((a, b) => a.date - b.date || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0) || (a.subscriptionId < b.subscriptionId ? -1 : 1));
}

export interface ForecastAssumptions {
  /** The trailing full months the averages come from. */
  readonly trailingMonths: readonly Period[];
  /** Exact averages: projected money is rounded once per month, half away from zero. */
  readonly newAndReactivationPerMonth: Ratio;
  readonly expansionRate: Ratio;
  readonly contractionRate: Ratio;
  readonly churnRate: Ratio;
}

export interface ForecastEntry {
  readonly period: Period;
  readonly mrrStart: number;
  readonly newAndReactivation: number;
  readonly expansion: number;
  readonly contraction: number;
  readonly churn: number;
  readonly scheduled: number;
  readonly mrr: number;
}

export interface Forecast {
  readonly mrr: number;
  readonly committedMrr: number;
  readonly scheduled: readonly ScheduledChange[];
  readonly assumptions: ForecastAssumptions;
  readonly entries: readonly ForecastEntry[];
}

function mean(values: readonly Ratio[]): Ratio {
  return values.length === 0 ? ZERO : divide(values.reduce((sum, value) => add(sum, value), ZERO), ratio(BigInt(values.length)));
}

/** `amount × rate`, rounded once to a minor unit. */
function applied(amount: number, rate: Ratio): number {
  return Number(roundRatio(multiply(ratio(BigInt(amount)), rate)));
}

export function forecast(movements: readonly Movement[], scheduled: readonly ScheduledChange[], asOf: CalendarDate, months: number): Forecast {
  // The trailing three months that are complete on asOf.
  const lastFull = addDays(startOfMonth(addDays(asOf, 1)), -1);
  const trailingFirst = addMonths(startOfMonth(lastFull), -2);
  const trailing = mrrReport(movements, { interval: 'month', weekStartsOn: 'monday', from: trailingFirst, to: lastFull, asOf: lastFull });
  const rateOf = (pick: (entry: (typeof trailing)[number]) => number) =>
    mean(trailing.filter((entry) => entry.mrrStart > 0).map((entry) => ratio(BigInt(pick(entry)), BigInt(entry.mrrStart))));
  const assumptions: ForecastAssumptions = {
    trailingMonths: trailing.map((entry) => entry.period),
    newAndReactivationPerMonth: mean(trailing.map((entry) => ratio(BigInt(entry.new + entry.reactivation)))),
    expansionRate: rateOf((entry) => entry.expansion),
    contractionRate: rateOf((entry) => entry.contraction),
    churnRate: rateOf((entry) => entry.churn),
  };

  const mrrOnAsOf = movements.reduce((sum, movement) => (movement.date <= asOf ? sum + movement.amount : sum), 0);
  const committedMrr = mrrOnAsOf + scheduled.reduce((sum, change) => sum + change.amount, 0);

  const entries: ForecastEntry[] = [];
  let projected = mrrOnAsOf;
  let month = periodContaining(asOf, 'month', 'monday');
  // Changes already scheduled inside asOf's own month land in its first projected month.
  let scheduledIndex = 0;
  for (let i = 0; i < months; i++) {
    month = periodContaining(addDays(month.last, 1), 'month', 'monday');
    let scheduledAmount = 0;
    while (scheduledIndex < scheduled.length && scheduled[scheduledIndex]!.date <= month.last) scheduledAmount += scheduled[scheduledIndex++]!.amount;
    const expansion = applied(projected, assumptions.expansionRate);
    const contraction = applied(projected, assumptions.contractionRate);
    const churn = applied(projected, assumptions.churnRate);
    const newAndReactivation = Number(roundRatio(assumptions.newAndReactivationPerMonth));
    const mrr = Math.max(0, projected + newAndReactivation + expansion + contraction + churn + scheduledAmount);
    entries.push({ period: month, mrrStart: projected, newAndReactivation, expansion, contraction, churn, scheduled: scheduledAmount, mrr });
    projected = mrr;
  }
  return { mrr: mrrOnAsOf, committedMrr, scheduled, assumptions, entries };
}
