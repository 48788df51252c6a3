/**
 * Stripe-shaped test inputs, written by the project: one description of a business gives the
 * objects of either API shape, `legacy` (before 2025-03-31.basil: periods on the subscription,
 * singular `discount`, lines with `price` / `plan` / `proration` / `subscription`) or `basil`
 * (periods on items, `discounts[]`, lines with `pricing` and `parent`, discount `source.coupon`).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Shape = 'legacy' | 'basil';

/** Unix seconds of a UTC date (`2024-01-15`) or timestamp. */
export function ts(text: string): number {
  return Math.floor(Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) / 1000);
}

export interface PriceSpec {
  readonly id: string;
  readonly product: string;
  readonly unitAmount: number;
  readonly currency?: string;
  readonly interval?: 'day' | 'week' | 'month' | 'year';
  readonly intervalCount?: number;
  readonly metered?: boolean;
  readonly nickname?: string;
  readonly taxBehavior?: 'inclusive' | 'exclusive' | 'unspecified';
}

export interface CouponSpec {
  readonly id: string;
  readonly duration: 'once' | 'repeating' | 'forever';
  readonly months?: number;
  readonly percentOff?: number;
  readonly amountOff?: number;
}

export interface DiscountSpec {
  readonly id: string;
  readonly coupon: CouponSpec;
  readonly customer: string;
  readonly subscription: string;
  readonly start: string;
  readonly end?: string;
}

export interface LineSpec {
  readonly id: string;
  readonly price: PriceSpec;
  readonly start: string;
  readonly end: string;
  readonly amount: number;
  readonly quantity?: number;
  readonly proration?: boolean;
  readonly subscription?: string | null;
  readonly subscriptionItem?: string;
  readonly discounts?: ReadonlyArray<{ readonly discount: string; readonly amount: number }>;
  readonly taxes?: ReadonlyArray<{ readonly amount: number; readonly inclusive: boolean }>;
  readonly description?: string;
}

export interface InvoiceSpec {
  readonly id: string;
  readonly customer: string;
  readonly subscription?: string;
  readonly currency?: string;
  readonly status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  readonly created: string;
  readonly lines: readonly LineSpec[];
  /** Discounts the invoice applies, expanded as `runrate sync stripe` asks for them. */
  readonly discounts?: readonly DiscountSpec[];
}

export interface ItemSpec {
  readonly id: string;
  readonly price: PriceSpec;
  readonly quantity?: number;
}

export interface SubscriptionSpec {
  readonly id: string;
  readonly customer: string;
  readonly status: string;
  readonly items: readonly ItemSpec[];
  readonly currentPeriod: readonly [string, string];
  readonly created: string;
  readonly currency?: string;
  readonly canceledAt?: string;
  readonly cancelAt?: string;
  readonly cancelAtPeriodEnd?: boolean;
  readonly endedAt?: string;
  readonly cancellationReason?: string;
  readonly trial?: readonly [string, string];
  readonly discount?: DiscountSpec;
}

export interface CustomerSpec {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly country?: string;
  readonly metadata?: Record<string, string>;
  readonly created?: string;
}

export function priceObject(spec: PriceSpec): Record<string, unknown> {
  return {
    id: spec.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: ts('2023-01-01'),
    currency: spec.currency ?? 'usd',
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: spec.nickname ?? null,
    product: spec.product,
    recurring: {
      interval: spec.interval ?? 'month',
      interval_count: spec.intervalCount ?? 1,
      meter: null,
      usage_type: spec.metered === true ? 'metered' : 'licensed',
      trial_period_days: null,
    },
    tax_behavior: spec.taxBehavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: spec.metered === true ? null : spec.unitAmount,
    unit_amount_decimal: spec.metered === true ? null : String(spec.unitAmount),
  };
}

function planObject(spec: PriceSpec): Record<string, unknown> {
  return {
    id: spec.id,
    object: 'plan',
    active: true,
    aggregate_usage: spec.metered === true ? 'sum' : null,
    amount: spec.metered === true ? null : spec.unitAmount,
    amount_decimal: spec.metered === true ? null : String(spec.unitAmount),
    billing_scheme: 'per_unit',
    created: ts('2023-01-01'),
    currency: spec.currency ?? 'usd',
    interval: spec.interval ?? 'month',
    interval_count: spec.intervalCount ?? 1,
    livemode: false,
    metadata: {},
    nickname: spec.nickname ?? null,
    product: spec.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: spec.metered === true ? 'metered' : 'licensed',
  };
}

