/**
 * One business written three times, as canonical files, as Stripe API objects and as ChartMogul
 * Import API JSON, must give identical movements, sources included: in memory through each
 * reader and `computeMovements`, and end to end through `runrate import` into three stores and
 * `runrate movements`.
 *
 * The business is described once below in neutral terms (what was invoiced, after discounts and
 * without tax), and each writer renders it in its format's own conventions, as the connector
 * docs describe them: Stripe's line `amount` is before discounts and includes inclusive tax only;
 * ChartMogul's `amount_in_cents` is after discounts and includes tax; canonical `amount` is after
 * discounts and without tax. Line, invoice, customer, subscription and plan ids are the same in
 * the three formats (each format carries a line id), so movements are compared whole.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { movementRecord, type MovementRecord } from '../../src/app/records/movement-record.js';
import { configFromFile } from '../../src/app/config-from-file.js';
import { resolveConfig, type ConfigInput } from '../../src/app/resolve-config.js';
import { isoDate } from '../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../src/engine/compute-movements.js';
import type { Dataset } from '../../src/engine/model.js';
import { formatMinorUnits } from '../../src/engine/money/decimal.js';
import { readChartMogulFiles } from '../../src/ingest/chartmogul/read-chart-mogul-files.js';
import { readRatesFile } from '../../src/ingest/rates/read-rates-file.js';
import { readDataset } from '../../src/ingest/read-dataset.js';
import { readStripeFiles } from '../../src/ingest/stripe/read-stripe-files.js';
import { at, DATA_SOURCE } from './chartmogul/chart-mogul-stories.js';
import {
  couponObject,
  customerObject,
  invoiceObject,
  list,
  priceObject,
  subscriptionObject,
  ts,
  type CouponSpec,
  type CustomerSpec,
  type DiscountSpec,
  type PriceSpec,
  type Shape,
} from './stripe/stripe-builders.js';

// ---------------------------------------------------------------------------------------------
// The business
// ---------------------------------------------------------------------------------------------

const AS_OF = '2024-06-30';

/** Prices double as plans: the plan id is the price id, its name the nickname. */
const price = (id: string, product: string, unitAmount: number, nickname: string, extra: Partial<PriceSpec> = {}): PriceSpec => ({ id, product, unitAmount, nickname, ...extra });
const suiteAnnual = price('price_suite_annual', 'prod_suite', 120_000, 'Suite annual', { interval: 'year', taxBehavior: 'exclusive' });
const bronze = price('price_bronze', 'prod_bronze', 10_000, 'Bronze');
const gold = price('price_gold', 'prod_gold', 25_000, 'Gold');
const seat = price('price_seat', 'prod_team', 2_000, 'Seat');
const pro = price('price_pro', 'prod_pro', 10_000, 'Pro');
const starter = price('price_starter', 'prod_starter', 5_000, 'Starter');
const basic = price('price_basic', 'prod_basic', 8_000, 'Basic');
// VAT included: €108.90 a month, of which €90 is revenue.
const proEur = price('price_pro_eur', 'prod_pro', 10_890, 'Pro EUR', { currency: 'eur', taxBehavior: 'inclusive' });
const PRICES = [suiteAnnual, bronze, gold, seat, pro, starter, basic, proEur];
const PRODUCTS: Record<string, string> = { prod_suite: 'Suite', prod_bronze: 'Bronze', prod_gold: 'Gold', prod_team: 'Team', prod_pro: 'Pro', prod_starter: 'Starter', prod_basic: 'Basic' };

const CUSTOMERS: CustomerSpec[] = [
  { id: 'cus_annual', name: 'Annual Co', email: 'billing@annual.example', country: 'US', created: '2024-01-10' },
  { id: 'cus_upgrade', name: 'Upgrade Ltd', email: 'ap@upgrade.example', country: 'GB', created: '2024-01-20' },
  { id: 'cus_seats', name: 'Seats GmbH', email: 'finance@seats.example', country: 'DE', created: '2023-12-15' },
  { id: 'cus_coupon', name: 'Coupon Inc', email: 'owner@coupon.example', country: 'US', created: '2024-01-25' },
  { id: 'cus_trial', name: 'Trial SAS', email: 'compta@trial.example', country: 'FR', created: '2024-03-01' },
  { id: 'cus_cancel', name: 'Cancel LLC', email: 'ops@cancel.example', country: 'CA', created: '2024-01-05' },
  { id: 'cus_eur', name: 'Euro BV', email: 'boekhouding@euro.example', country: 'NL', created: '2023-12-20' },
];

