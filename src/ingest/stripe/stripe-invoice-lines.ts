/**
 * Invoice lines → canonical invoice lines. Stripe's line `amount` is before discounts and, for a
 * tax-inclusive price, includes the tax; the canonical amount is after discounts and excludes tax,
 * so `amount = line.amount − Σ discount_amounts − Σ inclusive taxes`.
 *
 * Both API shapes are read: before 2025-03-31.basil a line names its `subscription`, `price` /
 * `plan`, `proration` and `type` (`subscription` | `invoiceitem`) itself; after it, they sit under
 * `parent.subscription_item_details` (or `parent.invoice_item_details`) and `pricing.price_details`.
 */
import type { Instant } from '../../engine/calendar/instant.js';
import type { DiscountDuration, InvoiceLine, InvoiceLineType, SourceRef } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { allocate, isoMinorUnits } from './stripe-amounts.js';
import type { StripeCatalog, Version } from './stripe-catalog.js';
import type { StripeObject } from './stripe-object.js';
import type { StripeReferences } from './stripe-references.js';
import { INCOMPLETE_STATUSES, type SubscriptionInfo } from './stripe-subscriptions.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface LineDraft {
  readonly line: Mutable<InvoiceLine>;
  /** Stripe's own line id, before de-duplication across invoices. */
  readonly stripeLineId: string;
  /** `paid`, `open`, `uncollectible`, or null for a line not from an invoice (or an old invoice without status). */
  readonly invoiceStatus: string | null;
}

export interface LineContext {
  readonly refs: StripeReferences;
  readonly subscriptions: ReadonlyMap<string, SubscriptionInfo>;
  readonly catalog: StripeCatalog;
  exclude(key: string, by?: number): void;
  /** Prices that lines name but the data lacks, warned about once each. */
  readonly missingPrices: Set<string>;
}

export interface LooseLine {
  readonly object: StripeObject;
  readonly source: SourceRef;
}

const EXCLUDED_STATUS: Readonly<Record<string, string>> = { draft: 'draft invoice', void: 'void invoice' };

export function instantMoment(instant: Instant): { kind: 'instant'; instant: Instant } {
  return { kind: 'instant', instant };
}

/** The duration one canonical line can carry for several discounts: forever only when all are. */
export function combinedDuration(durations: readonly (DiscountDuration | null)[]): DiscountDuration | null {
  if (durations.length === 0 || durations.includes(null)) return null;
  if (durations.includes('once')) return 'once';
  if (durations.includes('repeating')) return 'repeating';
  return 'forever';
}

interface InvoiceHeader {
  readonly id: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly status: string | null;
  readonly subscriptionId: string | null;
  readonly issuedAt: Instant | null;
}

function readHeader(invoice: StripeObject): InvoiceHeader {
  const id = invoice.id();
  const customerId = invoice.ref('customer') ?? invoice.fail('customer', 'an invoice needs its customer');
  const currency = invoice.requiredCurrency('currency');
  const transitions = invoice.object('status_transitions');
  const parent = invoice.object('parent');
  const subscriptionId = invoice.ref('subscription') ?? parent?.object('subscription_details')?.ref('subscription') ?? null;
  return {
    id,
    customerId,
    currency,
    status: invoice.string('status'),
    subscriptionId,
    issuedAt: transitions?.timestamp('finalized_at') ?? invoice.timestamp('effective_at') ?? invoice.timestamp('created'),
  };
}