export function couponObject(spec: CouponSpec): Record<string, unknown> {
  return {
    id: spec.id,
    object: 'coupon',
    amount_off: spec.amountOff ?? null,
    created: ts('2023-01-01'),
    currency: spec.amountOff === undefined ? null : 'usd',
    duration: spec.duration,
    duration_in_months: spec.months ?? null,
    livemode: false,
    max_redemptions: null,
    metadata: {},
    name: spec.id,
    percent_off: spec.percentOff ?? null,
    redeem_by: null,
    times_redeemed: 1,
    valid: true,
  };
}

export function discountObject(spec: DiscountSpec, shape: Shape): Record<string, unknown> {
  const common = {
    id: spec.id,
    object: 'discount',
    checkout_session: null,
    customer: spec.customer,
    end: spec.end === undefined ? null : ts(spec.end),
    invoice: null,
    invoice_item: null,
    promotion_code: null,
    start: ts(spec.start),
    subscription: spec.subscription,
    subscription_item: null,
  };
  return shape === 'legacy' ? { ...common, coupon: couponObject(spec.coupon) } : { ...common, source: { type: 'coupon', coupon: spec.coupon.id } };
}

function lineObject(spec: LineSpec, invoice: InvoiceSpec, shape: Shape): Record<string, unknown> {
  const subscription = spec.subscription === undefined ? (invoice.subscription ?? null) : spec.subscription;
  const proration = spec.proration ?? false;
  const common = {
    id: spec.id,
    object: 'line_item',
    amount: spec.amount,
    currency: invoice.currency ?? 'usd',
    description: spec.description ?? `${spec.quantity ?? 1} × ${spec.price.product}`,
    discount_amounts: (spec.discounts ?? []).map((entry) => ({ amount: entry.amount, discount: entry.discount })),
    discountable: !proration,
    discounts: [],
    livemode: false,
    metadata: {},
    period: { start: ts(spec.start), end: ts(spec.end) },
    quantity: spec.quantity ?? 1,
  };
  const item = spec.subscriptionItem ?? `si_${spec.price.id}`;
  if (shape === 'legacy') {
    return {
      ...common,
      plan: planObject(spec.price),
      price: priceObject(spec.price),
      proration,
      subscription,
      subscription_item: subscription === null ? null : item,
      tax_amounts: (spec.taxes ?? []).map((tax) => ({ amount: tax.amount, inclusive: tax.inclusive, tax_rate: 'txr_1', taxability_reason: null, taxable_amount: null })),
      tax_rates: [],
      // Prorations created on a subscription change are invoice items tied to it.
      type: subscription !== null && !proration ? 'subscription' : 'invoiceitem',
    };
  }
  return {
    ...common,
    invoice: invoice.id,
    parent:
      subscription === null
        ? { type: 'invoice_item_details', invoice_item_details: { invoice_item: `ii_${spec.id}`, proration: false, proration_details: { credited_items: null }, subscription: null }, subscription_item_details: null }
        : {
            type: 'subscription_item_details',
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: proration ? `ii_${spec.id}` : null,
              proration,
              proration_details: { credited_items: null },
              subscription,
              subscription_item: item,
            },
          },
    pretax_credit_amounts: (spec.discounts ?? []).map((entry) => ({ amount: entry.amount, discount: entry.discount, type: 'discount' })),
    pricing: { type: 'price_details', price_details: { price: spec.price.id, product: spec.price.product }, unit_amount_decimal: String(spec.price.unitAmount) },
    quantity_decimal: String(spec.quantity ?? 1),
    subtotal: spec.amount,
    taxes: (spec.taxes ?? []).map((tax) => ({
      amount: tax.amount,
      tax_behavior: tax.inclusive ? 'inclusive' : 'exclusive',
      tax_rate_details: { tax_rate: 'txr_1' },
      taxability_reason: 'standard_rated',
      taxable_amount: null,
      type: 'tax_rate_details',
    })),
  };
}

export function invoiceObject(spec: InvoiceSpec, shape: Shape): Record<string, unknown> {
  const created = ts(spec.created);
  const status = spec.status ?? 'paid';
  const common = {
    id: spec.id,
    object: 'invoice',
    account_country: 'US',
    amount_due: spec.lines.reduce((sum, line) => sum + line.amount, 0),
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created,
    currency: spec.currency ?? 'usd',
    customer: spec.customer,
    customer_email: null,
    customer_name: null,
    description: null,
    discounts: (spec.discounts ?? []).map((discount) => discountObject(discount, shape)),
    effective_at: created,
    lines: { object: 'list', data: spec.lines.map((line) => lineObject(line, spec, shape)), has_more: false, url: `/v1/invoices/${spec.id}/lines` },
    livemode: false,
    metadata: {},
    period_end: created,
    period_start: created,
    status,
    status_transitions: { finalized_at: created, marked_uncollectible_at: null, paid_at: status === 'paid' ? created : null, voided_at: null },
  };
  if (shape === 'legacy') return { ...common, discount: null, subscription: spec.subscription ?? null };
  return {
    ...common,
    parent: spec.subscription === undefined ? null : { type: 'subscription_details', quote_details: null, subscription_details: { metadata: {}, subscription: spec.subscription } },
  };
}