/** 20 % off for three months; `repeating`, which ChartMogul cannot say (see the configurations). */
const welcome20: CouponSpec = { id: 'WELCOME20', duration: 'repeating', months: 3, percentOff: 20 };
const welcomeDiscount: DiscountSpec = { id: 'di_welcome', coupon: welcome20, customer: 'cus_coupon', subscription: 'sub_coupon', start: '2024-02-01', end: '2024-05-01' };

interface Line {
  readonly id: string;
  readonly price: PriceSpec;
  readonly start: string;
  readonly end: string;
  readonly quantity?: number;
  /** What the line adds to revenue: after discounts, without tax (the canonical `amount`). */
  readonly net: number;
  readonly discount?: number;
  readonly tax?: number;
  /** The price includes the tax (EU VAT) rather than adding it (US sales tax). */
  readonly taxInclusive?: boolean;
  readonly prorated?: boolean;
  readonly trial?: boolean;
  readonly description?: string;
}

interface Invoice {
  readonly id: string;
  readonly customer: string;
  readonly subscription: string;
  /** Finalised at midnight UTC that day: Stripe's `finalized_at`, ChartMogul's `date`. */
  readonly issued: string;
  readonly currency: 'USD' | 'EUR';
  readonly lines: readonly Line[];
  /** The Stripe API version the invoice was saved with: real exports mix both. */
  readonly shape: Shape;
}

interface Subscription {
  readonly id: string;
  readonly customer: string;
  readonly created: string;
  readonly price: PriceSpec;
  readonly quantity?: number;
  readonly currentPeriod: readonly [string, string];
  readonly trial?: readonly [string, string];
  /** Cancelled at period end: asked for on `requested` (a timestamp), ended on `effective`. */
  readonly cancel?: { readonly requested: string; readonly effective: string };
  readonly shape: Shape;
}

/** `count` monthly periods from `first` (day of month ≤ 28). */
function months(first: string, count: number): Array<readonly [string, string]> {
  const day = (offset: number) => {
    const date = new Date(`${first}T00:00:00Z`);
    date.setUTCMonth(date.getUTCMonth() + offset);
    return date.toISOString().slice(0, 10);
  };
  return Array.from({ length: count }, (_, index) => [day(index), day(index + 1)] as const);
}

/** One invoice per period, named `in_<prefix><n>` with the line `il_<prefix><n>`, from `n = from`. */
function cycle(prefix: string, invoice: Omit<Invoice, 'id' | 'issued' | 'lines'>, periods: ReadonlyArray<readonly [string, string]>, line: Omit<Line, 'id' | 'start' | 'end'>, from = 1): Invoice[] {
  return periods.map(([start, end], index) => ({ ...invoice, id: `in_${prefix}${index + from}`, issued: start, lines: [{ ...line, id: `il_${prefix}${index + from}`, start, end }] }));
}

const SUBSCRIPTIONS: Subscription[] = [
  // Exported with an API version before basil, an older export kept beside newer ones.
  { id: 'sub_annual', customer: 'cus_annual', created: '2024-01-15', price: suiteAnnual, currentPeriod: ['2024-01-15', '2025-01-15'], shape: 'legacy' },
  { id: 'sub_cancel', customer: 'cus_cancel', created: '2024-01-10', price: basic, currentPeriod: ['2024-03-10', '2024-04-10'], cancel: { requested: '2024-03-20T15:30:00Z', effective: '2024-04-10' }, shape: 'legacy' },
  { id: 'sub_upgrade', customer: 'cus_upgrade', created: '2024-02-01', price: gold, currentPeriod: ['2024-06-01', '2024-07-01'], shape: 'basil' },
  { id: 'sub_seats', customer: 'cus_seats', created: '2024-01-01', price: seat, quantity: 15, currentPeriod: ['2024-06-01', '2024-07-01'], shape: 'basil' },
  { id: 'sub_coupon', customer: 'cus_coupon', created: '2024-02-01', price: pro, currentPeriod: ['2024-06-01', '2024-07-01'], shape: 'basil' },
  { id: 'sub_trial', customer: 'cus_trial', created: '2024-03-01', price: starter, trial: ['2024-03-01', '2024-03-15'], currentPeriod: ['2024-06-15', '2024-07-15'], shape: 'basil' },
  { id: 'sub_eur', customer: 'cus_eur', created: '2024-01-01', price: proEur, currentPeriod: ['2024-06-01', '2024-07-01'], shape: 'basil' },
];

