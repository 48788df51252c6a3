/** `subscription_events` rows (inputs.md, event style) → `SubscriptionEvent` records. */
import type { BillingInterval, SubscriptionEvent, SubscriptionEventType } from '../engine/model.js';
import {
  REQUIRED,
  currencyField,
  decimalTextField,
  enumField,
  fail,
  idField,
  integerField,
  minorUnits,
  momentField,
  optionalIdField,
  requiredEnumField,
  requiredMomentField,
} from './field-schemas.js';
import { DISCOUNT_DURATIONS } from './parse-invoice-lines.js';
import { INTERVAL_UNITS } from './parse-plans.js';
import { rowSchema, type RowKind } from './row-kind.js';
import { ownString } from './string-pool.js';

export const SUBSCRIPTION_EVENT_TYPES = ['start', 'change', 'cancel', 'pause', 'resume'] as const satisfies readonly SubscriptionEventType[];

/** Events that set a subscription's amount, and so must give one. */
const PRICED_TYPES: ReadonlySet<SubscriptionEventType> = new Set(['start', 'change']);

const schema = rowSchema({
  event_id: idField(),
  customer_id: idField(),
  subscription_id: idField(),
  type: requiredEnumField(SUBSCRIPTION_EVENT_TYPES),
  effective_at: requiredMomentField(),
  requested_at: momentField(),
  plan_id: optionalIdField(),
  amount: decimalTextField(),
  unit_amount: decimalTextField(),
  quantity: integerField({ min: 0 }),
  discount: decimalTextField(),
  discount_duration: enumField(DISCOUNT_DURATIONS),
  currency: currencyField(),
  interval_unit: enumField(INTERVAL_UNITS),
  interval_count: integerField({ min: 1 }),
  paid_through: momentField(),
}).transform(({ cells, source, pool }, ctx): SubscriptionEvent => {
  const priced = PRICED_TYPES.has(cells.type);
  if (priced && cells.amount === null && cells.unit_amount === null) {
    return fail(ctx, `${REQUIRED} for ${cells.type} events (or give unit_amount)`, ['amount']);
  }
  const currency = cells.currency;
  if (currency === null) {
    if (priced) return fail(ctx, `${REQUIRED} for ${cells.type} events`, ['currency']);
    const priceColumn = (['amount', 'unit_amount', 'discount'] as const).find((column) => cells[column] !== null);
    if (priceColumn !== undefined) return fail(ctx, `${REQUIRED} when ${priceColumn} is given`, ['currency']);
  }
  const quantity = cells.quantity ?? 1;
  let amount: number | null = null;
  let unitAmount: number | null = null;
  let discount = 0;
  if (currency !== null) {
    if (cells.amount !== null) {
      const parsed = minorUnits(cells.amount, currency);
      if (!parsed.ok) return fail(ctx, parsed.message, ['amount']);
      amount = parsed.value;
    }
    if (cells.unit_amount !== null) {
      const parsed = minorUnits(cells.unit_amount, currency);
      if (!parsed.ok) return fail(ctx, parsed.message, ['unit_amount']);
      unitAmount = parsed.value;
    }
    if (cells.discount !== null) {
      const parsed = minorUnits(cells.discount, currency);
      if (!parsed.ok) return fail(ctx, parsed.message, ['discount']);
      discount = parsed.value;
    }
    if (amount === null && unitAmount !== null) {
      // Integer arithmetic in minor units, so the derived amount is exact.
      const derived = BigInt(unitAmount) * BigInt(quantity) - BigInt(discount);
      if (derived > BigInt(Number.MAX_SAFE_INTEGER) || -derived > BigInt(Number.MAX_SAFE_INTEGER)) {
        return fail(ctx, 'unit_amount × quantity − discount is too large', ['unit_amount']);
      }
      amount = Number(derived);
    }
  }
  if (cells.interval_unit === null && cells.interval_count !== null) {
    return fail(ctx, `${REQUIRED} when interval_count is given`, ['interval_unit']);
  }
  const interval: BillingInterval | null = cells.interval_unit === null ? null : { unit: cells.interval_unit, count: cells.interval_count ?? 1 };
  return {
    eventId: ownString(cells.event_id),
    customerId: pool.intern(cells.customer_id),
    subscriptionId: pool.intern(cells.subscription_id),
    type: cells.type,
    effectiveAt: cells.effective_at,
    requestedAt: cells.requested_at,
    planId: pool.internOrNull(cells.plan_id),
    amount,
    unitAmount,
    quantity,
    discount,
    discountDuration: cells.discount_duration,
    currency,
    interval,
    paidThrough: cells.paid_through,
    source,
  };
});

export const subscriptionEventRows: RowKind<SubscriptionEvent> = {
  kind: 'subscription_events',
  columns: Object.keys(schema.in.shape.cells.shape),
  requiredColumns: ['event_id', 'customer_id', 'subscription_id', 'type', 'effective_at'],
  id: { column: 'event_id', of: (record) => record.eventId },
  schema,
};
