/**
 * ChartMogul-shaped inputs written by the project, one small business story each, in the JSON
 * the Import API takes: Import Invoices documents (line items and transactions nested), the bulk
 * `json_imports` body (line items and transactions flat, naming their invoice), list responses,
 * and NDJSON with one subscription event per line. Amounts are in cents, tax included, as
 * ChartMogul's `amount_in_cents` is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Movement } from '../../../src/engine/movement.js';
import { currencyExponent, type CurrencyCode } from '../../../src/engine/money/currency.js';
import { formatMinorUnits } from '../../../src/engine/money/decimal.js';
import { formatIsoDate } from '../../../src/engine/calendar/calendar-date.js';

export type Files = Record<string, unknown>;

/** ChartMogul writes timestamps without an offset, meaning UTC. */
export const at = (date: string, time = '00:00:00') => `${date} ${time}`;

type Json = Record<string, unknown>;

export function subscriptionItem(id: string, subscription: string, plan: Json, start: string, end: string, cents: number, extra: Json = {}): Json {
  return {
    type: 'subscription',
    external_id: id,
    subscription_external_id: subscription,
    ...plan,
    service_period_start: at(start),
    service_period_end: at(end),
    amount_in_cents: cents,
    quantity: 1,
    ...extra,
  };
}

export function invoice(id: string, customer: string, date: string, currency: string, items: Json[], transactions: Json[] = [{ date: at(date, '10:00:00'), type: 'payment', result: 'successful' }]): Json {
  return { external_id: id, date: at(date), currency, due_date: at(date), customer_external_id: customer, line_items: items, transactions };
}

const monthly = (external_id: string, uuid?: string): Json => ({ ...(uuid ? { uuid } : {}), external_id, name: external_id, interval_count: 1, interval_unit: 'month', data_source_uuid: 'ds_1fm3eaac-62d0-31ec-clf4-4bf0mbe81aba' });

export const DATA_SOURCE = { uuid: 'ds_1fm3eaac-62d0-31ec-clf4-4bf0mbe81aba', name: 'In-house billing', system: 'Import API', status: 'idle' };

/** An annual plan, $1,200 a year plus 20 % VAT: MRR is $100, tax excluded. */
export const annual: Files = {
  'data_sources.json': { data_sources: [DATA_SOURCE] },
  'customers.json': {
    entries: [
      {
        uuid: 'cus_0b1c6a2e-3b1a-4e8e-9b1e-1a2b3c4d5e6f',
        external_id: 'c-annual',
        data_source_uuid: DATA_SOURCE.uuid,
        name: 'Annual Co',
        email: 'billing@annual.example',
        company: 'Annual Co SAS',
        country: 'fr',
        city: 'Lyon',
        lead_created_at: at('2023-12-01'),
        attributes: { tags: ['enterprise', 'eu'], custom: { industry: 'Retail', seats: 40 } },
      },
    ],
    has_more: false,
    cursor: 'MjAyNC0wMS0xMA==',
  },
  'plans.json': { plans: [{ uuid: 'pl_4d1c0c1e-7a1f-4c8e-9d3b-2f5e6a7b8c9d', external_id: 'gold_annual', name: 'Gold annual', interval_count: 1, interval_unit: 'year' }] },
  'invoices.json': {
    invoices: [
      invoice('INV-A1', 'c-annual', '2024-01-10', 'USD', [
        subscriptionItem('li-a1', 'sub-annual', { plan_uuid: 'pl_4d1c0c1e-7a1f-4c8e-9d3b-2f5e6a7b8c9d' }, '2024-01-10', '2025-01-10', 144000, { tax_amount_in_cents: 24000 }),
      ]),
    ],
  },
};

/** mrr-rules.md §3's upgrade, as ChartMogul's "differential" prorations (plans named by uuid). */
export const proratedUpgrade: Files = {
  'plans.json': { plans: [monthly('bronze', 'pl_bronze'), monthly('gold', 'pl_gold')] },
  'invoices.json': {
    invoices: [
      invoice('INV-B1', 'c-upgrade', '2019-05-01', 'USD', [subscriptionItem('b-may', 'sub-upgrade', { plan_uuid: 'pl_bronze' }, '2019-05-01', '2019-06-01', 10000)]),
      invoice('INV-B2', 'c-upgrade', '2019-06-01', 'USD', [subscriptionItem('b-jun', 'sub-upgrade', { plan_uuid: 'pl_bronze' }, '2019-06-01', '2019-07-01', 10000)]),
      invoice('INV-B3', 'c-upgrade', '2019-06-16', 'USD', [
        subscriptionItem('g-up', 'sub-upgrade', { plan_uuid: 'pl_gold' }, '2019-06-16', '2019-07-01', 12500, { prorated: true, proration_type: 'differential' }),
        subscriptionItem('b-credit', 'sub-upgrade', { plan_uuid: 'pl_bronze' }, '2019-06-16', '2019-07-01', -5000, { prorated: true }),
      ]),
      invoice('INV-B4', 'c-upgrade', '2019-07-01', 'USD', [subscriptionItem('g-jul', 'sub-upgrade', { plan_uuid: 'pl_gold' }, '2019-07-01', '2019-08-01', 25000)]),
    ],
  },
};

