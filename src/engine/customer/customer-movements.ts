/**
 * One customer's movements (mrr-rules.md §5–6): each subscription's daily change splits into
 * an FX part and a business part, and business parts are typed by the customer's state.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import { sortedDays } from '../calendar/sorted-days.js';
import { withoutRepeats } from '../without-repeats.js';
import { assert } from '../assert.js';
import type { EngineConfig } from '../config.js';
import { convertExactly, convertMinorUnits } from '../fx/convert-minor-units.js';
import type { CurrencyCode } from '../money/currency.js';
import { add, compareRatios, divide, multiply, ratio, roundRatio, subtract, ZERO, type Ratio } from '../money/ratio.js';
import type { Movement, MovementReason, MovementType } from '../movement.js';
import { compareStrings, primaryPlan, type SubscriptionState } from '../subscription/subscription-state.js';
import type { ReportingPoint } from './reporting-timeline.js';

export interface CustomerSubscription {
  readonly subscriptionId: string;
  readonly currency: CurrencyCode;
  readonly points: readonly ReportingPoint[];
}

interface Running {
  readonly subscription: CustomerSubscription;
  state: SubscriptionState | null;
  rate: Ratio | null;
  mrr: number;
  next: number;
}

/** One subscription's step on a day: its state and rate before, and the point it moves to. */
interface Change {
  readonly running: Running;
  readonly beforeState: SubscriptionState | null;
  readonly beforeRate: Ratio | null;
  readonly after: ReportingPoint;
  readonly fx: number;
  readonly business: number;
}

export function customerMovements(
  customerId: string,
  subscriptions: readonly CustomerSubscription[],
  config: EngineConfig,
): Movement[] {
  const reporting = config.currency;
  const running: Running[] = [...subscriptions]
    .sort((a, b) => compareStrings(a.subscriptionId, b.subscriptionId))
    .map((subscription) => ({ subscription, state: null, rate: null, mrr: 0, next: 0 }));
  const pointDays: CalendarDate[] = [];
  for (const subscription of subscriptions) for (const point of subscription.points) pointDays.push(point.date);
  const days = sortedDays(pointDays);

  const movements: Movement[] = [];
  let total = 0;
  let everPaid = false;
  let churnedOn: CalendarDate | null = null;

  for (const day of days) {
    const changes: Change[] = [];
    for (const run of running) {
      const point = run.subscription.points[run.next];
      if (!point || point.date !== day) continue;
      run.next++;
      const m0 = run.state?.mrr ?? 0;
      // A subscription that stops keeps its last rate, so a churn removes exactly what was reported.
      const r1 = point.rate ?? run.rate;
      const m0AtNewRate = m0 === 0 ? 0 : convertMinorUnits(m0, r1!, run.subscription.currency, reporting);
      const fx = m0AtNewRate - run.mrr;
      const business = point.mrr - m0AtNewRate;
      changes.push({ running: run, beforeState: run.state, beforeRate: run.rate, after: point, fx, business });
      run.state = point.state;
      run.rate = r1;
      run.mrr = point.mrr;
    }
    const previousTotal = total;
    for (const change of changes) total += change.fx + change.business;
    const payingBefore = previousTotal > 0;
    const payingAfter = total > 0;

    let businessType: 'new' | 'reactivation' | 'churn' | 'existing' | 'none';
    if (!payingBefore && payingAfter) {
      const window = config.reactivationWindowDays;
      const returning = everPaid && (window === null || churnedOn === null || day - churnedOn <= window);
      businessType = returning ? 'reactivation' : 'new';
    } else if (payingBefore && !payingAfter) businessType = 'churn';
    else if (payingBefore) businessType = 'existing';
    else businessType = 'none';

    for (const change of changes) {
      const { running: run, beforeState, beforeRate, after } = change;
      if (change.business === 0 && change.fx === 0) continue;
      const sources = changeSources(beforeState, after.state);
      const planId = primaryPlan(after.state.items.length > 0 ? after.state : beforeState);
      if (change.business !== 0) {
        assert(businessType !== 'none', `customer ${customerId} changed MRR without paying on either day`);
        const type: MovementType = businessType === 'existing' ? (change.business > 0 ? 'expansion' : 'contraction') : businessType;
        const explained = type === 'expansion' || type === 'contraction' ? explain(beforeState, after.state, change.business, after.rate ?? beforeRate!, run.subscription.currency, reporting) : null;
        movements.push(
          movement(day, customerId, run.subscription, type, change.business, after.state.mrr - (beforeState?.mrr ?? 0), reporting, total, planId, sources, explained),
        );
      }
      if (change.fx !== 0) movements.push(movement(day, customerId, run.subscription, 'fx', change.fx, 0, reporting, total, planId, sources, null));
    }
    if (payingAfter) everPaid = true;
    if (payingBefore && !payingAfter) churnedOn = day;
  }
  return movements;
}

/** One movement row, always built with the same shape (a literal, not spreads: millions are made). */
function movement(
  date: CalendarDate,
  customerId: string,
  subscription: CustomerSubscription,
  type: MovementType,
  amount: number,
  nativeAmount: number,
  currency: CurrencyCode,
  customerMrr: number,
  planId: string | null,
  sources: string[],
  explained: Explanation | null,
): Movement {
  return {
    date,
    customerId,
    subscriptionId: subscription.subscriptionId,
    type,
    reason: explained?.reason ?? null,
    amount,
    currency,
    nativeAmount,
    nativeCurrency: subscription.currency,
    customerMrr,
    planId,
    priceEffect: explained?.priceEffect ?? null,
    volumeEffect: explained?.volumeEffect ?? null,
    mixEffect: explained?.mixEffect ?? null,
    sources,
  };
}

