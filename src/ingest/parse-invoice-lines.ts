/** `invoice_lines` rows (inputs.md, invoice style) → `InvoiceLine` records. */
import type { DiscountDuration, InvoiceLine, InvoiceLineType, Moment } from '../engine/model.js';
import {
  REQUIRED,
  booleanField,
  decimalTextField,
  enumField,
  fail,
  idField,
  integerField,
  minorUnits,
  momentField,
  optionalIdField,
  requiredCurrencyField,
  requiredDecimalTextField,
} from './field-schemas.js';
import { rowSchema, type RowKind } from './row-kind.js';
import { ownString } from './string-pool.js';

export const INVOICE_LINE_TYPES = ['subscription', 'one_time', 'trial', 'credit_note'] as const satisfies readonly InvoiceLineType[];
export const DISCOUNT_DURATIONS = ['once', 'repeating', 'forever'] as const satisfies readonly DiscountDuration[];

/** Lines that describe a service period of a subscription, and so must name both. */
const PERIOD_TYPES: ReadonlySet<InvoiceLineType> = new Set(['subscription', 'trial']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Whether `end` is provably not after `start`. Two dates compare directly; two instants too,
 * since an instant that is not later cannot fall on a later day in any time zone. A date against
 * an instant depends on the configured time zone, so the engine decides.
 */
export function periodIsEmpty(start: Moment, end: Moment): boolean {
  if (start.kind === 'date' && end.kind === 'date') return end.date <= start.date;
  if (start.kind === 'instant' && end.kind === 'instant') return end.instant <= start.instant;
  return false;
}

const schema = rowSchema({
  line_id: idField(),
  invoice_id: idField(),
  customer_id: idField(),
  subscription_id: optionalIdField(),
  plan_id: optionalIdField(),
  type: enumField(INVOICE_LINE_TYPES),
  service_start: momentField(),
  service_end: momentField(),
  amount: requiredDecimalTextField(),
  currency: requiredCurrencyField(),
  quantity: integerField({ min: 0 }),
  discount: decimalTextField(),
  discount_duration: enumField(DISCOUNT_DURATIONS),
  tax: decimalTextField(),
  prorated: booleanField(),
  cancelled_at: momentField(),
  cancel_requested_at: momentField(),
  issued_at: momentField(),
  event_order: integerField(),
}).transform(({ cells, source, pool }, ctx): InvoiceLine => {
  const type = cells.type ?? 'subscription';
  if (PERIOD_TYPES.has(type)) {
    const forType = `${REQUIRED} for ${type} lines`;
    if (cells.subscription_id === null) return fail(ctx, forType, ['subscription_id']);
    if (cells.service_start === null) return fail(ctx, forType, ['service_start']);
    if (cells.service_end === null) return fail(ctx, forType, ['service_end']);
  }
  if (cells.service_start !== null && cells.service_end !== null && periodIsEmpty(cells.service_start, cells.service_end)) {
    return fail(ctx, 'must be after service_start (the service period is [service_start, service_end))', ['service_end']);
  }
  const amount = minorUnits(cells.amount, cells.currency);
  if (!amount.ok) return fail(ctx, amount.message, ['amount']);
  const discount = cells.discount === null ? { ok: true as const, value: 0 } : minorUnits(cells.discount, cells.currency);
  if (!discount.ok) return fail(ctx, discount.message, ['discount']);
  const tax = cells.tax === null ? { ok: true as const, value: 0 } : minorUnits(cells.tax, cells.currency);
  if (!tax.ok) return fail(ctx, tax.message, ['tax']);
  return {
    lineId: ownString(cells.line_id),
    invoiceId: ownString(cells.invoice_id),
    customerId: pool.intern(cells.customer_id),
    subscriptionId: pool.internOrNull(cells.subscription_id),
    planId: pool.internOrNull(cells.plan_id),
    type,
    serviceStart: cells.service_start,
    serviceEnd: cells.service_end,
    amount: amount.value,
    currency: cells.currency,
    quantity: cells.quantity ?? 1,
    discount: discount.value,
    discountDuration: cells.discount_duration,
    tax: tax.value,
    // null until the whole file is known: see `finish`.
    prorated: cells.prorated,
    cancelledAt: cells.cancelled_at,
    cancelRequestedAt: cells.cancel_requested_at,
    issuedAt: cells.issued_at,
    eventOrder: cells.event_order,
    source,
  };
});

export const invoiceLineRows: RowKind<InvoiceLine> = {
  kind: 'invoice_lines',
  columns: Object.keys(schema.in.shape.cells.shape),
  requiredColumns: ['line_id', 'invoice_id', 'customer_id', 'amount', 'currency'],
  id: { column: 'line_id', of: (record) => record.lineId },
  schema,
  finish(records, columns) {
    // With a `prorated` column an empty value is a plain "no"; without one the engine detects
    // prorations itself, which it recognises by null.
    if (!columns.has('prorated')) return;
    for (const record of records) {
      if (record.prorated === null) (record as Mutable<InvoiceLine>).prorated = false;
    }
  },
};