/**
 * Three seats added on 2024-01-16 to five at $20, charged for the 16 remaining days of 31
 * (3 × $20 × 16/31 = $30.97): the bulk import body, with flat line items and transactions.
 */
export const quantityChange: Files = {
  'bulk-import.json': {
    external_id: 'ds_import_1',
    customers: [{ external_id: 'c-seats', name: 'Seats Ltd', country: 'GB' }],
    plans: [monthly('seat')],
    invoices: [
      { external_id: 'INV-C1', date: at('2024-01-01'), currency: 'USD', customer_external_id: 'c-seats' },
      { external_id: 'INV-C2', date: at('2024-01-16'), currency: 'USD', customer_external_id: 'c-seats' },
      { external_id: 'INV-C3', date: at('2024-02-01'), currency: 'USD', customer_external_id: 'c-seats' },
    ],
    line_items: [
      { invoice_external_id: 'INV-C1', ...subscriptionItem('li-c1', 'sub-seats', { plan_external_id: 'seat' }, '2024-01-01', '2024-02-01', 10000, { quantity: 5 }) },
      { invoice_external_id: 'INV-C2', ...subscriptionItem('li-c2', 'sub-seats', { plan_external_id: 'seat' }, '2024-01-16', '2024-02-01', 3097, { quantity: 3, prorated: true }) },
      { invoice_external_id: 'INV-C3', ...subscriptionItem('li-c3', 'sub-seats', { plan_external_id: 'seat' }, '2024-02-01', '2024-03-01', 16000, { quantity: 8 }) },
    ],
    transactions: [
      { invoice_external_id: 'INV-C1', date: at('2024-01-01'), type: 'payment', result: 'successful' },
      { invoice_external_id: 'INV-C2', date: at('2024-01-16'), type: 'payment', result: 'successful' },
    ],
  },
};

const halfOff = { discount_code: 'HALF3', discount_amount_in_cents: 2500, discount_description: 'Half price for three months' };

/** A 50 % coupon for three months on a $50 plan: the April invoice has none. */
export const couponEnds: Files = {
  'plans.json': [monthly('pro')],
  'invoices.json': {
    invoices: [
      invoice('INV-D1', 'c-coupon', '2024-01-01', 'USD', [subscriptionItem('li-d1', 'sub-coupon', { plan_external_id: 'pro' }, '2024-01-01', '2024-02-01', 2500, halfOff)]),
      invoice('INV-D2', 'c-coupon', '2024-02-01', 'USD', [subscriptionItem('li-d2', 'sub-coupon', { plan_external_id: 'pro' }, '2024-02-01', '2024-03-01', 2500, halfOff)]),
      invoice('INV-D3', 'c-coupon', '2024-03-01', 'USD', [subscriptionItem('li-d3', 'sub-coupon', { plan_external_id: 'pro' }, '2024-03-01', '2024-04-01', 2500, halfOff)]),
      invoice('INV-D4', 'c-coupon', '2024-04-01', 'USD', [subscriptionItem('li-d4', 'sub-coupon', { plan_external_id: 'pro' }, '2024-04-01', '2024-05-01', 5000)]),
    ],
  },
};

/** A 14-day free trial (a `trial` line item) that converts to $49 a month. */
export const trialConversion: Files = {
  'plans.json': [monthly('pro')],
  'invoices.json': {
    invoices: [
      invoice('INV-E0', 'c-trial', '2024-03-01', 'USD', [{ ...subscriptionItem('li-e0', 'sub-trial', { plan_external_id: 'pro' }, '2024-03-01', '2024-03-15', 0), type: 'trial' }], []),
      invoice('INV-E1', 'c-trial', '2024-03-15', 'USD', [
        subscriptionItem('li-e1', 'sub-trial', { plan_external_id: 'pro' }, '2024-03-15', '2024-04-15', 4900),
        { type: 'one_time', external_id: 'li-e-setup', description: 'Onboarding', amount_in_cents: 20000, quantity: 1 },
      ]),
    ],
  },
};

