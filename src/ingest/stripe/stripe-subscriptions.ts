/**
 * Subscriptions as the connector needs them: their items and current periods (on the
 * subscription before 2025-03-31.basil, on each item after), trial window, discounts, and the
 * cancellation they carry (`canceled_at`, `cancel_at`, `cancel_at_period_end`, `ended_at`,
 * `cancellation_details`, and the `unpaid` status).
 */
import type { Instant } from '../../engine/calendar/instant.js';
import type { SourceRef } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import type { StatusChange, StripeCatalog, Version } from './stripe-catalog.js';
import type { StripeObject } from './stripe-object.js';
import type { StripeReferences } from './stripe-references.js';

export interface ItemInfo {
  readonly id: string;
  readonly priceId: string | null;
  readonly quantity: number;
  readonly periodStart: Instant | null;
  readonly periodEnd: Instant | null;
  readonly discountIds: readonly string[];
}

export interface SubscriptionInfo {
  readonly id: string;
  readonly customerId: string;
  readonly status: string;
  readonly currency: CurrencyCode | null;
  readonly canceledAt: Instant | null;
  readonly cancelAt: Instant | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly endedAt: Instant | null;
  readonly cancellationReason: string | null;
  readonly trialStart: Instant | null;
  readonly trialEnd: Instant | null;
  /** The subscription's own (old shape), else the earliest start / latest end of its items. */
  readonly currentPeriodStart: Instant | null;
  readonly currentPeriodEnd: Instant | null;
  readonly items: readonly ItemInfo[];
  readonly discountIds: readonly string[];
  readonly latestInvoice: string | null;
  readonly source: SourceRef;
}

/** Subscriptions that never got going: their lines are left out (the customer never paid). */
export const INCOMPLETE_STATUSES: ReadonlySet<string> = new Set(['incomplete', 'incomplete_expired']);

/** A period that ends before it starts is impossible; one that ends as it starts is none at all. */
function period(object: StripeObject, startKey: string, endKey: string): { start: Instant | null; end: Instant | null } {
  const start = object.timestamp(startKey);
  const end = object.timestamp(endKey);
  if (start !== null && end !== null && end < start) object.fail(endKey, `must not be before ${startKey}`);
  return start !== null && end !== null && end === start ? { start: null, end: null } : { start, end };
}

export function readItem(item: StripeObject, source: SourceRef, refs: StripeReferences): ItemInfo {
  const id = item.id();
  // Old shapes carry both `price` and `plan` (the same thing); both are read so a broken copy is reported.
  const priceId = refs.offerPrice(item.expanded('price'), source) ?? item.ref('price');
  const planId = refs.offerPrice(item.expanded('plan'), source) ?? item.ref('plan');
  const quantity = item.integer('quantity') ?? 1;
  if (quantity < 0) item.fail('quantity', `${quantity} is not a quantity`);
  const { start, end } = period(item, 'current_period_start', 'current_period_end');
  const discountIds = item.refs('discounts');
  item.expandedList('discounts').forEach((discount) => refs.offerDiscount(discount, source, null));
  return { id, priceId: priceId ?? planId, quantity, periodStart: start, periodEnd: end, discountIds };
}

/**
 * Reads the kept version of a subscription with its items; items given as separate objects are
 * added when the subscription's own list lacks them. A malformed item is rejected on its own.
 */
