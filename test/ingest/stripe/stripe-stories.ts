/** The businesses of the golden tests, one small story each (issue 5's list of proofs). */
import type { Business, CouponSpec, DiscountSpec, InvoiceSpec, LineSpec, PriceSpec } from './stripe-builders.js';
import { ts } from './stripe-builders.js';

const monthly = (id: string, product: string, unitAmount: number, extra: Partial<PriceSpec> = {}): PriceSpec => ({ id, product, unitAmount, ...extra });

/** One invoice per period, each with one line of `price` for that period. */
function cycleInvoices(prefix: string, customer: string, subscription: string, price: PriceSpec, periods: ReadonlyArray<readonly [string, string]>, line: Partial<LineSpec> = {}, invoice: Partial<InvoiceSpec> = {}): InvoiceSpec[] {
  return periods.map(([start, end], index) => ({
    id: `in_${prefix}${index + 1}`,
    customer,
    subscription,
    created: start,
    ...invoice,
    lines: [{ id: `il_${prefix}${index + 1}`, price, start, end, amount: price.unitAmount * (line.quantity ?? 1), ...line }],
  }));
}

export const annualPrice = monthly('price_annual', 'prod_suite', 120_000, { interval: 'year', nickname: 'Suite yearly' });
export const annualPlan: Business = {
  customers: [{ id: 'cus_annual', name: 'Annual Co', email: 'billing@annual.example', country: 'de', metadata: { industry: 'retail' } }],
  prices: [annualPrice],
  subscriptions: [{ id: 'sub_annual', customer: 'cus_annual', status: 'active', created: '2024-03-01', currentPeriod: ['2025-03-01', '2026-03-01'], items: [{ id: 'si_annual', price: annualPrice }] }],
  invoices: cycleInvoices('annual', 'cus_annual', 'sub_annual', annualPrice, [
    ['2024-03-01', '2025-03-01'],
    ['2025-03-01', '2026-03-01'],
  ]),
};

export const bronze = monthly('price_bronze', 'prod_bronze', 10_000, { nickname: 'Bronze' });
export const gold = monthly('price_gold', 'prod_gold', 25_000, { nickname: 'Gold' });
export const proratedUpgrade: Business = {
  prices: [bronze, gold],
  subscriptions: [{ id: 'sub_up', customer: 'cus_up', status: 'active', created: '2024-06-01', currentPeriod: ['2024-07-01', '2024-08-01'], items: [{ id: 'si_gold', price: gold }] }],
  invoices: [
    { id: 'in_up1', customer: 'cus_up', subscription: 'sub_up', created: '2024-06-01', lines: [{ id: 'il_up1', price: bronze, start: '2024-06-01', end: '2024-07-01', amount: 10_000, subscriptionItem: 'si_bronze' }] },
    {
      id: 'in_up2',
      customer: 'cus_up',
      subscription: 'sub_up',
      created: '2024-06-16',
      lines: [
        { id: 'il_up2a', price: gold, start: '2024-06-16', end: '2024-07-01', amount: 12_500, proration: true, subscriptionItem: 'si_gold', description: 'Remaining time on Gold after 16 Jun 2024' },
        { id: 'il_up2b', price: bronze, start: '2024-06-16', end: '2024-07-01', amount: -5_000, proration: true, subscriptionItem: 'si_bronze', description: 'Unused time on Bronze after 16 Jun 2024' },
      ],
    },
    { id: 'in_up3', customer: 'cus_up', subscription: 'sub_up', created: '2024-07-01', lines: [{ id: 'il_up3', price: gold, start: '2024-07-01', end: '2024-08-01', amount: 25_000, subscriptionItem: 'si_gold' }] },
  ],
};

export const seat = monthly('price_seat', 'prod_team', 2_000, { nickname: 'Seat' });
export const quantityChange: Business = {
  prices: [seat],
  subscriptions: [{ id: 'sub_seats', customer: 'cus_seats', status: 'active', created: '2024-04-01', currentPeriod: ['2024-05-01', '2024-06-01'], items: [{ id: 'si_seat', price: seat, quantity: 15 }] }],
  invoices: [
    { id: 'in_seats1', customer: 'cus_seats', subscription: 'sub_seats', created: '2024-04-01', lines: [{ id: 'il_seats1', price: seat, start: '2024-04-01', end: '2024-05-01', amount: 20_000, quantity: 10, subscriptionItem: 'si_seat' }] },
    {
      id: 'in_seats2',
      customer: 'cus_seats',
      subscription: 'sub_seats',
      created: '2024-04-16',
      lines: [
        { id: 'il_seats2a', price: seat, start: '2024-04-16', end: '2024-05-01', amount: 15_000, quantity: 15, proration: true, subscriptionItem: 'si_seat', description: 'Remaining time on 15 × Seat after 16 Apr 2024' },
        { id: 'il_seats2b', price: seat, start: '2024-04-16', end: '2024-05-01', amount: -10_000, quantity: 10, proration: true, subscriptionItem: 'si_seat', description: 'Unused time on 10 × Seat after 16 Apr 2024' },
      ],
    },
    { id: 'in_seats3', customer: 'cus_seats', subscription: 'sub_seats', created: '2024-05-01', lines: [{ id: 'il_seats3', price: seat, start: '2024-05-01', end: '2024-06-01', amount: 30_000, quantity: 15, subscriptionItem: 'si_seat' }] },
  ],
};