/**
 * A $30 monthly subscription cancelled on 2024-01-20, its period running to 2024-02-05: once with
 * `cancelled_at` on the line item, once with a `subscription_cancelled` event asked for on 01-18.
 */
export const cancellation: Files = {
  'plans.json': [monthly('basic')],
  'invoices.json': {
    invoices: [
      invoice('INV-F1', 'c-cancel', '2024-01-05', 'USD', [
        subscriptionItem('li-f1', 'sub-cancel', { plan_external_id: 'basic' }, '2024-01-05', '2024-02-05', 3000, { cancelled_at: at('2024-01-20', '15:00:00') }),
      ]),
      invoice('INV-G1', 'c-cancel-event', '2024-01-05', 'USD', [subscriptionItem('li-g1', 'sub-cancel-event', { plan_external_id: 'basic' }, '2024-01-05', '2024-02-05', 3000)]),
    ],
  },
  'subscription_events.json': {
    subscription_events: [
      {
        external_id: 'ev-g-cancel',
        customer_external_id: 'c-cancel-event',
        subscription_external_id: 'sub-cancel-event',
        event_type: 'subscription_cancelled',
        event_date: '2024-01-18',
        effective_date: '2024-01-20',
      },
    ],
  },
};

/**
 * A metered item as ChartMogul recommends it: its own plan and subscription, billed in arrears
 * with `usage_based` line items whose service period is the month used.
 */
export const metered: Files = {
  'plans.json': [monthly('platform'), monthly('api_usage')],
  'invoices.json': {
    invoices: [
      invoice('INV-H1', 'c-metered', '2024-01-01', 'USD', [subscriptionItem('li-h1', 'sub-platform', { plan_external_id: 'platform' }, '2024-01-01', '2024-02-01', 10000)]),
      invoice('INV-H2', 'c-metered', '2024-02-01', 'USD', [
        subscriptionItem('li-h2', 'sub-platform', { plan_external_id: 'platform' }, '2024-02-01', '2024-03-01', 10000),
        { ...subscriptionItem('li-h3', 'sub-usage', { plan_external_id: 'api_usage' }, '2024-01-01', '2024-02-01', 3750), type: 'usage_based' },
      ]),
      invoice('INV-H3', 'c-metered', '2024-03-01', 'USD', [
        subscriptionItem('li-h4', 'sub-platform', { plan_external_id: 'platform' }, '2024-03-01', '2024-04-01', 10000),
        { ...subscriptionItem('li-h5', 'sub-usage', { plan_external_id: 'api_usage' }, '2024-02-01', '2024-03-01', 5000), type: 'usage_based' },
      ]),
    ],
  },
};

/**
 * Two more currencies against USD reporting: €90 a month (plus 19 % VAT) and ¥1,500 a month.
 * `amount_in_cents` is in the smallest unit of the invoice's currency: for JPY, yen.
 */
export const secondCurrency: Files = {
  'plans.json': [monthly('eu_pro'), monthly('jp_lite')],
  'invoices.json': {
    invoices: [
      invoice('INV-EUR1', 'c-eur', '2024-01-01', 'EUR', [subscriptionItem('li-eur1', 'sub-eur', { plan_external_id: 'eu_pro' }, '2024-01-01', '2024-02-01', 10710, { tax_amount_in_cents: 1710 })]),
      invoice('INV-EUR2', 'c-eur', '2024-02-01', 'EUR', [subscriptionItem('li-eur2', 'sub-eur', { plan_external_id: 'eu_pro' }, '2024-02-01', '2024-03-01', 10710, { tax_amount_in_cents: 1710 })]),
      invoice('INV-JPY1', 'c-jpy', '2024-01-01', 'JPY', [subscriptionItem('li-jpy1', 'sub-jpy', { plan_external_id: 'jp_lite' }, '2024-01-01', '2024-02-01', 1500)]),
      invoice('INV-JPY2', 'c-jpy', '2024-02-01', 'jpy', [subscriptionItem('li-jpy2', 'sub-jpy', { plan_external_id: 'jp_lite' }, '2024-02-01', '2024-03-01', 1500)]),
    ],
  },
};