export function readSubscription(
  version: Version,
  standaloneItems: readonly Version[],
  refs: StripeReferences,
  catalog: StripeCatalog,
): SubscriptionInfo {
  const sub = version.object;
  const source = version.source;
  const id = sub.id();
  const customerId = sub.ref('customer') ?? sub.fail('customer', 'a subscription needs its customer');
  const status = sub.requiredString('status');
  const own = period(sub, 'current_period_start', 'current_period_end');
  const trial = period(sub, 'trial_start', 'trial_end');
  const details = sub.object('cancellation_details');

  const discountIds = sub.refs('discounts');
  sub.expandedList('discounts').forEach((discount) => refs.offerDiscount(discount, source, null));
  const single = refs.offerDiscount(sub.object('discount'), source, `${id}:discount`);
  if (single !== null && !discountIds.includes(single)) discountIds.push(single);

  const items: ItemInfo[] = [];
  const { items: listed, hasMore } = sub.list('items');
  for (const item of listed) {
    try {
      items.push(readItem(item, source, refs));
    } catch (error) {
      catalog.reject(source, error);
    }
  }
  if (hasMore) catalog.warnings.push(`${source.file}:${source.line} ${sub.pathOf('items')}: subscription ${id} lists only some of its items (has_more)`);
  for (const extra of standaloneItems) {
    try {
      if (extra.object.deleted) continue;
      const item = readItem(extra.object, extra.source, refs);
      if (!items.some((known) => known.id === item.id)) items.push(item);
    } catch (error) {
      catalog.reject(extra.source, error);
    }
  }

  let currentPeriodStart = own.start;
  let currentPeriodEnd = own.end;
  for (const item of items) {
    if (item.periodStart !== null && (currentPeriodStart === null || (own.start === null && item.periodStart < currentPeriodStart))) {
      currentPeriodStart = item.periodStart;
    }
    if (item.periodEnd !== null && (currentPeriodEnd === null || (own.end === null && item.periodEnd > currentPeriodEnd))) {
      currentPeriodEnd = item.periodEnd;
    }
  }

  return {
    id,
    customerId,
    status,
    currency: sub.currency('currency'),
    canceledAt: sub.timestamp('canceled_at'),
    cancelAt: sub.timestamp('cancel_at'),
    cancelAtPeriodEnd: sub.boolean('cancel_at_period_end') ?? false,
    endedAt: sub.timestamp('ended_at'),
    cancellationReason: details?.string('reason') ?? null,
    trialStart: trial.start,
    trialEnd: trial.end,
    currentPeriodStart,
    currentPeriodEnd,
    items,
    discountIds,
    latestInvoice: sub.ref('latest_invoice'),
    source,
  };
}

export interface Cancellation {
  /** Effective: MRR ends here (`cancel-effective`). */
  readonly cancelledAt: Instant | null;
  /** When the customer asked (`cancel-requested`); null when nobody asked (failed payments). */
  readonly cancelRequestedAt: Instant | null;
}

/** Cancellations Stripe makes on its own, which no customer requested. */
const NOT_REQUESTED: ReadonlySet<string> = new Set(['payment_failed', 'payment_disputed']);

/**
 * The cancellation a subscription carries. `canceled_at` is when the cancellation was asked for
 * (for one scheduled at period end, the request, not the end); it takes effect at `ended_at` once
 * ended, else at `cancel_at`, else at the end of the current period when `cancel_at_period_end`.
 * An `unpaid` subscription ends at `unpaidAt`.
 */
export function cancellationOf(sub: SubscriptionInfo, unpaidAt: Instant | null): Cancellation | null {
  const requested = sub.cancellationReason !== null && NOT_REQUESTED.has(sub.cancellationReason) ? null : sub.canceledAt;
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired' || sub.endedAt !== null) {
    const effective = sub.endedAt ?? sub.cancelAt ?? sub.canceledAt;
    return effective === null ? null : { cancelledAt: effective, cancelRequestedAt: requested };
  }
  if (sub.cancelAt !== null) return { cancelledAt: sub.cancelAt, cancelRequestedAt: requested };
  if (sub.cancelAtPeriodEnd && sub.currentPeriodEnd !== null) return { cancelledAt: sub.currentPeriodEnd, cancelRequestedAt: requested };
  if (sub.status === 'unpaid' && unpaidAt !== null) return { cancelledAt: unpaidAt, cancelRequestedAt: null };
  return null;
}

/**
 * When a subscription now `unpaid` became so, from its webhook events: the last change into
 * `unpaid` (`previous_attributes.status` says so), else the first snapshot seen unpaid after the
 * last one seen otherwise. Null when events do not tell.
 */
export function unpaidSinceFromEvents(subscriptionId: string, changes: readonly StatusChange[]): Instant | null {
  const own = changes
    .filter((change) => change.subscriptionId === subscriptionId)
    .sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  let transition: Instant | null = null;
  let firstSeen: Instant | null = null;
  for (const change of own) {
    if (change.status !== 'unpaid') {
      transition = null;
      firstSeen = null;
      continue;
    }
    if (change.previousStatus !== null && change.previousStatus !== 'unpaid') transition = change.at;
    if (firstSeen === null) firstSeen = change.at;
  }
  const last = own.at(-1);
  if (last === undefined || last.status !== 'unpaid') return null;
  return transition ?? firstSeen;
}
