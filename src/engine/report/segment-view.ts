/**
 * Segments (metrics.md "Segments"): a view of the business restricted to customers with some
 * trait (country, attr.*, MRR band) and/or to subscriptions on some plan, product or currency.
 *
 * A view is a movement list like the whole business's, sorted the same way, whose `customerMrr`
 * is the customer's MRR within the view, so every report runs unchanged on it. Customer
 * dimensions keep whole customers. Subscription dimensions follow each subscription day by day:
 * a subscription that moves between groups while paying leaves one ("contraction", reason
 * `plan_change`) and enters the other ("expansion", `plan_change`), never a churn and a new.
 */
import type { CalendarDate } from '../calendar/calendar-date.js';
import type { ComputeResult, SubscriptionTimeline, TimelinePoint } from '../compute-movements.js';
import { compareMovements } from '../compute-movements.js';
import type { Customer, Plan } from '../model.js';
import { currencyExponent, type CurrencyCode } from '../money/currency.js';
import type { Movement } from '../movement.js';
import { compareStrings } from '../subscription/subscription-state.js';
import { pointOn } from './point-on.js';

export type CustomerDimension = 'country' | 'mrr_band' | `attr.${string}`;
export type SubscriptionDimension = 'plan' | 'product' | 'currency';
export type Dimension = CustomerDimension | SubscriptionDimension;

export const SUBSCRIPTION_DIMENSIONS: readonly SubscriptionDimension[] = ['plan', 'product', 'currency'];

export function isDimension(text: string): text is Dimension {
  return text === 'country' || text === 'mrr_band' || /^attr\.[^\s]+$/.test(text) || (SUBSCRIPTION_DIMENSIONS as readonly string[]).includes(text);
}

function isSubscriptionDimension(dimension: Dimension): dimension is SubscriptionDimension {
  return (SUBSCRIPTION_DIMENSIONS as readonly string[]).includes(dimension);
}

export interface SegmentFilter {
  readonly dimension: Dimension;
  readonly value: string;
}

/** The label of a customer or subscription without a value for the dimension. */
export const NO_VALUE = '(none)';

/** Default MRR bands in major units of the reporting currency: [low, high). */
const BAND_EDGES = [0, 100, 500, 1000, 5000, 10000];

/** The band of an MRR in minor units: "0" for none, "100-500", … "10000+". */
export function mrrBand(mrr: number, currency: CurrencyCode): string {
  if (mrr <= 0) return '0';
  const scale = 10 ** currencyExponent(currency);
  for (let i = 1; i < BAND_EDGES.length; i++) if (mrr < BAND_EDGES[i]! * scale) return `${BAND_EDGES[i - 1]}-${BAND_EDGES[i]}`;
  return `${BAND_EDGES.at(-1)}+`;
}

/** Whether an MRR (minor units) falls in a band written "1000-5000" (major units, [low, high)), "5000+" or "0". */
export function inMrrBand(mrr: number, band: string, currency: CurrencyCode): boolean | null {
  const scale = 10 ** currencyExponent(currency);
  if (band === '0') return mrr <= 0;
  const open = /^(\d+)\+$/.exec(band);
  if (open) return mrr >= Number(open[1]) * scale;
  const range = /^(\d+)-(\d+)$/.exec(band);
  if (range) return mrr >= Number(range[1]) * scale && mrr < Number(range[2]) * scale;
  return null;
}

export interface SegmentContext {
  readonly customers: ReadonlyMap<string, Customer>;
  readonly plans: ReadonlyMap<string, Plan>;
  /** Each customer's MRR on asOf, for `mrr_band`. */
  readonly currentMrr: ReadonlyMap<string, number>;
  readonly currency: CurrencyCode;
}

function customerValue(dimension: CustomerDimension, customerId: string, context: SegmentContext): string {
  if (dimension === 'mrr_band') return mrrBand(context.currentMrr.get(customerId) ?? 0, context.currency);
  const customer = context.customers.get(customerId);
  if (dimension === 'country') return customer?.country ?? NO_VALUE;
  return customer?.attributes[dimension.slice('attr.'.length)] ?? NO_VALUE;
}

function subscriptionValue(dimension: SubscriptionDimension, timeline: SubscriptionTimeline, planId: string | null, context: SegmentContext): string {
  if (dimension === 'currency') return timeline.currency;
  if (planId === null) return NO_VALUE;
  return dimension === 'plan' ? planId : (context.plans.get(planId)?.product ?? NO_VALUE);
}

function customerMatches(filter: SegmentFilter & { dimension: CustomerDimension }, customerId: string, context: SegmentContext): boolean {
  if (filter.dimension === 'mrr_band') return inMrrBand(context.currentMrr.get(customerId) ?? 0, filter.value, context.currency) === true;
  return customerValue(filter.dimension, customerId, context) === filter.value;
}

/** Sorts a view and sets each movement's customerMrr to the customer's MRR within the view. */
function finishView(movements: Movement[]): Movement[] {
  movements.sort(compareMovements);
  const running = new Map<string, number>();
  const result: Movement[] = new Array(movements.length);
  for (let start = 0; start < movements.length; ) {
    const { date, customerId } = movements[start]!;
    let end = start;
    let total = running.get(customerId) ?? 0;
    while (end < movements.length && movements[end]!.date === date && movements[end]!.customerId === customerId) total += movements[end++]!.amount;
    running.set(customerId, total);
    for (let i = start; i < end; i++) result[i] = { ...movements[i]!, customerMrr: total };
    start = end;
  }
  return result;
}

/** A view: its label (the group, or "all") and its movements. */
export interface View {
  readonly group: string;
  readonly movements: readonly Movement[];
  /** Whether a subscription counts in this view on a day (for constant-currency figures). */
  readonly includes: (timeline: SubscriptionTimeline, day: CalendarDate) => boolean;
}

