/**
 * Turns the catalog of Stripe objects into the canonical dataset: customers, plans (from prices
 * and legacy plans), and invoice lines (from invoice lines, credit notes, and, for a subscription
 * with no invoice in the data, its current period). History is invoice-line style only: a Stripe
 * subscription's MRR comes from what it was invoiced for, its cancellation from the subscription.
 */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import { dateOfInstant, type Instant } from '../../engine/calendar/instant.js';
import type { Customer, Dataset, InvoiceLine, Plan } from '../../engine/model.js';
import { divideRounded } from '../../engine/money/rounding.js';
import { parseDecimalRatio } from '../../engine/money/decimal.js';
import type { ConnectorResult } from '../connector-result.js';
import { allocate, isoMinorUnits } from './stripe-amounts.js';
import type { StripeCatalog, Version } from './stripe-catalog.js';
import { combinedDuration, instantMoment, mapInvoice, type LineDraft, type LooseLine, type Mutable } from './stripe-invoice-lines.js';
import { StripeFieldError, type StripeObject } from './stripe-object.js';
import { StripeReferences } from './stripe-references.js';
import { cancellationOf, readItem, readSubscription, unpaidSinceFromEvents, type SubscriptionInfo } from './stripe-subscriptions.js';

const COUNTRY = /^[A-Za-z]{2}$/;
/** Statuses in which a subscription without invoices still has a current period worth counting. */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['active', 'past_due', 'trialing']);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function day(instant: Instant): string {
  return formatIsoDate(dateOfInstant(instant, 'UTC'));
}

function readCustomer(customer: StripeObject, version: Version): Customer {
  const address = customer.object('address');
  let country: string | null = null;
  const countryText = address?.string('country') ?? null;
  if (countryText !== null && countryText.trim() !== '') {
    if (!COUNTRY.test(countryText.trim())) address!.fail('country', `"${countryText}" is not an ISO 3166-1 alpha-2 country code`);
    country = countryText.trim().toUpperCase();
  }
  return {
    customerId: customer.id(),
    name: customer.string('name') ?? customer.string('description'),
    email: customer.string('email'),
    company: customer.string('business_name'),
    country,
    createdAt: customer.timestamp('created') === null ? null : instantMoment(customer.timestamp('created')!),
    attributes: customer.stringMap('metadata'),
    source: version.source,
  };
}