/** The canonical lines of one invoice (its own lines plus any saved separately). */
export function mapInvoice(version: Version, looseLines: readonly LooseLine[], context: LineContext): LineDraft[] {
  const invoice = version.object;
  const source = version.source;
  let header: InvoiceHeader;
  try {
    if (invoice.deleted) {
      context.exclude('deleted invoice');
      return [];
    }
    header = readHeader(invoice);
  } catch (error) {
    context.catalog.reject(source, error);
    return [];
  }
  // Discounts the invoice names (expanded, they tell which coupon a line's discount came from).
  try {
    invoice.refs('discounts');
    invoice.expandedList('discounts').forEach((discount) => context.refs.offerDiscount(discount, source, null));
    context.refs.offerDiscount(invoice.object('discount'), source, `${header.id}:discount`);
  } catch (error) {
    context.catalog.reject(source, error);
  }
  const excludedAs = header.status === null ? undefined : EXCLUDED_STATUS[header.status];
  if (excludedAs !== undefined) {
    context.exclude(excludedAs);
    return [];
  }

  let lines: LooseLine[];
  try {
    const { items, hasMore } = invoice.list('lines');
    lines = items.map((object) => ({ object, source }));
    const ids = new Set(items.map((item) => item.value.id));
    for (const loose of looseLines) if (!ids.has(loose.object.value.id)) lines.push(loose);
    if (hasMore && looseLines.length === 0) {
      context.catalog.warnings.push(`${source.file}:${source.line} ${invoice.pathOf('lines')}: invoice ${header.id} holds only some of its lines (has_more); the others are missing`);
    }
  } catch (error) {
    context.catalog.reject(source, error);
    return [];
  }
  context.catalog.count(context.catalog.objects, 'line_item', lines.length - looseLines.length);

  const drafts: LineDraft[] = [];
  const seen = new Set<string>();
  for (const { object, source: lineSource } of lines) {
    try {
      const draft = mapLine(object, lineSource, header, context);
      if (draft === null) continue;
      if (seen.has(draft.stripeLineId)) object.fail('id', `duplicate line ${draft.stripeLineId} in invoice ${header.id}`);
      seen.add(draft.stripeLineId);
      drafts.push(draft);
    } catch (error) {
      context.catalog.reject(lineSource, error);
    }
  }

  // Invoices from before lines carried `discount_amounts` (2020) only give the invoice's total:
  // it is shared out over the discountable lines in proportion to their amounts, as Stripe does.
  try {
    spreadInvoiceDiscount(invoice, source, lines, drafts, header.currency, context.refs);
  } catch (error) {
    context.catalog.reject(source, error);
  }
  return drafts;
}

function spreadInvoiceDiscount(invoice: StripeObject, source: SourceRef, lines: readonly LooseLine[], drafts: LineDraft[], currency: CurrencyCode, refs: StripeReferences): void {
  if (lines.some((line) => line.object.raw('discount_amounts') !== undefined || line.object.raw('pretax_credit_amounts') !== undefined)) return;
  const totals = invoice.array('total_discount_amounts');
  if (totals.length === 0) return;
  let total = 0;
  const discountIds: string[] = [];
  for (const entry of totals) {
    total += isoMinorUnits(entry.requiredAmount('amount'), currency, entry, 'amount');
    const id = refs.offerDiscount(entry.expanded('discount'), source, null) ?? entry.ref('discount');
    if (id !== null) discountIds.push(id);
  }
  const duration = combinedDuration(discountIds.map((id) => refs.durationOf(id)));
  const eligible = drafts.filter((draft) => draft.line.amount > 0 && draft.line.type !== 'credit_note');
  const shares = allocate(total, eligible.map((draft) => draft.line.amount));
  eligible.forEach((draft, index) => {
    const share = shares[index]!;
    draft.line.amount -= share;
    draft.line.discount += share;
    if (share !== 0) draft.line.discountDuration = duration;
  });
}