const INVOICES: Invoice[] = [
  // An annual plan, $1,200 a year plus 8 % US sales tax (exclusive): $100 of MRR.
  ...cycle('annual', { customer: 'cus_annual', subscription: 'sub_annual', currency: 'USD', shape: 'legacy' }, [['2024-01-15', '2025-01-15']], { price: suiteAnnual, net: 120_000, tax: 9_600 }),
  // A monthly plan upgraded mid-cycle on 2024-04-16, Bronze → Gold: half of April (15 of 30
  // days) charged on Gold and credited on Bronze, two prorations.
  ...cycle('up', { customer: 'cus_upgrade', subscription: 'sub_upgrade', currency: 'USD', shape: 'basil' }, months('2024-02-01', 3), { price: bronze, net: 10_000 }),
  {
    id: 'in_up4',
    customer: 'cus_upgrade',
    subscription: 'sub_upgrade',
    issued: '2024-04-16',
    currency: 'USD',
    shape: 'basil',
    lines: [
      { id: 'il_up4a', price: gold, start: '2024-04-16', end: '2024-05-01', net: 12_500, prorated: true, description: 'Remaining time on Gold after 16 Apr 2024' },
      { id: 'il_up4b', price: bronze, start: '2024-04-16', end: '2024-05-01', net: -5_000, prorated: true, description: 'Unused time on Bronze after 16 Apr 2024' },
    ],
  },
  ...cycle('up', { customer: 'cus_upgrade', subscription: 'sub_upgrade', currency: 'USD', shape: 'basil' }, months('2024-05-01', 2), { price: gold, net: 25_000 }, 5),
  // Ten seats at $20, fifteen from the April renewal.
  ...cycle('seats', { customer: 'cus_seats', subscription: 'sub_seats', currency: 'USD', shape: 'basil' }, months('2024-01-01', 3), { price: seat, quantity: 10, net: 20_000 }),
  ...cycle('seats', { customer: 'cus_seats', subscription: 'sub_seats', currency: 'USD', shape: 'basil' }, months('2024-04-01', 3), { price: seat, quantity: 15, net: 30_000 }, 4),
  // $100 a month, 20 % off the first three invoices: the May invoice is full price.
  ...cycle('coupon', { customer: 'cus_coupon', subscription: 'sub_coupon', currency: 'USD', shape: 'basil' }, months('2024-02-01', 3), { price: pro, net: 8_000, discount: 2_000 }),
  ...cycle('coupon', { customer: 'cus_coupon', subscription: 'sub_coupon', currency: 'USD', shape: 'basil' }, months('2024-05-01', 2), { price: pro, net: 10_000 }, 4),
  // A 14-day free trial converting to $50 a month.
  ...cycle('trial', { customer: 'cus_trial', subscription: 'sub_trial', currency: 'USD', shape: 'basil' }, [['2024-03-01', '2024-03-15']], { price: starter, net: 0, trial: true, description: 'Trial period for Starter' }, 0),
  ...cycle('trial', { customer: 'cus_trial', subscription: 'sub_trial', currency: 'USD', shape: 'basil' }, months('2024-03-15', 4), { price: starter, net: 5_000 }),
  // $80 a month, cancelled on 2024-03-20 at the end of the period (2024-04-10).
  ...cycle('cancel', { customer: 'cus_cancel', subscription: 'sub_cancel', currency: 'USD', shape: 'legacy' }, months('2024-01-10', 3), { price: basic, net: 8_000 }),
  // €90 a month, Dutch VAT (21 %) included in the price, reported in USD.
  ...cycle('eur', { customer: 'cus_eur', subscription: 'sub_eur', currency: 'EUR', shape: 'basil' }, months('2024-01-01', 6), { price: proEur, net: 9_000, tax: 1_890, taxInclusive: true }),
];