export function subscriptionObject(spec: SubscriptionSpec, shape: Shape): Record<string, unknown> {
  const [periodStart, periodEnd] = spec.currentPeriod;
  const items = spec.items.map((item) => ({
    id: item.id,
    object: 'subscription_item',
    created: ts(spec.created),
    discounts: [],
    metadata: {},
    plan: planObject(item.price),
    price: priceObject(item.price),
    quantity: item.quantity ?? 1,
    subscription: spec.id,
    tax_rates: [],
    ...(shape === 'basil' ? { current_period_start: ts(periodStart), current_period_end: ts(periodEnd) } : {}),
  }));
  const common = {
    id: spec.id,
    object: 'subscription',
    billing_cycle_anchor: ts(periodStart),
    cancel_at: spec.cancelAt === undefined ? null : ts(spec.cancelAt),
    cancel_at_period_end: spec.cancelAtPeriodEnd ?? false,
    canceled_at: spec.canceledAt === undefined ? null : ts(spec.canceledAt),
    collection_method: 'charge_automatically',
    created: ts(spec.created),
    currency: spec.currency ?? 'usd',
    customer: spec.customer,
    ended_at: spec.endedAt === undefined ? null : ts(spec.endedAt),
    items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${spec.id}` },
    latest_invoice: null,
    livemode: false,
    metadata: {},
    start_date: ts(spec.created),
    status: spec.status,
    trial_start: spec.trial === undefined ? null : ts(spec.trial[0]),
    trial_end: spec.trial === undefined ? null : ts(spec.trial[1]),
  };
  if (shape === 'legacy') {
    return {
      ...common,
      current_period_start: ts(periodStart),
      current_period_end: ts(periodEnd),
      discount: spec.discount === undefined ? null : discountObject(spec.discount, shape),
      plan: items.length === 1 ? items[0]!.plan : null,
      quantity: items.length === 1 ? items[0]!.quantity : null,
    };
  }
  return {
    ...common,
    cancellation_details: { comment: null, feedback: null, reason: spec.cancellationReason ?? (spec.canceledAt === undefined ? null : 'cancellation_requested') },
    discounts: spec.discount === undefined ? [] : [discountObject(spec.discount, shape)],
  };
}

export function customerObject(spec: CustomerSpec): Record<string, unknown> {
  return {
    id: spec.id,
    object: 'customer',
    address: spec.country === undefined ? null : { city: null, country: spec.country, line1: null, line2: null, postal_code: null, state: null },
    balance: 0,
    created: ts(spec.created ?? '2023-06-01'),
    currency: 'usd',
    delinquent: false,
    description: null,
    email: spec.email ?? null,
    livemode: false,
    metadata: spec.metadata ?? {},
    name: spec.name ?? null,
  };
}

export interface Business {
  readonly customers?: readonly CustomerSpec[];
  readonly prices: readonly PriceSpec[];
  readonly coupons?: readonly CouponSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly invoices: readonly InvoiceSpec[];
  /** Webhook events, written as they are. */
  readonly events?: readonly Record<string, unknown>[];
}

export function list(data: readonly unknown[], url: string): Record<string, unknown> {
  return { object: 'list', data, has_more: false, url };
}

/**
 * Writes a business as Stripe files in a fresh folder, in the forms Stripe data is saved in: list
 * responses, a JSON array, NDJSON. Legacy data embeds its prices and coupons in lines and
 * discounts; basil data names them by id, so they are given as their own objects.
 */
export async function writeBusiness(business: Business, shape: Shape): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), `runrate-stripe-${shape}-`));
  const files: Array<[string, string]> = [
    ['customers.json', JSON.stringify(list((business.customers ?? []).map(customerObject), '/v1/customers'))],
    ['subscriptions.ndjson', business.subscriptions.map((sub) => JSON.stringify(subscriptionObject(sub, shape))).join('\n') + '\n'],
    ['invoices.json', JSON.stringify(list(business.invoices.map((invoice) => invoiceObject(invoice, shape)), '/v1/invoices'), null, 2)],
  ];
  if (shape === 'basil') {
    files.push(['prices.json', JSON.stringify(business.prices.map(priceObject))]);
    files.push(['coupons.json', JSON.stringify(list((business.coupons ?? []).map(couponObject), '/v1/coupons'))]);
  }
  if (business.events !== undefined) files.push(['events.ndjson', business.events.map((event) => JSON.stringify(event)).join('\n') + '\n']);
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}