export const pro = monthly('price_pro', 'prod_pro', 10_000, { nickname: 'Pro' });
export const threeMonths: CouponSpec = { id: 'WELCOME20', duration: 'repeating', months: 3, percentOff: 20 };
export const welcomeDiscount: DiscountSpec = { id: 'di_welcome', coupon: threeMonths, customer: 'cus_coupon', subscription: 'sub_coupon', start: '2024-01-01', end: '2024-04-01' };
export const couponEnds: Business = {
  prices: [pro],
  coupons: [threeMonths],
  // The discount has ended, so the subscription no longer carries it; the invoices that used it do.
  subscriptions: [{ id: 'sub_coupon', customer: 'cus_coupon', status: 'active', created: '2024-01-01', currentPeriod: ['2024-06-01', '2024-07-01'], items: [{ id: 'si_pro', price: pro }] }],
  invoices: [
    ...cycleInvoices(
      'coupon',
      'cus_coupon',
      'sub_coupon',
      pro,
      [
        ['2024-01-01', '2024-02-01'],
        ['2024-02-01', '2024-03-01'],
        ['2024-03-01', '2024-04-01'],
      ],
      { discounts: [{ discount: 'di_welcome', amount: 2_000 }] },
      { discounts: [welcomeDiscount] },
    ),
    ...cycleInvoices('couponfull', 'cus_coupon', 'sub_coupon', pro, [
      ['2024-04-01', '2024-05-01'],
      ['2024-05-01', '2024-06-01'],
      ['2024-06-01', '2024-07-01'],
    ]),
  ],
};

export const pro50 = monthly('price_pro50', 'prod_pro', 5_000, { nickname: 'Pro' });
export const trialConversion: Business = {
  prices: [pro50],
  subscriptions: [
    { id: 'sub_trial', customer: 'cus_trial', status: 'active', created: '2024-02-01', trial: ['2024-02-01', '2024-02-15'], currentPeriod: ['2024-03-15', '2024-04-15'], items: [{ id: 'si_trial', price: pro50 }] },
  ],
  invoices: [
    { id: 'in_trial0', customer: 'cus_trial', subscription: 'sub_trial', created: '2024-02-01', lines: [{ id: 'il_trial0', price: pro50, start: '2024-02-01', end: '2024-02-15', amount: 0, description: 'Trial period for Pro' }] },
    ...cycleInvoices('trial', 'cus_trial', 'sub_trial', pro50, [
      ['2024-02-15', '2024-03-15'],
      ['2024-03-15', '2024-04-15'],
    ]),
  ],
};

export const basic = monthly('price_basic', 'prod_basic', 8_000, { nickname: 'Basic' });
const cancelInvoices = cycleInvoices('cancel', 'cus_cancel', 'sub_cancel', basic, [
  ['2024-01-10', '2024-02-10'],
  ['2024-02-10', '2024-03-10'],
  ['2024-03-10', '2024-04-10'],
]);
/** Cancelled on 2024-03-20 at period end; the subscription ended on 2024-04-10. */
export const cancelAtPeriodEnd: Business = {
  prices: [basic],
  subscriptions: [
    {
      id: 'sub_cancel',
      customer: 'cus_cancel',
      status: 'canceled',
      created: '2024-01-10',
      currentPeriod: ['2024-03-10', '2024-04-10'],
      canceledAt: '2024-03-20T15:30:00Z',
      cancelAt: '2024-04-10',
      cancelAtPeriodEnd: true,
      endedAt: '2024-04-10',
      items: [{ id: 'si_basic', price: basic }],
    },
  ],
  invoices: cancelInvoices,
};

/** The same, seen before the period ended: the cancellation is still scheduled. */
export const cancelScheduled: Business = {
  ...cancelAtPeriodEnd,
  subscriptions: [{ ...cancelAtPeriodEnd.subscriptions[0]!, status: 'active', endedAt: undefined }],
};