/** EUR → USD, changing every month so that `fx` movements appear under every rate-date mode. */
const FX_RATES = ['date,base,quote,rate', '2023-12-29,EUR,USD,1.10', '2024-02-01,EUR,USD,1.08', '2024-03-01,EUR,USD,1.085', '2024-04-01,EUR,USD,1.075', '2024-05-01,EUR,USD,1.07', '2024-06-01,EUR,USD,1.0850'];

/** Runrate's defaults written out, as a dataset's `runrate.config.json`; `asOf` is given on the side. */
const CONFIG_FILE = { currency: 'USD', timezone: 'UTC', churnRecognition: 'cancel-effective', renewalGraceDays: 7, reactivationWindowDays: null, discounts: 'net', fx: { rateDate: 'period-start' } };

/**
 * Configurations that read the same data differently: every churn policy (each reads another
 * cancellation date), the three discount policies, every rate-date mode, time zones on both sides
 * of UTC (every timestamp here is an instant, so each format's days move alike). `forever-only`
 * is comparable although ChartMogul cannot carry the coupon's duration: a discount without a
 * duration is added back, like the `repeating` one that Stripe and the canonical file name.
 */
const CONFIGS: ConfigInput[] = [
  {},
  { churnRecognition: 'cancel-requested', discounts: 'forever-only', fxRateDate: 'daily', timezone: 'America/New_York' },
  { churnRecognition: 'period-end', discounts: 'gross', fxRateDate: 'month-start', renewalGraceDays: 0, timezone: 'Asia/Tokyo' },
  { asOf: '2024-04-20', churnRecognition: 'cancel-effective', fxRateDate: 'fixed', fxFixedDate: '2024-03-01', reactivationWindowDays: 30 },
];

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

const instant = (date: string) => (date.length === 10 ? `${date}T00:00:00Z` : date);
const money = (minor: number) => formatMinorUnits(minor, 2);

/** The line of a subscription that carries its cancellation: its latest, as Stripe's connector puts it. */
function cancellationLine(subscription: Subscription): string {
  const lines = INVOICES.filter((invoice) => invoice.subscription === subscription.id).flatMap((invoice) => invoice.lines);
  return lines.reduce((latest, line) => (line.start > latest.start || (line.start === latest.start && line.id > latest.id) ? line : latest)).id;
}

function csv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return rows.map((row) => row.join(',')).join('\n') + '\n';
}

