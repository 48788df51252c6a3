/**
 * Parser tests: every file of the shared Stripe samples parses without crashing and yields what
 * is recorded here; malformed objects become rejected rows with their JSON path; the file forms
 * (list, array, NDJSON, keyed collection) and Stripe tables are recognised.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectStripeContent, isStripeFile, readStripeFiles } from '../../../src/ingest/stripe/read-stripe-files.js';
import { readStripeTables } from '../../../src/ingest/stripe/stripe-tables.js';
import { customerObject, invoiceObject, list, priceObject, subscriptionObject, ts, type Shape } from './stripe-builders.js';

const SAMPLES = join(import.meta.dirname, '../../fixtures/stripe-samples');
const SEEDS = join(import.meta.dirname, '../../fixtures/external-data/dbt_stripe/seeds');

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'runrate-stripe-parse-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('the shared Stripe samples', () => {
  test('the OpenAPI fixtures: impossible values become rejected rows with paths, unused types are counted', async () => {
    const path = join(SAMPLES, 'openapi-fixtures/fixtures3.billing-subset.json');
    expect(await isStripeFile(path)).toBe(true);
    const result = await readStripeFiles([path]);
    const file = 'fixtures3.billing-subset.json';
    expect(result.rejects).toEqual([
      { file, line: 1, column: 'resources.deleted_discount.id', message: 'an id is required' },
      { file, line: 1, column: 'resources.discount.source.coupon', message: 'a discount needs its coupon' },
      { file, line: 1, column: 'resources.subscription.items.data[0].current_period_end', message: 'must not be before current_period_start' },
      { file, line: 1, column: 'resources.subscription.items.data[0].plan.currency', message: '"currency" is not an ISO 4217 currency code' },
    ]);
    expect(result.warnings).toEqual([`${file}:1 _provenance: holds no Stripe object; ignored`]);
    expect(result.summary.unknownTypes).toEqual({ exchange_rate: 1, invoiceitem: 1, promotion_code: 1, tax_rate: 1, 'test_helpers.test_clock': 1 });
    expect(result.summary.objects).toMatchObject({ customer: 2, subscription: 1, invoice: 1, credit_note: 1, event: 1, price: 1, plan: 2 });
    expect(result.summary.excluded).toMatchObject({ 'draft invoice': 1, 'deleted customer': 1, 'subscription schedule (its phases count once invoiced)': 1 });
    // The credit note's two lines are kept as credit_note lines (never MRR).
    expect(result.dataset.invoiceLines.map((line) => [line.lineId, line.type, line.amount])).toEqual([
      ['cnli_1Pgc75B7WZ01zgkW9m0EaOVh', 'credit_note', -500],
      ['cnli_1Pgc75B7WZ01zgkWla6u0GdZ', 'credit_note', -1190],
    ]);
    expect(result.dataset.plans).toEqual([
      { planId: 'price_1PgafmB7WZ01zgkW6dKueIc5', name: 'T-shirt', interval: { unit: 'month', count: 1 }, product: 'T-shirt', source: { file, line: 1 } },
    ]);
  });

  test('an impossible interval is rejected with its path', async () => {
    const dir = await folder({
      'plans.json': JSON.stringify(list([{ id: 'plan_x', object: 'plan', currency: 'usd', interval: 'month', interval_count: 797691627, amount: 100, usage_type: 'licensed' }], '/v1/plans')),
    });
    const result = await readStripeFiles([dir]);
    expect(result.rejects).toEqual([{ file: 'plans.json', line: 1, column: 'data[0].interval_count', message: "797691627 months is beyond Stripe's longest billing interval (3 years)" }]);
  });

  test('every webhook payload parses into what is recorded for it', async () => {
    const dir = join(SAMPLES, 'sync-engine-webhook-events');
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    const yielded: Record<string, unknown> = {};
    for (const name of names) {
      const result = await readStripeFiles([join(dir, name)]);
      expect(result.rejects, name).toEqual([]);
      yielded[name] = {
        objects: result.summary.objects,
        lines: result.dataset.invoiceLines.map((line) => `${line.lineId} ${line.type} ${line.amount} ${line.currency}`),
        plans: result.dataset.plans.map((plan) => `${plan.planId} ${plan.interval.count} ${plan.interval.unit}`),
        customers: result.dataset.customers.map((customer) => `${customer.customerId} ${customer.email ?? ''}`),
      };
    }
    const plan = 'price_1IDQm5JDPojXS6LNM31hxKzp 1 month';
    expect(yielded).toEqual({
      'credit_note_created.json': { objects: { credit_note: 1, event: 1 }, lines: ['cnli_1MxvRqLkdIwHu7ixFpdhBFQf credit_note -1099 USD'], plans: [], customers: [] },
      'customer_updated.json': { objects: { customer: 1, event: 1 }, lines: [], plans: [], customers: ['cus_IhGfebO16cMIGN billz@supabase.io'] },
      'invoice_finalized.json': { objects: { event: 1, invoice: 1, line_item: 1 }, lines: ['il_1KJdKkJDPojXS6LN2lyAeJz1 subscription 0 USD'], plans: [plan], customers: [] },
      'invoice_paid.json': { objects: { event: 1, invoice: 1, line_item: 1 }, lines: ['il_1KJqKBJDPojXS6LND42vdxtT subscription 0 USD'], plans: [plan], customers: [] },
      'price_created.json': { objects: { event: 1, price: 1 }, lines: [], plans: ['price_1J02UOJDPojXS6LNDao8fiaO 1 month'], customers: [] },
      // No invoice in the file: the current period comes from the subscription (a free plan, $0).
      'subscription_created.json': {
        objects: { event: 1, subscription: 1 },
        lines: ['si_JdIzi4Tn5jV9PD:1623148918 subscription 0 USD', 'si_JdIzi4Tn5jVaaa:1623148918 subscription 0 USD'],
        plans: [plan],
        customers: [],
      },
      // Cancelled and ended: nothing is synthesised for a subscription that is over.
      'subscription_deleted.json': { objects: { event: 1, subscription: 1 }, lines: [], plans: [plan], customers: [] },
      'subscription_schedule_created.json': { objects: { event: 1, subscription_schedule: 1 }, lines: [], plans: [], customers: [] },
      'subscription_updated.json': { objects: { event: 1, subscription: 1 }, lines: ['si_JLEPdb3X81qQ9L:1618980344 subscription 0 USD'], plans: [plan], customers: [] },
    });
  });

  test('the invoice.paid payload: its line period (the pre-billed period), not the invoice period', async () => {
    const result = await readStripeFiles([join(SAMPLES, 'sync-engine-webhook-events/invoice_paid.json')]);
    expect(result.dataset.invoiceLines).toMatchObject([
      {
        invoiceId: 'in_1KJqKBJDPojXS6LNJbvLUgEy',
        customerId: 'cus_JsuO3bmrj0QlAw',
        subscriptionId: 'sub_JsuPyCPhXWfZar',
        serviceStart: { kind: 'instant', instant: 1642645280_000 },
        serviceEnd: { kind: 'instant', instant: 1645323680_000 },
        prorated: false,
        issuedAt: { kind: 'instant', instant: 1642649110_000 },
      },
    ]);
  });

  test('the dbt_stripe seeds are recognised by their headers and read without crashing', async () => {
    const names = (await readdir(SEEDS)).sort();
    const tables: string[] = [];
    for (const name of names) if (await isStripeFile(join(SEEDS, name))) tables.push(name);
    expect(tables).toEqual([
      'coupon_data.csv',
      'customer_data.csv',
      'discount_data.csv',
      'discount_data_postgres.csv',
      'discount_data_snowflake.csv',
      'invoice_data.csv',
      'invoice_line_item_data.csv',
      'plan_data.csv',
      'price_data.csv',
      'product_data.csv',
      'subscription_data.csv',
      'subscription_discount_data.csv',
      'subscription_discount_data_postgres.csv',
      'subscription_discount_data_snowflake.csv',
      'subscription_history_data.csv',
      'subscription_item_data.csv',
    ]);
    const result = await readStripeTables(tables.map((name) => join(SEEDS, name)));
    // The seeds do not join up (their README says so): line items name invoices that are not there.
    expect(result.rejects.map((reject) => `${reject.file}:${reject.line}: ${reject.column}`)).toEqual([
      'invoice_line_item_data.csv:3: invoice_id',
      'invoice_line_item_data.csv:4: invoice_id',
    ]);
    expect(result.summary.objects).toMatchObject({ invoice: 2, subscription: 3, subscription_item: 14, coupon: 10, price: 4, plan: 13 });
    expect(result.dataset.invoiceLines.length).toBeGreaterThan(0);
  });
});

describe('file forms and malformed objects', () => {
  const shapes: Shape[] = ['legacy', 'basil'];

  test('a list response, an array, NDJSON and a single object are all read; NDJSON rejects carry their line', async () => {
    const price = { id: 'price_m', product: 'prod_m', unitAmount: 1_000 };
    const invoice = invoiceObject({ id: 'in_1', customer: 'cus_1', subscription: 'sub_1', created: '2024-01-01', lines: [{ id: 'il_1', price, start: '2024-01-01', end: '2024-02-01', amount: 1_000 }] }, 'basil');
    const broken = invoiceObject({ id: 'in_2', customer: 'cus_1', subscription: 'sub_1', created: '2024-02-01', lines: [{ id: 'il_2', price, start: '2024-02-01', end: '2024-03-01', amount: 1_000 }] }, 'basil');
    ((broken.lines as { data: Array<{ period: Record<string, unknown> }> }).data[0]!.period).end = 'soon';
    const dir = await folder({
      'a-customers.json': JSON.stringify(customerObject({ id: 'cus_1', name: 'One' })),
      'b-prices.json': JSON.stringify([priceObject(price)]),
      'c-invoices.ndjson': `${JSON.stringify(invoice)}\n\n${JSON.stringify({ ...broken, id: 'in_3' })}\nnot json\n`,
      'd-invoices.json': JSON.stringify(list([invoice, broken], '/v1/invoices')),
    });
    const result = await readStripeFiles([dir]);
    expect(result.rejects).toEqual([
      { file: 'c-invoices.ndjson', line: 3, column: 'lines.data[0].period.end', message: 'expected a Unix timestamp, found "soon"' },
      { file: 'c-invoices.ndjson', line: 4, column: '', message: expect.stringMatching(/^not valid JSON/) },
      { file: 'd-invoices.json', line: 1, column: 'data[1].lines.data[0].period.end', message: 'expected a Unix timestamp, found "soon"' },
    ]);
    expect(result.dataset.customers.map((customer) => customer.name)).toEqual(['One']);
    // The same invoice twice: the later copy wins, so its line is there once.
    expect(result.dataset.invoiceLines.map((line) => line.lineId)).toEqual(['il_1']);
  });

  test('unknown object types are counted, never silently skipped', async () => {
    const dir = await folder({
      'mixed.ndjson': [{ id: 'ch_1', object: 'charge' }, { id: 'ch_2', object: 'charge' }, { id: 'po_1', object: 'payout' }, { id: 'x' }].map((o) => JSON.stringify(o)).join('\n'),
    });
    const result = await readStripeFiles([dir]);
    expect(result.summary.unknownTypes).toEqual({ charge: 2, payout: 1 });
    expect(result.warnings).toEqual(['mixed.ndjson:4 id: holds no Stripe object; ignored']);
  });

  for (const shape of shapes) {
    test(`tax is never MRR: exclusive tax aside, inclusive tax taken out of the amount (${shape})`, async () => {
      const exclusive = { id: 'price_ex', product: 'prod_t', unitAmount: 10_000, taxBehavior: 'exclusive' as const };
      const inclusive = { id: 'price_in', product: 'prod_t', unitAmount: 12_000, taxBehavior: 'inclusive' as const };
      const invoice = invoiceObject(
        {
          id: 'in_tax',
          customer: 'cus_t',
          subscription: 'sub_t',
          created: '2024-01-01',
          lines: [
            { id: 'il_ex', price: exclusive, start: '2024-01-01', end: '2024-02-01', amount: 10_000, taxes: [{ amount: 2_000, inclusive: false }] },
            { id: 'il_in', price: inclusive, start: '2024-01-01', end: '2024-02-01', amount: 12_000, taxes: [{ amount: 2_000, inclusive: true }], discounts: [{ discount: 'di_x', amount: 1_200 }] },
          ],
        },
        shape,
      );
      const dir = await folder({ 'invoices.json': JSON.stringify(list([invoice], '/v1/invoices')), 'prices.json': JSON.stringify([priceObject(exclusive), priceObject(inclusive)]) });
      const result = await readStripeFiles([dir]);
      expect(result.rejects).toEqual([]);
      expect(result.dataset.invoiceLines.map((line) => [line.lineId, line.amount, line.discount, line.tax])).toEqual([
        ['il_ex', 10_000, 0, 2_000],
        ['il_in', 8_800, 1_200, 2_000],
      ]);
    });
  }

  test('amounts in the smallest unit are taken as they are, except where Stripe and ISO 4217 disagree (ISK, MGA)', async () => {
    const make = (currency: string, amount: number, id: string) =>
      invoiceObject({ id, customer: 'cus_c', subscription: `sub_${id}`, currency, created: '2024-01-01', lines: [{ id: `il_${id}`, price: { id: `price_${id}`, product: 'p', unitAmount: amount, currency }, start: '2024-01-01', end: '2024-02-01', amount }] }, 'legacy');
    const dir = await folder({ 'invoices.json': JSON.stringify([make('jpy', 5_000, 'jpy'), make('kwd', 12_345, 'kwd'), make('isk', 990_000, 'isk'), make('mga', 20_000, 'mga'), make('isk', 990_050, 'bad')]) });
    const result = await readStripeFiles([dir]);
    expect(result.dataset.invoiceLines.map((line) => [line.currency, line.amount])).toEqual([
      ['ISK', 9_900],
      ['JPY', 5_000],
      ['KWD', 12_345],
      ['MGA', 2_000_000],
    ]);
    expect(result.rejects).toEqual([{ file: 'invoices.json', line: 1, column: '[4].lines.data[0].amount', message: '990050 is not a whole number of krónur (Stripe writes ISK with two decimals, always 00)' }]);
  });

  test('a subscription with no invoice in the data: its current period, less its coupon, is synthesised', async () => {
    const price = { id: 'price_s', product: 'prod_s', unitAmount: 5_000 };
    for (const shape of shapes) {
      const sub = subscriptionObject(
        {
          id: 'sub_s',
          customer: 'cus_s',
          status: 'active',
          created: '2024-01-01',
          currentPeriod: ['2024-03-01', '2024-04-01'],
          items: [{ id: 'si_s', price, quantity: 2 }],
          discount: { id: 'di_s', coupon: { id: 'HALF', duration: 'forever', percentOff: 50 }, customer: 'cus_s', subscription: 'sub_s', start: '2024-01-01' },
        },
        shape,
      );
      const files: Record<string, string> = { 'subscriptions.json': JSON.stringify(sub) };
      if (shape === 'basil') files['coupons.json'] = JSON.stringify([{ id: 'HALF', object: 'coupon', duration: 'forever', percent_off: 50 }]);
      const result = await readStripeFiles([await folder(files)]);
      expect(result.rejects).toEqual([]);
      expect(result.dataset.invoiceLines).toMatchObject([
        { lineId: `si_s:${ts('2024-03-01')}`, subscriptionId: 'sub_s', type: 'subscription', amount: 5_000, discount: 5_000, discountDuration: 'forever', quantity: 2 },
      ]);
      expect(result.warnings).toEqual(['subscription sub_s has no invoice line in the data: its current period (2024-03-01 → 2024-04-01) is taken from the subscription object']);
    }
  });
});

describe('recognising Stripe files', () => {
  test('by "object" fields in JSON, by header columns in CSV; canonical files are not Stripe files', () => {
    expect(detectStripeContent('{"object": "list", "data": [{"id": "in_1", "object": "invoice"}]}')).toEqual({ kind: 'stripe-objects' });
    expect(detectStripeContent('{"id":"evt_1","object":"event"}\n')).toEqual({ kind: 'stripe-objects' });
    expect(detectStripeContent(new TextEncoder().encode('[{"id":"cus_1","object":"customer"}]'))).toEqual({ kind: 'stripe-objects' });
    expect(detectStripeContent('{"line_id":"l1","invoice_id":"i1","customer_id":"c1","amount":"10","currency":"USD"}\n')).toBeNull();
    expect(detectStripeContent('line_id,invoice_id,customer_id,amount,currency\nl1,i1,c1,10,USD\n')).toBeNull();
    expect(detectStripeContent('id,invoice_id,amount,currency,period_start,period_end,proration\n')).toEqual({ kind: 'stripe-table', table: 'invoice_line_item' });
    expect(detectStripeContent('id,type,type_id,amount,coupon_id,customer_id,"""END""",invoice_id,"""START""",subscription_id\n')).toEqual({ kind: 'stripe-table', table: 'discount' });
  });
});