/**
 * The views a report runs on: one ("all") without grouping, else one per group value, in label
 * order. Filters combine with AND.
 */
export function segmentViews(
  result: Pick<ComputeResult, 'movements' | 'timelines'>,
  filters: readonly SegmentFilter[],
  groupBy: Dimension | null,
  context: SegmentContext,
): View[] {
  const customerFilters = filters.filter((f): f is SegmentFilter & { dimension: CustomerDimension } => !isSubscriptionDimension(f.dimension));
  const subscriptionFilters = filters.filter((f): f is SegmentFilter & { dimension: SubscriptionDimension } => isSubscriptionDimension(f.dimension));
  const keepCustomer = (customerId: string) => customerFilters.every((filter) => customerMatches(filter, customerId, context));

  const customerGroup = groupBy !== null && !isSubscriptionDimension(groupBy) ? groupBy : null;
  const subscriptionGroup = groupBy !== null && isSubscriptionDimension(groupBy) ? groupBy : null;
  const groupOfCustomer = (customerId: string) => (customerGroup === null ? 'all' : customerValue(customerGroup, customerId, context));

  if (subscriptionFilters.length === 0 && subscriptionGroup === null) {
    const byGroup = new Map<string, Movement[]>();
    for (const movement of result.movements) {
      if (!keepCustomer(movement.customerId)) continue;
      const group = groupOfCustomer(movement.customerId);
      let list = byGroup.get(group);
      if (!list) byGroup.set(group, (list = []));
      list.push(movement);
    }
    if (groupBy === null && !byGroup.has('all')) byGroup.set('all', []);
    return [...byGroup.keys()].sort(compareStrings).map((group) => ({
      group,
      movements: byGroup.get(group)!,
      includes: (timeline) => keepCustomer(timeline.customerId) && groupOfCustomer(timeline.customerId) === group,
    }));
  }

  // Subscription dimensions: the group of a subscription on a day is what its plan says then.
  const groupOfPoint = (timeline: SubscriptionTimeline, point: TimelinePoint | null): string | null => {
    if (!point || point.mrr <= 0) return null;
    for (const filter of subscriptionFilters) if (subscriptionValue(filter.dimension, timeline, point.planId, context) !== filter.value) return null;
    const byCustomer = groupOfCustomer(timeline.customerId);
    return subscriptionGroup === null ? byCustomer : subscriptionValue(subscriptionGroup, timeline, point.planId, context);
  };

  const movementsBySubscription = new Map<string, Movement[]>();
  for (const movement of result.movements) {
    if (!keepCustomer(movement.customerId)) continue;
    let list = movementsBySubscription.get(movement.subscriptionId);
    if (!list) movementsBySubscription.set(movement.subscriptionId, (list = []));
    list.push(movement);
  }

  const byGroup = new Map<string, Movement[]>();
  const put = (group: string, movement: Movement) => {
    let list = byGroup.get(group);
    if (!list) byGroup.set(group, (list = []));
    list.push(movement);
  };
  for (const timeline of result.timelines) {
    if (!keepCustomer(timeline.customerId)) continue;
    const own = movementsBySubscription.get(timeline.subscriptionId) ?? [];
    const days = [...new Set([...own.map((m) => m.date), ...timeline.points.map((p) => p.date)])].sort((a, b) => a - b);
    let next = 0;
    for (const day of days) {
      const today: Movement[] = [];
      while (next < own.length && own[next]!.date === day) today.push(own[next++]!);
      const before = pointOn(timeline.points, (day - 1) as CalendarDate);
      const after = pointOn(timeline.points, day);
      const groupBefore = groupOfPoint(timeline, before);
      const groupAfter = groupOfPoint(timeline, after);
      if (groupBefore === groupAfter) {
        if (groupBefore !== null) for (const movement of today) put(groupBefore, movement);
        continue;
      }
      // The subscription crosses a boundary of the view. While it pays on both days that is a
      // move between groups (or in or out of a filtered segment): it leaves with its old MRR and
      // enters with its new one. When it starts or stops paying, its own movements say so.
      const paidBefore = before !== null && before.mrr > 0;
      const paysAfter = after !== null && after.mrr > 0;
      const transfer = (amount: number, nativeAmount: number, planId: string | null): Movement => ({
        date: day,
        customerId: timeline.customerId,
        subscriptionId: timeline.subscriptionId,
        type: amount > 0 ? 'expansion' : 'contraction',
        reason: 'plan_change',
        amount,
        currency: context.currency,
        nativeAmount,
        nativeCurrency: timeline.currency,
        customerMrr: 0,
        planId,
        priceEffect: null,
        volumeEffect: null,
        mixEffect: null,
        sources: [...new Set(today.flatMap((m) => m.sources))].sort(compareStrings),
      });
      if (groupBefore !== null) {
        if (paysAfter) put(groupBefore, transfer(-before!.mrr, -before!.nativeMrr, before!.planId));
        else for (const movement of today) put(groupBefore, movement);
      }
      if (groupAfter !== null) {
        if (paidBefore) put(groupAfter, transfer(after!.mrr, after!.nativeMrr, after!.planId));
        else for (const movement of today) put(groupAfter, movement);
      }
    }
  }
  const groups = subscriptionGroup === null && customerGroup === null ? ['all'] : [...byGroup.keys()].sort(compareStrings);
  return groups.map((group) => ({
    group,
    movements: finishView(byGroup.get(group) ?? []),
    includes: (timeline, day) => keepCustomer(timeline.customerId) && groupOfPoint(timeline, pointOn(timeline.points, day)) === group,
  }));
}