async function writeCanonical(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const cancelLines = new Map(SUBSCRIPTIONS.filter((sub) => sub.cancel).map((sub) => [cancellationLine(sub), sub.cancel!]));
  const files: Record<string, string> = {
    'customers.csv': csv([['customer_id', 'name', 'email', 'country', 'created_at'], ...CUSTOMERS.map((c) => [c.id, c.name!, c.email!, c.country!, instant(c.created!)])]),
    'plans.csv': csv([['plan_id', 'name', 'interval_unit', 'interval_count', 'product'], ...PRICES.map((p) => [p.id, p.nickname!, p.interval ?? 'month', p.intervalCount ?? 1, PRODUCTS[p.product]!])]),
    'invoice_lines.csv': csv([
      ['line_id', 'invoice_id', 'customer_id', 'subscription_id', 'plan_id', 'type', 'service_start', 'service_end', 'amount', 'currency', 'quantity', 'discount', 'discount_duration', 'tax', 'prorated', 'cancelled_at', 'cancel_requested_at', 'issued_at'],
      ...INVOICES.flatMap((invoice) =>
        invoice.lines.map((line) => {
          const cancel = cancelLines.get(line.id);
          return [
            line.id,
            invoice.id,
            invoice.customer,
            invoice.subscription,
            line.price.id,
            line.trial === true ? 'trial' : 'subscription',
            instant(line.start),
            instant(line.end),
            money(line.net),
            invoice.currency,
            line.quantity ?? 1,
            money(line.discount ?? 0),
            line.discount === undefined ? '' : welcome20.duration,
            money(line.tax ?? 0),
            String(line.prorated === true),
            cancel ? instant(cancel.effective) : '',
            cancel ? instant(cancel.requested) : '',
            instant(invoice.issued),
          ];
        }),
      ),
    ]),
    'fx_rates.csv': `${FX_RATES.join('\n')}\n`,
    'runrate.config.json': JSON.stringify(CONFIG_FILE, null, 2),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

function stripeInvoice(invoice: Invoice): Record<string, unknown> {
  return invoiceObject(
    {
      id: invoice.id,
      customer: invoice.customer,
      subscription: invoice.subscription,
      currency: invoice.currency.toLowerCase(),
      created: invoice.issued,
      ...(invoice.lines.some((line) => line.discount !== undefined) ? { discounts: [welcomeDiscount] } : {}),
      lines: invoice.lines.map((line) => ({
        id: line.id,
        price: line.price,
        start: line.start,
        end: line.end,
        // Before discounts; an inclusive tax is inside it, an exclusive one never is.
        amount: line.net + (line.discount ?? 0) + (line.taxInclusive === true ? (line.tax ?? 0) : 0),
        ...(line.quantity === undefined ? {} : { quantity: line.quantity }),
        ...(line.prorated === true ? { proration: true } : {}),
        ...(line.discount === undefined ? {} : { discounts: [{ discount: welcomeDiscount.id, amount: line.discount }] }),
        ...(line.tax === undefined ? {} : { taxes: [{ amount: line.tax, inclusive: line.taxInclusive === true }] }),
        ...(line.description === undefined ? {} : { description: line.description }),
      })),
    },
    invoice.shape,
  );
}

function stripeSubscription(sub: Subscription): Record<string, unknown> {
  return subscriptionObject(
    {
      id: sub.id,
      customer: sub.customer,
      status: sub.cancel ? 'canceled' : 'active',
      created: sub.created,
      currency: sub.price.currency ?? 'usd',
      currentPeriod: sub.currentPeriod,
      items: [{ id: `si_${sub.price.id}`, price: sub.price, ...(sub.quantity === undefined ? {} : { quantity: sub.quantity }) }],
      ...(sub.trial ? { trial: sub.trial } : {}),
      ...(sub.cancel ? { canceledAt: sub.cancel.requested, cancelAt: sub.cancel.effective, cancelAtPeriodEnd: true, endedAt: sub.cancel.effective } : {}),
    },
    sub.shape,
  );
}

const ndjson = (objects: readonly unknown[]) => objects.map((object) => JSON.stringify(object)).join('\n') + '\n';

/**
 * Stripe files as exports leave them: list responses, arrays, NDJSON, in both API shapes (each
 * object in the shape the business gives it, or all in `only`). Customers are in `customers.json`,
 * not the `customers.ndjson` that `runrate sync stripe` writes: that name is also the canonical
 * customers file's, and `runrate import` then reads the file, or the folder holding it, as
 * canonical (a discrepancy reported with this test, not one of the equivalence).
 */
async function writeStripe(dir: string, only?: Shape): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const of = (shape: Shape) => ({
    subscriptions: SUBSCRIPTIONS.filter((sub) => (only ?? sub.shape) === shape).map((sub) => ({ ...sub, shape })),
    invoices: INVOICES.filter((invoice) => (only ?? invoice.shape) === shape).map((invoice) => ({ ...invoice, shape })),
  });
  const files: Record<string, string> = {
    'customers.json': JSON.stringify(list(CUSTOMERS.map(customerObject), '/v1/customers')),
    'products.json': JSON.stringify(Object.entries(PRODUCTS).map(([id, name]) => ({ id, object: 'product', active: true, created: ts('2023-01-01'), livemode: false, metadata: {}, name, type: 'service' }))),
    'prices.json': JSON.stringify(list(PRICES.map(priceObject), '/v1/prices')),
    'coupons.json': JSON.stringify(list([couponObject(welcome20)], '/v1/coupons')),
  };
  const basil = of('basil');
  if (basil.invoices.length > 0) {
    files['subscriptions.ndjson'] = ndjson(basil.subscriptions.map(stripeSubscription));
    files['invoices.ndjson'] = ndjson(basil.invoices.map(stripeInvoice));
  }
  // Fetched with an API version before basil (2024-06-20), as an older export is.
  const legacy = of('legacy');
  if (legacy.invoices.length > 0) {
    files['subscriptions-2024-06-20.json'] = JSON.stringify(legacy.subscriptions.map(stripeSubscription));
    files['invoices-2024-06-20.json'] = JSON.stringify(list(legacy.invoices.map(stripeInvoice), '/v1/invoices'), null, 2);
  }
  const paths: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    paths.push(join(dir, name));
  }
  return paths;
}