export function buildStripeDataset(catalog: StripeCatalog): ConnectorResult {
  const excluded = new Map<string, number>();
  const exclude = (key: string, by = 1) => {
    if (by > 0) catalog.count(excluded, key, by);
  };
  const attempt = (version: Version, action: () => void) => {
    try {
      action();
    } catch (error) {
      if (!(error instanceof StripeFieldError)) throw error;
      catalog.reject(version.source, error);
    }
  };

  const refs = new StripeReferences(catalog);
  refs.readDirect();

  // Customers.
  const customers: Customer[] = [];
  for (const version of catalog.all('customer')) {
    attempt(version, () => {
      if (version.object.deleted) exclude('deleted customer');
      else customers.push(readCustomer(version.object, version));
    });
  }

  // Subscriptions, with the items saved as objects of their own.
  const looseItems = new Map<string, Version[]>();
  for (const version of catalog.all('subscription_item')) {
    attempt(version, () => {
      if (version.object.deleted) {
        exclude('deleted subscription item');
        return;
      }
      const subscriptionId = version.object.ref('subscription') ?? version.object.fail('subscription', 'a subscription item needs its subscription');
      looseItems.set(subscriptionId, [...(looseItems.get(subscriptionId) ?? []), version]);
    });
  }
  const subscriptions = new Map<string, SubscriptionInfo>();
  for (const version of catalog.all('subscription')) {
    attempt(version, () => {
      const info = readSubscription(version, looseItems.get(version.object.id()) ?? [], refs, catalog);
      subscriptions.set(info.id, info);
    });
  }
  for (const [subscriptionId, items] of looseItems) {
    if (subscriptions.has(subscriptionId)) continue;
    for (const item of items) {
      attempt(item, () => {
        readItem(item.object, item.source, refs);
        exclude('subscription item without its subscription');
      });
    }
  }

  for (const version of catalog.all('subscription_schedule')) {
    attempt(version, () => {
      if (version.object.ref('customer') === null) version.object.fail('customer', 'a subscription schedule needs its customer');
      // Future phases become MRR when Stripe invoices them; until then they are plans, not revenue.
      exclude('subscription schedule (its phases count once invoiced)');
    });
  }

  // Invoices and their lines, with line items saved as objects of their own.
  const looseLines = new Map<string, LooseLine[]>();
  for (const version of catalog.all('line_item')) {
    attempt(version, () => {
      const invoiceId = version.object.ref('invoice');
      if (invoiceId === null || catalog.get('invoice', invoiceId) === undefined) {
        version.object.fail('invoice', `a line item is read with its invoice (customer, currency, status), and invoice ${invoiceId ?? '(none)'} is not in the data`);
      }
      looseLines.set(invoiceId!, [...(looseLines.get(invoiceId!) ?? []), { object: version.object, source: version.source }]);
    });
  }
  const missingPrices = new Set<string>();
  const context = { refs, subscriptions, catalog, exclude, missingPrices };
  const drafts: LineDraft[] = [];
  for (const version of catalog.all('invoice')) {
    for (const draft of mapInvoice(version, looseLines.get(version.object.value.id as string) ?? [], context)) drafts.push(draft);
  }

  // Credit notes: kept as `credit_note` lines, which never change MRR.
  for (const version of catalog.all('credit_note')) {
    attempt(version, () => {
      const note = version.object;
      const id = note.id();
      if (note.string('status') === 'void') {
        exclude('void credit note');
        return;
      }
      const customerId = note.ref('customer') ?? note.fail('customer', 'a credit note needs its customer');
      const currency = note.requiredCurrency('currency');
      const invoiceId = note.ref('invoice') ?? id;
      const issued = note.timestamp('effective_at') ?? note.timestamp('created');
      for (const line of note.list('lines').items) {
        try {
          const amount = line.requiredAmount('amount') - (line.amount('discount_amount') ?? 0);
          let tax = 0;
          for (const entry of [...line.array('tax_amounts'), ...line.array('taxes')]) tax += entry.requiredAmount('amount');
          drafts.push({
            stripeLineId: line.id(),
            invoiceStatus: null,
            line: {
              lineId: line.id(),
              invoiceId,
              customerId,
              subscriptionId: null,
              planId: null,
              type: 'credit_note',
              serviceStart: null,
              serviceEnd: null,
              amount: -isoMinorUnits(amount, currency, line, 'amount'),
              currency,
              quantity: line.integer('quantity') ?? 1,
              discount: 0,
              discountDuration: null,
              tax: -isoMinorUnits(tax, currency, line, 'taxes'),
              prorated: false,
              cancelledAt: null,
              cancelRequestedAt: null,
              issuedAt: issued === null ? null : instantMoment(issued),
              eventOrder: null,
              source: version.source,
            },
          });
          exclude('credit note line (never MRR)');
        } catch (error) {
          catalog.reject(version.source, error);
        }
      }
    });
  }
  const standaloneCreditLines = catalog.all('credit_note_line_item').length;
  exclude('credit note line without its credit note', standaloneCreditLines);

  // Subscriptions the invoices say nothing about: their current period, from the subscription.
  const invoiced = new Set<string>();
  for (const draft of drafts) {
    if ((draft.line.type === 'subscription' || draft.line.type === 'trial') && draft.line.subscriptionId !== null) invoiced.add(draft.line.subscriptionId);
  }
  for (const sub of subscriptions.values()) {
    if (invoiced.has(sub.id) || !LIVE_STATUSES.has(sub.status)) continue;
    for (const draft of currentPeriodLines(sub, refs, catalog, exclude)) drafts.push(draft);
  }

  // Cancellations, on the latest line of each subscription (the engine reads them from any line).
  const bySubscription = new Map<string, LineDraft[]>();
  for (const draft of drafts) {
    const id = draft.line.subscriptionId;
    if (id === null || (draft.line.type !== 'subscription' && draft.line.type !== 'trial')) continue;
    bySubscription.set(id, [...(bySubscription.get(id) ?? []), draft]);
  }
  for (const sub of subscriptions.values()) {
    const lines = bySubscription.get(sub.id);
    if (lines === undefined) continue;
    let unpaidAt: Instant | null = null;
    if (sub.status === 'unpaid') {
      unpaidAt = unpaidSinceFromEvents(sub.id, catalog.statusChanges) ?? unpaidSinceFromInvoices(lines) ?? sub.currentPeriodStart;
      if (unpaidAt === null) catalog.warnings.push(`subscription ${sub.id} is unpaid, but neither events nor invoices tell since when: its MRR runs to the end of its invoiced periods`);
    }
    const cancellation = cancellationOf(sub, unpaidAt);
    if (cancellation === null) continue;
    const latest = lines.reduce((a, b) => (startOf(b) > startOf(a) || (startOf(b) === startOf(a) && b.line.lineId > a.line.lineId) ? b : a));
    latest.line.cancelledAt = cancellation.cancelledAt === null ? null : instantMoment(cancellation.cancelledAt);
    latest.line.cancelRequestedAt = cancellation.cancelRequestedAt === null ? null : instantMoment(cancellation.cancelRequestedAt);
  }

  // Line ids: Stripe's, unless one id appears on several invoices (older API versions reused
  // subscription ids as line ids); then every line of that id is named `invoice:line`.
  const invoicesOfId = new Map<string, Set<string>>();
  for (const draft of drafts) {
    const set = invoicesOfId.get(draft.stripeLineId) ?? new Set<string>();
    set.add(draft.line.invoiceId);
    invoicesOfId.set(draft.stripeLineId, set);
  }
  for (const draft of drafts) {
    if (invoicesOfId.get(draft.stripeLineId)!.size > 1) draft.line.lineId = `${draft.line.invoiceId}:${draft.stripeLineId}`;
  }

  const plans: Plan[] = [];
  for (const price of [...refs.prices.values()].sort((a, b) => compareStrings(a.id, b.id))) {
    if (price.interval === null) continue;
    const productName = refs.productName(price.productId);
    plans.push({ planId: price.id, name: price.nickname ?? productName, interval: price.interval, product: productName ?? price.productId, source: price.source });
  }

  const invoiceLines: InvoiceLine[] = drafts
    .map((draft) => draft.line)
    .sort((a, b) => compareStrings(a.lineId, b.lineId));
  const dataset: Dataset = { customers, plans, invoiceLines, subscriptionEvents: [], fxRates: [] };
  const rejects = dedupeRejects(catalog.rejects).sort(
    (a, b) => compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.column, b.column) || compareStrings(a.message, b.message),
  );
  const sorted = (map: Map<string, number>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => compareStrings(a, b)));
  return {
    dataset,
    rejects,
    warnings: catalog.warnings,
    summary: { objects: sorted(catalog.objects), unknownTypes: sorted(catalog.unknownTypes), excluded: sorted(excluded) },
  };
}