/** The lines or events that start, end or cancel on the day; when none do, those in force. */
function changeSources(before: SubscriptionState | null, after: SubscriptionState): string[] {
  const previous = before?.sources ?? [];
  const current = after.sources;
  // States name a few sources each: scanning the short lists beats building two sets per change.
  const small = previous.length * current.length <= 64;
  const previousSet = small ? null : new Set(previous);
  const currentSet = small ? null : new Set(current);
  const changed: string[] = [];
  for (const id of previous) if (!(currentSet ? currentSet.has(id) : current.includes(id))) changed.push(id);
  for (const id of current) if (!(previousSet ? previousSet.has(id) : previous.includes(id))) changed.push(id);
  // Sorted, each id once (a state's sources may name a line twice).
  return withoutRepeats((changed.length > 0 ? changed : [...current]).sort(compareStrings));
}

/** The same discount, to the rounding of scaled proration lines (see PlanItem.listMrrTolerance). */
function equalDiscount(before: SubscriptionState, after: SubscriptionState): boolean {
  const tolerance = [...before.items, ...after.items].reduce((sum, item) => add(sum, item.listMrrTolerance), ZERO);
  return withinTolerance(before.discount, after.discount, tolerance);
}

/** |a − b| ≤ tolerance, exactly. */
function withinTolerance(a: Ratio, b: Ratio, tolerance: Ratio): boolean {
  const difference = subtract(a, b);
  return compareRatios(difference.num < 0n ? { num: -difference.num, den: difference.den } : difference, tolerance) <= 0;
}

interface Explanation {
  readonly reason: MovementReason;
  readonly priceEffect: number | null;
  readonly volumeEffect: number | null;
  readonly mixEffect: number | null;
}

const unexplained = (reason: MovementReason): Explanation => ({ reason, priceEffect: null, volumeEffect: null, mixEffect: null });

/** The reason of an expansion or contraction (docs/rules.md "Reasons"), first match wins. */
function explain(
  before: SubscriptionState | null,
  after: SubscriptionState,
  amount: number,
  rate: Ratio,
  currency: CurrencyCode,
  reporting: CurrencyCode,
): Explanation {
  if (before && before.paused !== after.paused) return unexplained(after.paused ? 'paused' : 'resumed');
  if (!before || before.mrr === 0) return unexplained('cross_sell');
  if (after.mrr === 0) return unexplained('partial_churn');
  const plansBefore = before.items.map((item) => item.planId);
  const plansAfter = after.items.map((item) => item.planId);
  if (plansBefore.length !== plansAfter.length || plansBefore.some((plan, i) => plan !== plansAfter[i])) {
    return unexplained('plan_change');
  }
  let quantityChanged = false;
  let listPriceChanged = false;
  for (let i = 0; i < before.items.length; i++) {
    const item0 = before.items[i]!;
    const item1 = after.items[i]!;
    if (item0.quantity !== item1.quantity) quantityChanged = true;
    const samePrice =
      item0.quantity > 0 && item1.quantity > 0
        ? withinTolerance(
            divide(item0.listMrr, ratio(BigInt(item0.quantity))),
            divide(item1.listMrr, ratio(BigInt(item1.quantity))),
            add(divide(item0.listMrrTolerance, ratio(BigInt(item0.quantity))), divide(item1.listMrrTolerance, ratio(BigInt(item1.quantity)))),
          )
        : withinTolerance(item0.listMrr, item1.listMrr, add(item0.listMrrTolerance, item1.listMrrTolerance));
    if (!samePrice) listPriceChanged = true;
  }
  // A plan with no positive quantity has no unit price: nothing splits into price and volume.
  if (before.items.some((item) => item.quantity <= 0) || after.items.some((item) => item.quantity <= 0)) {
    return unexplained(!quantityChanged && !listPriceChanged && !equalDiscount(before, after) ? 'discount' : 'other');
  }
  const reason: MovementReason | null =
    quantityChanged && listPriceChanged ? 'price_volume_mix' : quantityChanged ? 'quantity' : listPriceChanged ? 'price' : null;
  if (reason === null) return unexplained(equalDiscount(before, after) ? 'other' : 'discount');

  // Price / volume / mix on the MRR per unit in force, in reporting minor units (docs/rules.md).
  let price: Ratio = ZERO;
  let volume: Ratio = ZERO;
  for (let i = 0; i < before.items.length; i++) {
    const item0 = before.items[i]!;
    const item1 = after.items[i]!;
    const q0 = ratio(BigInt(item0.quantity));
    const q1 = ratio(BigInt(item1.quantity));
    const p0 = divide(convertExactly(item0.mrr, rate, currency, reporting), q0);
    const p1 = divide(convertExactly(item1.mrr, rate, currency, reporting), q1);
    price = add(price, multiply(subtract(p1, p0), q0));
    volume = add(volume, multiply(p0, subtract(q1, q0)));
  }
  const priceEffect = Number(roundRatio(price));
  const volumeEffect = Number(roundRatio(volume));
  return { reason, priceEffect, volumeEffect, mixEffect: amount - priceEffect - volumeEffect };
}