function mapLine(line: StripeObject, source: SourceRef, header: InvoiceHeader, context: LineContext): LineDraft | null {
  const { refs } = context;
  const stripeLineId = line.id();
  const parent = line.object('parent');
  let fromSubscriptionItem: boolean;
  let proration: boolean;
  let subscriptionId: string | null;
  let priceId: string | null;
  if (parent !== null) {
    const parentType = parent.requiredString('type');
    const details =
      parentType === 'subscription_item_details'
        ? parent.requiredObject('subscription_item_details')
        : parentType === 'invoice_item_details'
          ? parent.requiredObject('invoice_item_details')
          : null;
    fromSubscriptionItem = parentType === 'subscription_item_details';
    proration = details?.boolean('proration') ?? false;
    subscriptionId = details?.ref('subscription') ?? line.ref('subscription') ?? (fromSubscriptionItem ? header.subscriptionId : null);
    const priceDetails = line.object('pricing')?.object('price_details') ?? null;
    priceId = priceDetails === null ? null : (refs.offerPrice(priceDetails.expanded('price'), source) ?? priceDetails.ref('price'));
  } else {
    const lineType = line.string('type');
    fromSubscriptionItem = lineType === 'subscription';
    proration = line.boolean('proration') ?? false;
    subscriptionId = line.ref('subscription') ?? (fromSubscriptionItem ? header.subscriptionId : null);
    const price = refs.offerPrice(line.expanded('price'), source) ?? line.ref('price');
    const plan = refs.offerPrice(line.expanded('plan'), source) ?? line.ref('plan');
    priceId = price ?? plan;
  }

  const period = line.requiredObject('period');
  const start = period.requiredTimestamp('start');
  const end = period.requiredTimestamp('end');
  const currency = line.currency('currency') ?? header.currency;
  if (currency !== header.currency) line.fail('currency', `${currency} differs from the invoice's ${header.currency}`);
  const gross = line.requiredAmount('amount');

  let discount = 0;
  const discountIds: string[] = [];
  const discountAmounts = line.array('discount_amounts');
  const discountEntries =
    discountAmounts.length > 0 ? discountAmounts : line.array('pretax_credit_amounts').filter((entry) => entry.string('type') === 'discount');
  for (const entry of discountEntries) {
    const amount = entry.requiredAmount('amount');
    if (amount === 0) continue;
    discount += amount;
    const id = refs.offerDiscount(entry.expanded('discount'), source, null) ?? entry.ref('discount');
    if (id !== null) discountIds.push(id);
  }
  line.expandedList('discounts').forEach((expanded) => refs.offerDiscount(expanded, source, null));

  let tax = 0;
  let inclusiveTax = 0;
  for (const entry of line.array('tax_amounts')) {
    const amount = entry.requiredAmount('amount');
    tax += amount;
    if (entry.boolean('inclusive') === true) inclusiveTax += amount;
  }
  for (const entry of line.array('taxes')) {
    const amount = entry.requiredAmount('amount');
    tax += amount;
    if (entry.string('tax_behavior') === 'inclusive') inclusiveTax += amount;
  }

  const quantity = line.integer('quantity') ?? 1;
  if (quantity < 0) line.fail('quantity', `${quantity} is not a quantity`);

  const subscription = subscriptionId === null ? undefined : context.subscriptions.get(subscriptionId);
  if (subscription !== undefined && INCOMPLETE_STATUSES.has(subscription.status)) {
    context.exclude('line of an incomplete subscription');
    return null;
  }
  const price = priceId === null ? undefined : refs.prices.get(priceId);
  if (priceId !== null && price === undefined && subscriptionId !== null && !context.missingPrices.has(priceId)) {
    context.missingPrices.add(priceId);
    context.catalog.warnings.push(
      `price ${priceId} (named by invoice line ${stripeLineId}) is not in the data: its lines are taken as licensed, with the billing interval inferred from their periods`,
    );
  }

  let type: InvoiceLineType;
  if (subscriptionId === null || (price !== undefined && price.interval === null) || (!fromSubscriptionItem && !proration)) {
    type = 'one_time';
    context.exclude('one-time line');
  } else if (price?.metered === true) {
    type = 'one_time';
    context.exclude('metered price line');
  } else if (isTrialLine(line, gross, start, end, subscription)) {
    type = 'trial';
  } else {
    type = 'subscription';
  }
  const carriesPeriod = type === 'subscription' || type === 'trial';
  if (carriesPeriod && end <= start) period.fail('end', 'must be after period.start (a subscription line covers a service period)');

  const discountDuration = discount === 0 ? null : combinedDuration(discountIds.map((id) => refs.durationOf(id)));
  const minor = (amount: number, key: string) => isoMinorUnits(amount, currency, line, key);
  return {
    stripeLineId,
    invoiceStatus: header.status,
    line: {
      lineId: stripeLineId,
      invoiceId: header.id,
      customerId: header.customerId,
      subscriptionId,
      planId: priceId,
      type,
      // A one-off item's "period" is the instant it was added: no service period.
      serviceStart: carriesPeriod || end > start ? instantMoment(start) : null,
      serviceEnd: carriesPeriod || end > start ? instantMoment(end) : null,
      amount: minor(gross - discount - inclusiveTax, 'amount'),
      currency,
      quantity,
      discount: minor(discount, 'discount_amounts'),
      discountDuration,
      tax: minor(tax, line.has('taxes') ? 'taxes' : 'tax_amounts'),
      prorated: carriesPeriod ? proration : false,
      cancelledAt: null,
      cancelRequestedAt: null,
      issuedAt: header.issuedAt === null ? null : instantMoment(header.issuedAt),
      eventOrder: null,
      source,
    },
  };
}

/** A $0 line inside the subscription's trial window (or described by Stripe as a trial period). */
function isTrialLine(line: StripeObject, gross: number, start: Instant, end: Instant, subscription: SubscriptionInfo | undefined): boolean {
  if (gross !== 0) return false;
  if (subscription?.trialStart != null && subscription.trialEnd !== null && start >= subscription.trialStart && end <= subscription.trialEnd) return true;
  const description = line.raw('description');
  return typeof description === 'string' && /^trial period/i.test(description.trim());
}