/** The ECB's history (per euro) that converts `secondCurrency`: USD/JPY is 150 on both days. */
export const ECB_RATES = ['Date,USD,JPY,', '2024-02-01,1.2,180,', '2023-12-29,1.1,165,', ''].join('\n');

const event = (fields: Json): Json => ({ customer_external_id: 'c-events', subscription_external_id: 'sub-events', data_source_uuid: DATA_SOURCE.uuid, ...fields });

/** A subscription known only from events, one per NDJSON line: an update, a retracted one, a cancellation announced then made. */
export const eventsOnly: Files = {
  'plans.json': [monthly('team')],
  'subscription_events.ndjson': [
    event({ external_id: 'ev-1', event_type: 'subscription_start', event_date: '2024-01-01', effective_date: '2024-01-01', plan_external_id: 'team', currency: 'USD', amount_in_cents: '3000', quantity: 1 }),
    event({ external_id: 'ev-2', event_type: 'subscription_updated', event_date: '2024-02-10', effective_date: '2024-02-10', plan_external_id: 'team', currency: 'USD', amount_in_cents: 4500, quantity: 1 }),
    event({ external_id: 'ev-3', event_type: 'subscription_update_scheduled', event_date: '2024-02-20', effective_date: '2024-03-15', plan_external_id: 'team', currency: 'USD', amount_in_cents: 9900, quantity: 1 }),
    event({ external_id: 'ev-4', event_type: 'scheduled_subscription_update_retracted', event_date: '2024-02-25' }),
    event({ external_id: 'ev-5', event_type: 'subscription_cancellation_scheduled', event_date: '2024-03-01', effective_date: '2024-03-31' }),
    event({ external_id: 'ev-6', event_type: 'subscription_cancelled', event_date: '2024-03-31', effective_date: '2024-03-31' }),
  ],
};

/** Payments that fail and a refund: none of them changes MRR. */
export const failedAndRefunded: Files = {
  'plans.json': [monthly('basic')],
  'invoices.json': {
    invoices: [
      invoice('INV-J1', 'c-refund', '2024-01-01', 'USD', [subscriptionItem('li-j1', 'sub-refund', { plan_external_id: 'basic' }, '2024-01-01', '2024-02-01', 3000)], [
        { date: at('2024-01-01', '09:00:00'), type: 'payment', result: 'failed' },
        { date: at('2024-01-03', '09:00:00'), type: 'payment', result: 'successful' },
      ]),
      invoice('INV-J2', 'c-refund', '2024-02-01', 'USD', [subscriptionItem('li-j2', 'sub-refund', { plan_external_id: 'basic' }, '2024-02-01', '2024-03-01', 3000)], [
        { date: at('2024-02-01', '09:00:00'), type: 'payment', result: 'successful' },
        { date: at('2024-02-10', '09:00:00'), type: 'refund', result: 'successful', amount_in_cents: 3000 },
      ]),
      invoice('INV-J3', 'c-refund', '2024-03-01', 'USD', [subscriptionItem('li-j3', 'sub-refund', { plan_external_id: 'basic' }, '2024-03-01', '2024-04-01', 3000)], [
        { date: at('2024-03-01', '09:00:00'), type: 'payment', result: 'failed' },
      ]),
    ],
  },
};

/** Writes a story's files into `dir`: `.ndjson` values are lists written one object a line. */
export async function writeStory(dir: string, files: Files): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    const text = name.endsWith('.ndjson') ? (content as unknown[]).map((line) => JSON.stringify(line)).join('\n') + '\n' : JSON.stringify(content, null, 2);
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

function money(minor: number, currency: CurrencyCode, signed = false): string {
  const text = formatMinorUnits(minor, currencyExponent(currency));
  return signed && minor >= 0 ? `+${text}` : text;
}

/** One line per movement, in the columns of the golden scenarios (plus effects and FX detail). */
export function movementRows(movements: readonly Movement[]): string[] {
  return movements.map((m) => {
    const cells = [
      formatIsoDate(m.date),
      m.customerId,
      m.subscriptionId,
      m.type,
      m.reason ?? '-',
      money(m.amount, m.currency, true),
      money(m.customerMrr, m.currency),
      m.planId ?? '-',
      m.sources.join(','),
    ];
    if (m.priceEffect !== null) cells.push(`p=${m.priceEffect} v=${m.volumeEffect} m=${m.mixEffect}`);
    if (m.nativeCurrency !== m.currency) cells.push(`native=${m.nativeAmount} ${m.nativeCurrency}`);
    return cells.join(' ');
  });
}