/** The Import API's bodies: customers, plans, invoices with line items and transactions, events. */
async function writeChartMogul(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const source = { data_source_uuid: DATA_SOURCE.uuid };
  const invoices = INVOICES.map((invoice) => ({
    external_id: invoice.id,
    date: at(invoice.issued),
    currency: invoice.currency,
    due_date: at(invoice.issued),
    customer_external_id: invoice.customer,
    ...source,
    line_items: invoice.lines.map((line) => ({
      type: line.trial === true ? 'trial' : 'subscription',
      external_id: line.id,
      subscription_external_id: invoice.subscription,
      plan_external_id: line.price.id,
      service_period_start: at(line.start),
      service_period_end: at(line.end),
      // After discounts, tax included.
      amount_in_cents: line.net + (line.tax ?? 0),
      quantity: line.quantity ?? 1,
      ...(line.prorated === true ? { prorated: true, proration_type: 'differential' } : {}),
      ...(line.discount === undefined ? {} : { discount_amount_in_cents: line.discount, discount_code: welcome20.id }),
      ...(line.tax === undefined ? {} : { tax_amount_in_cents: line.tax }),
      ...(line.description === undefined ? {} : { description: line.description }),
    })),
    transactions: invoice.lines.every((line) => line.net === 0) ? [] : [{ external_id: `tr_${invoice.id}`, date: at(invoice.issued, '06:00:00'), type: 'payment', result: 'successful' }],
  }));
  // A line item carries `cancelled_at` but no request date: the cancellation comes as an event,
  // `event_date` being the request and `effective_date` the end (timestamps, so that both are
  // instants, as in the other formats, and move alike across time zones). It lands on the line in
  // force when it takes effect, the subscription's latest, where Stripe's connector puts it too.
  const events = SUBSCRIPTIONS.filter((sub) => sub.cancel).map((sub) => ({
    external_id: `ev_cancel_${sub.id}`,
    customer_external_id: sub.customer,
    subscription_external_id: sub.id,
    event_type: 'subscription_cancelled',
    event_date: at(sub.cancel!.requested.slice(0, 10), sub.cancel!.requested.slice(11, 19)),
    effective_date: at(sub.cancel!.effective),
    ...source,
  }));
  const files: Record<string, unknown> = {
    'data_sources.json': { data_sources: [DATA_SOURCE] },
    'customers.json': {
      customers: CUSTOMERS.map((c) => ({ external_id: c.id, name: c.name, email: c.email, country: c.country, lead_created_at: at(c.created!), ...source })),
    },
    // Plans name their data source, as ChartMogul's do; without that (or another field only
    // ChartMogul uses), `runrate import` would not recognise a folder's plans.json (reported).
    'plans.json': { plans: PRICES.map((p) => ({ external_id: p.id, name: p.nickname, interval_unit: p.interval ?? 'month', interval_count: p.intervalCount ?? 1, ...source })) },
    'invoices.json': { invoices },
    'subscription_events.json': { subscription_events: events },
  };
  const paths: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), JSON.stringify(content, null, 2));
    paths.push(join(dir, name));
  }
  return paths;
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

async function runrate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(root, 'bin/runrate'), args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