export const base = monthly('price_base', 'prod_api', 3_000, { nickname: 'API base' });
export const calls = monthly('price_calls', 'prod_api', 1, { nickname: 'API calls', metered: true });
export const meteredItem: Business = {
  prices: [base, calls],
  subscriptions: [
    {
      id: 'sub_metered',
      customer: 'cus_metered',
      status: 'active',
      created: '2024-01-01',
      currentPeriod: ['2024-03-01', '2024-04-01'],
      items: [
        { id: 'si_base', price: base },
        { id: 'si_calls', price: calls },
      ],
    },
  ],
  invoices: [
    { id: 'in_met1', customer: 'cus_metered', subscription: 'sub_metered', created: '2024-01-01', lines: [{ id: 'il_met1', price: base, start: '2024-01-01', end: '2024-02-01', amount: 3_000, subscriptionItem: 'si_base' }] },
    {
      id: 'in_met2',
      customer: 'cus_metered',
      subscription: 'sub_metered',
      created: '2024-02-01',
      lines: [
        { id: 'il_met2', price: base, start: '2024-02-01', end: '2024-03-01', amount: 3_000, subscriptionItem: 'si_base' },
        // Usage is billed in arrears, for the period just ended.
        { id: 'il_met2u', price: calls, start: '2024-01-01', end: '2024-02-01', amount: 1_234, quantity: 1_234, subscriptionItem: 'si_calls' },
      ],
    },
    {
      id: 'in_met3',
      customer: 'cus_metered',
      subscription: 'sub_metered',
      created: '2024-03-01',
      lines: [
        { id: 'il_met3', price: base, start: '2024-03-01', end: '2024-04-01', amount: 3_000, subscriptionItem: 'si_base' },
        { id: 'il_met3u', price: calls, start: '2024-02-01', end: '2024-03-01', amount: 4_321, quantity: 4_321, subscriptionItem: 'si_calls' },
      ],
    },
  ],
};

export const euroPrice = monthly('price_eur', 'prod_pro', 9_000, { currency: 'eur', nickname: 'Pro EUR' });
export const dollarPrice = monthly('price_usd', 'prod_pro', 5_000, { nickname: 'Pro USD' });
const quarterOfMonths: ReadonlyArray<readonly [string, string]> = [
  ['2024-01-01', '2024-02-01'],
  ['2024-02-01', '2024-03-01'],
  ['2024-03-01', '2024-04-01'],
];
export const secondCurrency: Business = {
  prices: [euroPrice, dollarPrice],
  subscriptions: [
    { id: 'sub_eur', customer: 'cus_eur', status: 'active', currency: 'eur', created: '2024-01-01', currentPeriod: ['2024-03-01', '2024-04-01'], items: [{ id: 'si_eur', price: euroPrice }] },
    { id: 'sub_usd', customer: 'cus_usd', status: 'active', created: '2024-01-01', currentPeriod: ['2024-03-01', '2024-04-01'], items: [{ id: 'si_usd', price: dollarPrice }] },
  ],
  invoices: [
    ...cycleInvoices('eur', 'cus_eur', 'sub_eur', euroPrice, quarterOfMonths, {}, { currency: 'eur' }),
    ...cycleInvoices('usd', 'cus_usd', 'sub_usd', dollarPrice, quarterOfMonths),
  ],
};

export const support = monthly('price_support', 'prod_support', 4_000, { nickname: 'Support' });
/**
 * Two customers whose renewals failed: `past_due` keeps its MRR while Stripe retries; `unpaid`
 * (retries exhausted) ends it, on the day the event says it became unpaid.
 */
export function paymentTrouble(withEvent: boolean): Business {
  const unpaidEvent = {
    id: 'evt_unpaid',
    object: 'event',
    api_version: '2024-06-20',
    created: ts('2024-02-22T09:00:00Z'),
    type: 'customer.subscription.updated',
    data: {
      object: { id: 'sub_unpaid', object: 'subscription', customer: 'cus_unpaid', status: 'unpaid', items: { object: 'list', data: [] } },
      previous_attributes: { status: 'past_due' },
    },
  };
  return {
    prices: [support],
    subscriptions: [
      { id: 'sub_pastdue', customer: 'cus_pastdue', status: 'past_due', created: '2024-01-01', currentPeriod: ['2024-02-01', '2024-03-01'], items: [{ id: 'si_pd', price: support }] },
      { id: 'sub_unpaid', customer: 'cus_unpaid', status: 'unpaid', created: '2024-01-01', currentPeriod: ['2024-03-01', '2024-04-01'], items: [{ id: 'si_unpaid', price: support }] },
    ],
    invoices: [
      ...cycleInvoices('pd', 'cus_pastdue', 'sub_pastdue', support, [['2024-01-01', '2024-02-01']]),
      ...cycleInvoices('pdopen', 'cus_pastdue', 'sub_pastdue', support, [['2024-02-01', '2024-03-01']], {}, { status: 'open' }),
      ...cycleInvoices('unp', 'cus_unpaid', 'sub_unpaid', support, [['2024-01-01', '2024-02-01']]),
      ...cycleInvoices('unpfail', 'cus_unpaid', 'sub_unpaid', support, [['2024-02-01', '2024-03-01']], {}, { status: 'uncollectible' }),
      // Once unpaid, Stripe keeps drafting invoices it does not try to collect.
      ...cycleInvoices('unpdraft', 'cus_unpaid', 'sub_unpaid', support, [['2024-03-01', '2024-04-01']], {}, { status: 'draft' }),
    ],
    ...(withEvent ? { events: [unpaidEvent] } : {}),
  };
}