function startOf(draft: LineDraft): number {
  const start = draft.line.serviceStart;
  return start === null ? -Infinity : start.kind === 'instant' ? start.instant : start.date * 86_400_000;
}

function dedupeRejects<T extends { file: string; line: number; column: string; message: string }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = `${row.file}\u0000${row.line}\u0000${row.column}\u0000${row.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Without events, an unpaid subscription is taken to have stopped paying at the start of its
 * earliest unpaid invoice after its last paid one: the period Stripe gave up collecting.
 */
function unpaidSinceFromInvoices(lines: readonly LineDraft[]): Instant | null {
  const sorted = [...lines].sort((a, b) => startOf(a) - startOf(b));
  let candidate: Instant | null = null;
  for (const draft of sorted) {
    if (draft.invoiceStatus === 'paid') candidate = null;
    else if ((draft.invoiceStatus === 'open' || draft.invoiceStatus === 'uncollectible') && candidate === null) {
      candidate = startOf(draft) as Instant;
    }
  }
  return candidate;
}

function percentOf(amount: number, percentText: string): number {
  const percent = parseDecimalRatio(percentText);
  if (!percent.ok) return 0;
  return Number(divideRounded(BigInt(amount) * percent.value.num, percent.value.den * 100n, 'half-away-from-zero'));
}

/**
 * A live subscription with no invoice line in the data gets one line per licensed item for its
 * current period (trial lines while trialing), at list price less its subscription's coupons.
 */
function currentPeriodLines(sub: SubscriptionInfo, refs: StripeReferences, catalog: StripeCatalog, exclude: (key: string) => void): LineDraft[] {
  const trialing = sub.status === 'trialing';
  const planned: Array<{ itemId: string; priceId: string; quantity: number; start: Instant; end: Instant; gross: number; discountIds: string[] }> = [];
  for (const item of sub.items) {
    const price = item.priceId === null ? undefined : refs.prices.get(item.priceId);
    if (price === undefined || price.interval === null) {
      catalog.warnings.push(`subscription ${sub.id}: item ${item.id} names price ${item.priceId ?? '(none)'}, which is not in the data as a recurring price; the item is not counted`);
      exclude('subscription item without its price');
      continue;
    }
    if (price.metered) {
      exclude('metered price line');
      continue;
    }
    const start = trialing ? (sub.trialStart ?? item.periodStart ?? sub.currentPeriodStart) : (item.periodStart ?? sub.currentPeriodStart);
    const end = trialing ? (sub.trialEnd ?? item.periodEnd ?? sub.currentPeriodEnd) : (item.periodEnd ?? sub.currentPeriodEnd);
    if (start === null || end === null || end <= start) {
      catalog.warnings.push(`subscription ${sub.id}: item ${item.id} has no current period; the item is not counted`);
      continue;
    }
    if (!trialing && price.unitAmount === null) {
      catalog.warnings.push(`subscription ${sub.id}: item ${item.id} has a tiered or custom price and no invoice in the data; the item is not counted`);
      exclude('tiered price without invoices');
      continue;
    }
    const gross = trialing ? 0 : price.unitAmount! * item.quantity;
    planned.push({ itemId: item.id, priceId: price.id, quantity: item.quantity, start, end, gross, discountIds: [...sub.discountIds, ...item.discountIds] });
  }
  if (planned.length === 0) return [];

  // Coupons in force at the period start: percentages per item, fixed amounts shared out.
  const discounts = planned.map(() => 0);
  const durations: Array<Array<ReturnType<StripeReferences['durationOf']>>> = planned.map(() => []);
  const subscriptionLevel = new Set(sub.discountIds);
  const consider = new Set(planned.flatMap((p) => p.discountIds));
  for (const discountId of [...consider].sort()) {
    const discount = refs.discounts.get(discountId);
    const coupon = discount === undefined ? undefined : refs.coupons.get(discount.couponId);
    if (discount === undefined || coupon === undefined) continue;
    const applies = planned.map((p) => p.discountIds.includes(discountId) && (discount.end === null || discount.end > p.start) && p.gross > 0);
    if (coupon.percentOff !== null) {
      planned.forEach((p, index) => {
        if (!applies[index]) return;
        discounts[index]! += percentOf(p.gross - discounts[index]!, coupon.percentOff!);
        durations[index]!.push(coupon.duration);
      });
    } else if (coupon.amountOff !== null) {
      const weights = planned.map((p, index) => (applies[index] ? p.gross - discounts[index]! : 0));
      const total = Math.min(coupon.amountOff, weights.reduce((a, b) => a + b, 0));
      const shares = subscriptionLevel.has(discountId) ? allocate(total, weights) : weights.map((w) => Math.min(w, coupon.amountOff!));
      shares.forEach((share, index) => {
        if (share === 0) return;
        discounts[index]! += share;
        durations[index]!.push(coupon.duration);
      });
    }
  }

  const first = planned[0]!;
  catalog.warnings.push(
    `subscription ${sub.id} has no invoice line in the data: its current period (${day(first.start)} → ${day(first.end)}) is taken from the subscription object`,
  );
  return planned.map((p, index) => {
    const currency = refs.prices.get(p.priceId)!.currency;
    const line: Mutable<InvoiceLine> = {
      lineId: `${p.itemId}:${p.start / 1000}`,
      invoiceId: sub.latestInvoice ?? `${sub.id}:${p.start / 1000}`,
      customerId: sub.customerId,
      subscriptionId: sub.id,
      planId: p.priceId,
      type: trialing ? 'trial' : 'subscription',
      serviceStart: instantMoment(p.start),
      serviceEnd: instantMoment(p.end),
      amount: isoMinorUnitsSafe(p.gross - discounts[index]!, currency),
      currency,
      quantity: p.quantity,
      discount: isoMinorUnitsSafe(discounts[index]!, currency),
      discountDuration: discounts[index]! === 0 ? null : combinedDuration(durations[index]!),
      tax: 0,
      prorated: false,
      cancelledAt: null,
      cancelRequestedAt: null,
      issuedAt: instantMoment(p.start),
      eventOrder: null,
      source: sub.source,
    };
    return { line, stripeLineId: line.lineId, invoiceStatus: null };
  });
}

function isoMinorUnitsSafe(amount: number, currency: InvoiceLine['currency']): number {
  if (currency === 'ISK') return Math.round(amount / 100);
  if (currency === 'MGA') return amount * 100;
  return amount;
}