let dir: string;
let canonicalDir: string;
let stripeDir: string;
let chartMogulDir: string;
/** The business read in memory: `stripe` mixes the API shapes, the other two Stripe variants do not. */
const datasets = new Map<'canonical' | 'stripe' | 'stripe (basil only)' | 'stripe (legacy only)' | 'chartmogul', Dataset>();
const dataset = (name: Parameters<typeof datasets.get>[0]) => datasets.get(name)!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runrate-connector-equivalence-'));
  canonicalDir = join(dir, 'canonical');
  stripeDir = join(dir, 'stripe');
  chartMogulDir = join(dir, 'chartmogul');
  await writeCanonical(canonicalDir);
  const stripeFiles = await writeStripe(stripeDir);
  const chartMogulFiles = await writeChartMogul(chartMogulDir);
  // The same rates beside the connectors' files, under a name that keeps each folder a Stripe or
  // ChartMogul export (an `fx_rates.csv` would make it a canonical dataset folder).
  for (const folder of [stripeDir, chartMogulDir]) await writeFile(join(folder, 'eur-usd-rates.csv'), `${FX_RATES.join('\n')}\n`);

  const canonical = await readDataset(canonicalDir);
  expect(canonical.rejects).toEqual([]);
  expect(canonical.warnings).toEqual([]);
  datasets.set('canonical', canonical.dataset);
  const rates = await readRatesFile(join(stripeDir, 'eur-usd-rates.csv'));
  expect(rates.rejects).toEqual([]);
  expect(rates.rates.map(({ source: _source, ...rate }) => rate)).toEqual(canonical.dataset.fxRates.map(({ source: _source, ...rate }) => rate));

  // The connectors read their own files; the rates come from the rates file beside them, as
  // `runrate import` reads it.
  const variants = [
    ['stripe', stripeFiles],
    ['stripe (basil only)', await writeStripe(join(dir, 'stripe-basil'), 'basil')],
    ['stripe (legacy only)', await writeStripe(join(dir, 'stripe-legacy'), 'legacy')],
  ] as const;
  for (const [name, files] of variants) {
    const stripe = await readStripeFiles(files);
    expect(stripe.rejects).toEqual([]);
    expect(stripe.warnings).toEqual([]);
    datasets.set(name, { ...stripe.dataset, fxRates: rates.rates });
  }
  const chartMogul = await readChartMogulFiles(chartMogulFiles);
  expect(chartMogul.rejects).toEqual([]);
  expect(chartMogul.warnings).toEqual([]);
  datasets.set('chartmogul', { ...chartMogul.dataset, fxRates: rates.rates });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function configFor(input: ConfigInput) {
  return resolveConfig([configFromFile(CONFIG_FILE, 'runrate.config.json'), { asOf: AS_OF, ...input }], { datasetCurrencies: [], today: () => isoDate(AS_OF) });
}

function movementsOf(dataset: Dataset, input: ConfigInput): MovementRecord[] {
  const result = computeMovements(dataset, configFor(input));
  expect(result.rejects).toEqual([]);
  return result.movements.map(movementRecord);
}

/** date customer type [reason] amount: enough to read what the business does at a glance. */
const brief = (m: MovementRecord) => [m.date, m.customer_id, m.type, m.reason ?? '-', m.amount].join(' ');

const CONNECTORS = ['stripe', 'stripe (basil only)', 'stripe (legacy only)', 'chartmogul'] as const;
const byId = <T>(id: (row: T) => string) => (a: T, b: T) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

describe('one business as canonical files, Stripe objects and ChartMogul JSON', () => {
  test.each(CONNECTORS)('%s gives the canonical rows, but for what the format cannot carry', (name) => {
    // Where each row was read differs by nature. ChartMogul names no coupon duration, no plan
    // product, and puts each customer in its data source (a segment dimension).
    const chartMogul = name === 'chartmogul';
    const lines = (data: Dataset) =>
      data.invoiceLines.map(({ source: _source, discountDuration, ...line }) => ({ ...line, discountDuration: chartMogul ? null : discountDuration })).sort(byId((line) => line.lineId));
    const plans = (data: Dataset) => data.plans.map(({ source: _source, product, ...plan }) => ({ ...plan, product: chartMogul ? null : product })).sort(byId((plan) => plan.planId));
    const customers = (data: Dataset) =>
      data.customers.map(({ source: _source, ...customer }) => ({ ...customer, attributes: chartMogul ? { data_source: DATA_SOURCE.name } : customer.attributes })).sort(byId((customer) => customer.customerId));
    const canonical = dataset('canonical');
    expect(lines(canonical)).toHaveLength(INVOICES.flatMap((invoice) => invoice.lines).length);
    expect(lines(dataset(name))).toEqual(lines(canonical));
    expect(plans(dataset(name))).toEqual(plans(canonical));
    expect(customers(dataset(name))).toEqual(customers(canonical));
  });

  test('the business shows every case it is meant to (under the file configuration)', () => {
    expect(movementsOf(dataset('canonical'), {}).map(brief)).toEqual([
      '2024-01-01 cus_eur new - 9900',
      '2024-01-01 cus_seats new - 20000',
      '2024-01-10 cus_cancel new - 8000',
      '2024-01-15 cus_annual new - 10000',
      '2024-02-01 cus_coupon new - 8000',
      '2024-02-01 cus_eur fx - -180',
      '2024-02-01 cus_upgrade new - 10000',
      '2024-03-01 cus_eur fx - 45',
      '2024-03-15 cus_trial new - 5000',
      '2024-04-01 cus_eur fx - -90',
      '2024-04-01 cus_seats expansion quantity 10000',
      '2024-04-10 cus_cancel churn - -8000',
      '2024-04-16 cus_upgrade expansion plan_change 15000',
      '2024-05-01 cus_coupon expansion discount 2000',
      '2024-05-01 cus_eur fx - -45',
      '2024-06-01 cus_eur fx - 135',
    ]);
  });

  test.each(CONFIGS.map((input) => [JSON.stringify(input), input] as const))('in memory, identical movements under %s', (_name, input) => {
    const expected = movementsOf(dataset('canonical'), input);
    expect(expected.length).toBeGreaterThan(8);
    for (const name of CONNECTORS) expect({ name, movements: movementsOf(dataset(name), input) }).toEqual({ name, movements: expected });
  });

  test('end to end: three stores filled by `runrate import` report the same movements as `--data`', async () => {
    const configPath = join(canonicalDir, 'runrate.config.json');
    const imports: Record<string, string[]> = {
      canonical: [canonicalDir],
      // A folder per export, its connector's files and the rates file recognised by content; the
      // configuration is the canonical folder's, given explicitly.
      stripe: [stripeDir, '--config', configPath],
      chartmogul: [chartMogulDir, '--config', configPath],
    };
    const canonical = dataset('canonical');
    const rows = canonical.customers.length + canonical.plans.length + canonical.invoiceLines.length + canonical.fxRates.length;
    const outputs: Record<string, string> = {};
    for (const [format, args] of Object.entries(imports)) {
      const db = join(dir, `${format}.duckdb`);
      const imported = await runrate(['import', ...args, '--db', db, '--as-of', AS_OF, '--quiet']);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).not.toContain('warning');
      // Every format lands the same number of canonical rows, none rejected.
      expect(imported.stderr).toContain(`, ${rows} accepted (${rows} new, 0 replaced, 0 unchanged), 0 rejected;`);
      const listed = await runrate(['movements', '--db', db, '--format', 'ndjson']);
      expect(listed.code, listed.stderr).toBe(0);
      // Nothing on stderr: the store's own movements, not a computation in memory.
      expect(listed.stderr).toBe('');
      outputs[format] = listed.stdout;
    }
    const fromData = await runrate(['movements', '--data', canonicalDir, '--as-of', AS_OF, '--format', 'ndjson']);
    expect(fromData.code, fromData.stderr).toBe(0);

    const records = fromData.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as MovementRecord);
    expect(records).toEqual(movementsOf(canonical, {}));
    expect(outputs.canonical).toBe(fromData.stdout);
    expect(outputs.stripe).toBe(fromData.stdout);
    expect(outputs.chartmogul).toBe(fromData.stdout);
  });
});
